"""OpenSearch adapters (opensearch-py, imported lazily): the knowledge vector index for cloud and compose modes."""
