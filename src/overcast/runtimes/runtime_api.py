"""Lambda's Runtime API (2018-06-01), served inside an execution environment.

For runtimes that bring their own loop (`provided.*` with a `bootstrap`, the official
`awslambdaric`): this process starts the bootstrap with AWS_LAMBDA_RUNTIME_API pointing at a
loopback port of its own and translates between that HTTP API and the engine's frames.

  GET  /2018-06-01/runtime/invocation/next            blocks until the engine sends an event
  POST /2018-06-01/runtime/invocation/{id}/response   the result   (202), streamed or whole
  POST /2018-06-01/runtime/invocation/{id}/error      a failure    (202)
  POST /2018-06-01/runtime/init/error                 init failed  (202)

Init ends when the bootstrap first asks for `next`, as on Lambda. Only processes of this
environment's uid may connect (SO_PEERCRED), so no environment can read or answer another's
events. If the bootstrap exits, this process exits the same way and the engine reports
Runtime.ExitError. Stdlib only: it runs on the environment's interpreter.

A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked transfer
coding) is relayed to the engine piece by piece as it arrives, so the caller gets each part
as the function writes it; trailers may report an error that happened mid-stream.
"""

import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from overcast.runtimes import response_stream as stream
from overcast.runtimes.chunked import ChunkedBodyError, body_of, read_all
from overcast.runtimes.extensions import Extensions
from overcast.runtimes.python import protocol

PREFIX = "/2018-06-01/runtime"
EXTENSION_PREFIX = "/2020-01-01/extension"
RESPONSE_LIMIT = protocol.RESPONSE_LIMIT
BODY_LIMIT = 7 * 1024 * 1024  # other posts (init errors, extensions)
ESTABLISHED = "01"  # /proc/net/tcp's state column


class _State:
    """Where the environment is: initialising, waiting for an event, or running `request_id`."""

    def __init__(self, control, extensions):
        self.control = control
        self.extensions = extensions
        self.lock = threading.Lock()  # one request at a time talks to the engine
        self.started = time.perf_counter()
        self.ready = False
        self.request_id = None
        self.limit = RESPONSE_LIMIT  # the response size limit of the running invocation
        self.finished = set()


def run(control, handler, task_root, command=None, extensions_dir=None, python_path=()):
    """Serve the Runtime API for `command` (default: the task root's `bootstrap`), and the
    Extensions API for the executables in `extensions_dir`, until the engine goes away."""
    state = _State(control, Extensions())
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    port = server.server_address[1]
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}", _HANDLER=handler)
    command = command or [os.path.join(task_root, "bootstrap")]
    if extensions_dir:
        state.extensions.start(extensions_dir, env)  # before the runtime, as on Lambda
    if python_path:  # for Overcast's Python client, which takes it out of its environment
        env["OVERCAST_PYTHON_PATH"] = os.pathsep.join(python_path)
    children = []
    # Installed before the start: a bootstrap that fails at once must not go unnoticed.
    signal.signal(signal.SIGCHLD, lambda *_: _exit_with(children))
    try:
        children.append(subprocess.Popen(command, env=env, cwd=task_root, close_fds=True))
    except OSError as exc:
        _init_error(state, "Runtime.InvalidEntrypoint", f"Couldn't start {command[0]}: {exc}")
        return
    _exit_with(children)
    server.serve_forever()


def _exit_with(children):
    """Once the bootstrap has ended, end this process the same way (exit code or signal)."""
    if not children or children[0].poll() is None:
        return
    sys.stdout.flush()
    code = children[0].returncode
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def _init_error(state, error_type, message):
    body = json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": []})
    meta = {"init_ms": (time.perf_counter() - state.started) * 1000.0}
    state.control.send(protocol.encode(protocol.INIT_ERROR, meta, body.encode()))
    state.control.read()  # the engine ends this environment


class _Server(ThreadingHTTPServer):
    """A thread per connection: clients (Node's fetch, awslambdaric) keep one connection
    waiting on `next` while they post a result on another."""

    allow_reuse_address = False
    daemon_threads = True

    def get_request(self):
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address

    def verify_request(self, request, client_address):
        # Only this environment's processes (its uid) may use its Runtime API.
        return _peer_uid(client_address, self.server_address) == os.getuid()


def _peer_uid(client_address, server_address):
    """The uid owning the connecting TCP socket (SO_PEERCRED is for Unix sockets only): the
    kernel's socket table lists each socket's addresses, state and owner. Both ends and the
    ESTABLISHED state must match: a closed connection that used the same client port lingers
    in TIME_WAIT, owned by no one."""
    local, remote = _hex_address(client_address), _hex_address(server_address)
    with open("/proc/net/tcp") as table:
        for line in table:
            fields = line.split()
            if fields[1] == local and fields[2] == remote and fields[3] == ESTABLISHED:
                return int(fields[7])
    return None


