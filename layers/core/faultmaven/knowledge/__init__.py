"""Knowledge base retrieval core.

    chunks = chunk_document(text, DocumentRef(document_id=..., owner_id=..., scope=...), format_for(filename))
    embedder = build_embedder(settings)                        # ports.embedder.Embedder
    index = build_vector_index(settings, embedder.space, db)   # ports.vector_index.VectorIndex
    index.upsert(chunks, embedder.embed([c.embedding_text for c in chunks]))
    hits = index.search(query, embedder.embed([query])[0], PrincipalFilter(owner_id=..., team_ids=[...]), k=5)
    index.delete_document(owner_id, document_id)
"""
