"""A Python function served through the Runtime API instead of the framed fast path.

Used when the function has external extensions: they need the Runtime API's host:port beside
the runtime. Same handler contract as bootstrap.py (which does the work), over HTTP.
Stdlib only, and importable on every Python from 3.9 on.
"""

import http.client
import json
import os
import sys

from . import bootstrap, protocol
from .context import LambdaContext
from .handler import InitError, load_handler

NEXT = "/2018-06-01/runtime/invocation/next"


def main():
    sys.path[:0] = [p for p in os.environ.pop("OVERCAST_PYTHON_PATH", "").split(os.pathsep) if p]
    bootstrap.prepare()
    LambdaContext.configure()
    api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except InitError as exc:
        return _post(api, "/2018-06-01/runtime/init/error", exc.error)
    except Exception as exc:  # module-level code raised
        return _post(api, "/2018-06-01/runtime/init/error", bootstrap.error_object(exc, ""))
    while True:
        api.request("GET", NEXT)
        response = api.getresponse()
        body, headers = response.read(), response.headers
        meta = {
            "request_id": headers["Lambda-Runtime-Aws-Request-Id"],
            "deadline_ms": int(headers["Lambda-Runtime-Deadline-Ms"]),
            "invoked_arn": headers["Lambda-Runtime-Invoked-Function-Arn"],
            "trace_id": headers.get("Lambda-Runtime-Trace-Id"),
            "client_context": headers.get("Lambda-Runtime-Client-Context"),
        }
        kind, _meta, payload = bootstrap.handle(handler, meta, body)
        outcome = "response" if kind == protocol.RESPONSE else "error"
        path = f"/2018-06-01/runtime/invocation/{meta['request_id']}/{outcome}"
        _post(api, path, payload if kind == protocol.RESPONSE else json.loads(payload))


def _post(api, path, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = (
        {} if isinstance(body, bytes) else {"Lambda-Runtime-Function-Error-Type": body["errorType"]}
    )
    api.request("POST", path, body=data, headers=headers)
    api.getresponse().read()