def _hex_address(address):
    host, port = address[:2]
    return f"{struct.unpack('<I', socket.inet_aton(host))[0]:08X}:{port:04X}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the function's log is for the function
        pass

    def do_GET(self):
        if self.path == f"{PREFIX}/invocation/next":
            with self.server.state.lock:
                self._next()
        elif self.path == f"{EXTENSION_PREFIX}/event/next":
            self._extension_next()
        else:
            self._reply(404, {"errorType": "InvalidRequest", "errorMessage": "Not found"})

    def do_POST(self):
        parts = (
            self.path[len(PREFIX) :].strip("/").split("/") if self.path.startswith(PREFIX) else []
        )
        if (
            stream.RESPONSE_MODE in self.headers
            and parts[:1] == ["invocation"]
            and parts[2:] == ["response"]
        ):
            self._streamed_result(parts[1])
            return
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            self._result(parts[1], parts[2])  # answered while `next` may hold the lock
            return
        body = self._body()
        if body is None:
            return
        if self.path.startswith(EXTENSION_PREFIX):
            self._extension_post(self.path[len(EXTENSION_PREFIX) :], body)
            return
        if parts == ["init", "error"]:
            self._init_error(body)
        else:
            self._reply(404, {"errorType": "InvalidRequest", "errorMessage": "Not found"})

    def _next(self):
        state = self.server.state
        # Init ends, and each invocation ends for the environment, only once every extension
        # waits for its next event too.
        state.extensions.wait_until_idle()
        if not state.ready:
            meta = {"init_ms": (time.perf_counter() - state.started) * 1000.0}
            state.control.send(protocol.encode(protocol.READY, meta))
            state.ready = True
        frame = state.control.read()
        if frame is None:  # the engine ended the environment
            os._exit(0)
        kind, meta, body = frame
        if kind == protocol.SHUTDOWN:
            state.extensions.shutdown(meta.get("reason", "spindown"))
            sys.stdout.flush()
            os._exit(0)
        state.request_id = meta["request_id"]
        state.limit = protocol.STREAM_LIMIT if meta.get("stream") else RESPONSE_LIMIT
        state.extensions.publish(
            {
                "eventType": "INVOKE",
                "deadlineMs": meta["deadline_ms"],
                "requestId": meta["request_id"],
                "invokedFunctionArn": meta["invoked_arn"],
                "tracing": {"type": "X-Amzn-Trace-Id", "value": meta.get("trace_id") or ""},
            }
        )
        headers = {
            "Lambda-Runtime-Aws-Request-Id": meta["request_id"],
            "Lambda-Runtime-Deadline-Ms": str(meta["deadline_ms"]),
            "Lambda-Runtime-Invoked-Function-Arn": meta["invoked_arn"],
            "Lambda-Runtime-Trace-Id": meta.get("trace_id") or "",
        }
        if meta.get("client_context"):
            headers["Lambda-Runtime-Client-Context"] = meta["client_context"]
        if meta.get("identity"):
            headers["Lambda-Runtime-Cognito-Identity"] = json.dumps(meta["identity"])
        os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        self._send(200, body, "application/json", headers)

    def _extension_post(self, path, body):
        extensions = self.server.state.extensions
        if path == "/register":
            try:
                events = json.loads(body or b"{}").get("events", [])
            except (ValueError, AttributeError):
                self._reply(400, {"errorType": "InvalidRequest", "errorMessage": "bad body"})
                return
            name = self.headers.get("Lambda-Extension-Name") or ""
            identifier = extensions.register(name, events)
            document = {
                "functionName": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
                "functionVersion": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
                "handler": os.environ.get("_HANDLER"),
            }
            headers = {"Lambda-Extension-Identifier": identifier}
            self._send(200, json.dumps(document).encode(), "application/json", headers)
        elif path == "/init/error":  # an extension failed its init: so does the environment
            self._reply(202, {"status": "OK"})
            state = self.server.state
            if not state.ready:
                error_type = self.headers.get("Lambda-Extension-Function-Error-Type")
                message = body.decode("utf-8", "replace") or "extension init failed"
                _init_error(state, error_type or "Extension.InitError", message)
        elif path == "/exit/error":
            self._reply(202, {"status": "OK"})
        else:
            self._reply(404, {"errorType": "InvalidRequest", "errorMessage": "Not found"})

    def _extension_next(self):
        identifier = self.headers.get("Lambda-Extension-Identifier") or ""
        event = self.server.state.extensions.next_event(identifier)
        if event is None:
            error = {
                "errorType": "Extension.InvalidExtensionIdentifier",
                "errorMessage": identifier,
            }
            self._reply(403, error)
            return
        headers = {"Lambda-Extension-Event-Identifier": str(uuid.uuid4())}
        self._send(200, json.dumps(event).encode(), "application/json", headers)

    def _refused(self, request_id, outcome):
        """Answer a result for an invocation that is not running (400 or 403); True if so."""
        state = self.server.state
        if request_id == state.request_id:
            return False
        status = 400 if request_id not in state.finished else 403
        error = "InvalidRequestID" if status == 400 else "InvalidStateTransition"
        self._reply(status, {"errorType": error, "errorMessage": f"{outcome}: {request_id}"})
        return True

    def _result(self, request_id, outcome):
        """A result, read up to Lambda's limit and no further: past it the rest is read and
        dropped as it comes, the invocation fails with Function.ResponseSizeTooLarge and the
        runtime's post gets the 413 Lambda's Runtime API gives."""
        try:
            body = self._read(RESPONSE_LIMIT)
        except ChunkedBodyError:
            self._malformed()
            return
        if self._refused(request_id, outcome):
            return
        if body is None:
            error = stream.too_large(RESPONSE_LIMIT)
            self._answer(protocol.ERROR, error["errorType"], json.dumps(error).encode())
            message = f"Exceeded maximum allowed payload size ({RESPONSE_LIMIT} bytes)."
            self._reply(413, {"errorMessage": message, "errorType": "RequestEntityTooLarge"})
            return
        if outcome == "response":
            self._answer(protocol.RESPONSE, None, body)
        else:
            self._answer(protocol.ERROR, *self._error_body(body))
        self._reply(202, {"status": "OK"})

    def _streamed_result(self, request_id):
        """Relay a streamed response to the engine as it arrives (response_stream.py)."""
        state = self.server.state
        if self.headers[stream.RESPONSE_MODE] != stream.STREAMING:
            stream.drain(self.rfile, self.headers)
            message = "Invalid function response mode"
            if request_id == state.request_id:
                error = stream.error("Runtime.InvalidResponseModeHeader", message)
                self._answer(protocol.ERROR, error["errorType"], json.dumps(error).encode())
            self._reply(400, stream.error("InvalidFunctionResponseMode", message))
            return
        if self._refused(request_id, "response"):
            stream.drain(self.rfile, self.headers)
            return
        error, too_large = stream.relay(self.rfile, self.headers, state.control, state.limit)
        if error is None:
            self._answer(protocol.STREAM_END, None, b"")
        else:
            self._answer(protocol.STREAM_END, error["errorType"], json.dumps(error).encode())
        if error is not None and error["errorType"] == "Runtime.TruncatedResponse":
            self.close_connection = True
        if too_large:
            self._reply(413, stream.error("RequestEntityTooLarge", "Response payload too large"))
        else:
            self._reply(202, {"status": "OK"})

    def _answer(self, kind, error_type, body):
        state = self.server.state
        state.finished.add(state.request_id)
        state.request_id = None
        sys.stdout.flush()
        # The runtime's own peak; the environment's cgroup gives the whole figure.
        meta = {"max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
        if error_type:
            meta["error_type"] = error_type
        state.control.send(protocol.encode(kind, meta, body))

    def _error_body(self, body):
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        return stream.error_object(body, error_type)

    def _init_error(self, body):
        state = self.server.state
        error_type, error = self._error_body(body)
        meta = {"init_ms": (time.perf_counter() - state.started) * 1000.0}
        self._reply(202, {"status": "OK"})
        state.control.send(protocol.encode(protocol.INIT_ERROR, meta, error))

    def _body(self):
        """The body of a post other than a result (BODY_LIMIT at most); None once answered
        with an error."""
        try:
            body = self._read(BODY_LIMIT)
        except ChunkedBodyError:
            self._malformed()
            return None
        if body is None:
            self._reply(413, {"errorType": "RequestEntityTooLarge", "errorMessage": "too large"})
        return body

    def _read(self, limit):
        """The body, or None if it is longer than `limit` (the rest is read and dropped as it
        comes, so no more than `limit` is ever held). Raises ChunkedBodyError if malformed."""
        return read_all(body_of(self.rfile, self.headers), limit)

    def _malformed(self):
        self.close_connection = True
        self._reply(400, stream.error("InvalidRequest", "Malformed request body"))

    def _reply(self, status, document):
        self._send(status, json.dumps(document).encode(), "application/json", {})

    def _send(self, status, body, content_type, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
