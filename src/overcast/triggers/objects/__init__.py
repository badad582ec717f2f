"""The object store: S3's buckets and objects, kept under the data dir, and the bucket
notifications that send object events to functions, queues and topics."""
