"""Knowledge base: documents, ingestion and hybrid retrieval.

Retrieval core (the container picks the embedder and index from settings):

    chunks = chunk_document(text, DocumentRef(document_id=..., owner_id=..., scope=...), format_for(filename))
    index.upsert(chunks, embedder.embed([c.embedding_text for c in chunks]))      # ports.vector_index.VectorIndex
    hits = index.search(query, embedder.embed([query])[0], PrincipalFilter(owner_id=..., team_ids=[...]), k=5)
    index.delete_document(owner_id, document_id)
"""
