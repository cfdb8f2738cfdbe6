"""Amazon S3 Vectors adapters (boto3 `s3vectors`, imported lazily): the knowledge vector index, billed per use."""
