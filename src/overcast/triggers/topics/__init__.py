"""Topics: the SNS-compatible publish/subscribe service (its API edge is api/sns.py).

Topics fan messages out to functions (asynchronous invocations with the SNS event), queues
(the SNS envelope or the raw message) and HTTP/S endpoints (after the confirmation
handshake), filtered by each subscription's filter policy, durably and with retries.
"""
