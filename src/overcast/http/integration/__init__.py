"""Non-proxy integrations as both API Gateway front doors run them (REST APIs and WebSocket
APIs): mapping templates rendered through templates/ (mapping.py), the request sent on to an
HTTP endpoint (http_send.py), an AWS service action called in-process (service_actions.py),
and the problems each may meet (errors.py), which each door answers in its own words."""
