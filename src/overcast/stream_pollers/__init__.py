"""Lambda's stream pollers, shared by every stream source (DynamoDB Streams, Kinesis): for
each enabled event source mapping on a stream, readers of its shards that invoke its function
with batches of records, through the stream's `shards.ShardSource`.

- kinds.py: what differs between the sources (their ARNs, the failure record's batch info).
- checkpoints.py: where each mapping is in each shard, durably.
- batches.py: one batch's fate: invoke, retry, bisect, partial failures, OnFailure.
- pollers.py: the `types.EventSources` Lambda's mappings are handed to, and the shard readers.
"""
