"""Adapters: one embedded (SQLite / files) and one cloud (DynamoDB / S3 / OpenSearch) per port."""
