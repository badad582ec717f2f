"""Queues: the SQS-compatible queue service (its API edge is api/sqs.py) and Lambda's event
source mappings on its queues (the pollers; their API is api/event_source_mappings.py).

Messages are kept in queues.db before they are acknowledged, handed out in SQS's order
(oldest first; per message group for FIFO queues) with visibility timeouts, long polling,
delays, retention and dead-letter redrive; queues are also Lambda destinations.
"""
