"""The Python runtime loop inside an execution environment.

Init runs once (import the handler module), then each INVOKE frame runs the handler and answers
with RESPONSE or ERROR. The function's stdout/stderr are a pipe the engine reads; everything is
flushed before the answer is sent, so the engine, reading the pipe when the answer arrives,
attributes every line to the right request.
"""

import decimal
import gc
import importlib
import io
import json
import logging
import os
import random
import resource
import socket
import sys
import time
import traceback

from . import forkserver, protocol
from .context import LambdaContext
from .handler import InitError, load_handler

_request_id = ""


def prepare():
    """Once, in the zygote: stdout/stderr and Lambda's log format, inherited by every fork.

    The streams wrap fds 1 and 2, which each environment points at its own log pipe.
    """
    _install_streams()
    _install_logging()


class Cloning:
    """What an environment needs to become a SnapStart template: the fork-server channel its
    restored copies are asked for on, and `confine(spec, fds)`, which a copy runs first (the
    zygote's part: a private /tmp)."""

    def __init__(self, channel, confine):
        self.channel = channel
        self.confine = confine


def run(control, handler_name, cloning=None, first_invoke=False):
    """Initialise, then serve invocations until the engine closes the socket.

    With `cloning` the environment may become a SnapStart template (TEMPLATE frame). With
    `first_invoke` the first event is already on its way: the log gets the INIT_DONE mark
    between the init's output and that event's.
    """
    LambdaContext.configure()
    started = time.perf_counter()
    try:
        handler = load_handler(handler_name)
    except InitError as exc:
        _send_init_error(control, started, exc.error)
        return
    except Exception as exc:  # module-level code raised: Lambda reports the exception itself
        _log_exception(exc)
        _send_init_error(control, started, error_object(exc, ""))
        return
    if first_invoke:
        sys.stdout.flush()
        os.write(1, protocol.INIT_DONE)
    control.send(protocol.encode(protocol.READY, {"init_ms": _ms_since(started)}))
    _serve(control, handler, cloning)


def _serve(control, handler, cloning=None):
    while True:
        frame = control.read()
        if frame is None:
            return
        kind, meta, body = frame
        if kind == protocol.TEMPLATE and cloning is not None:
            _become_template(control, handler, cloning)
            return
        control.send(protocol.encode(*handle(handler, meta, body)))


def _become_template(control, handler, cloning):
    started = time.perf_counter()
    try:
        for func, args, kwargs in _hooks().get_before_snapshot():
            func(*args, **kwargs)
    except Exception as exc:
        _log_exception(exc)
        _send_init_error(control, started, error_object(exc, ""))
        return
    sys.stdout.flush()
    gc.freeze()  # as in the zygote: no collection in a copy touches the template's objects
    control.send(protocol.encode(protocol.SNAPSHOT, {"hooks_ms": _ms_since(started)}))
    forkserver.serve(
        cloning.channel,
        lambda spec, fds: _restored(spec, fds, handler, cloning.confine),
        inherited=(control.sock.fileno(),),
    )


def _hooks():
    # The top-level module the function imported (the runtime dir is on its sys.path), not
    # this package's copy: hooks registered there are the ones to run.
    return importlib.import_module("snapshot_restore_py")


def _restored(spec, fds, handler, confine):
    """A copy of the template: its own log pipe and control socket, then the restore hooks."""
    os.setsid()
    control_fd, log_fd = fds[0], fds[1]
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    confine(spec, fds)
    os.environ.update(spec["env"])
    LambdaContext.configure()
    random.seed()  # copies of one snapshot must not share a random sequence
    control = protocol.Channel(socket.socket(fileno=control_fd))
    started = time.perf_counter()
    try:
        for func, args, kwargs in _hooks().get_after_restore():
            func(*args, **kwargs)
    except Exception as exc:
        _log_exception(exc)
        _send_init_error(control, started, error_object(exc, ""))
        return 0
    control.send(protocol.encode(protocol.READY, {"init_ms": _ms_since(started)}))
    _serve(control, handler)
    return 0


def handle(handler, meta, body):
    """Run the handler on one event: (RESPONSE or ERROR, meta, payload) for the engine."""
    global _request_id
    _request_id = request_id = meta["request_id"]
    if "timeout_ms" in meta:  # the first event, sent before the init: its time starts now
        meta["deadline_ms"] = int(time.time() * 1000) + meta["timeout_ms"]
    context = LambdaContext(
        request_id,
        meta["deadline_ms"],
        meta["invoked_arn"],
        meta.get("client_context"),
        meta.get("identity"),
    )
    os.environ["_X_AMZN_TRACE_ID"] = meta.get("trace_id") or ""
    try:
        event = json.loads(body) if body else None
        result = handler(event, context)
    except Exception as exc:
        _log_exception(exc)
        return _answer_error(error_object(exc, request_id))
    try:
        payload = _encode_result(result).encode()
    except (TypeError, ValueError) as exc:
        error = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        return _answer_error(error)
    sys.stdout.flush()
    return protocol.RESPONSE, {"max_rss_kb": _max_rss_kb()}, payload


def forget_request():
    """No request is in progress (after a spare's rehearsal of one: rehearsal.py)."""
    global _request_id
    _request_id = ""
    os.environ.pop("_X_AMZN_TRACE_ID", None)


def _answer_error(error):
    sys.stdout.flush()
    sys.stderr.flush()
    meta = {"max_rss_kb": _max_rss_kb(), "error_type": error["errorType"]}
    return protocol.ERROR, meta, json.dumps(error).encode()


def _send_init_error(control, started, error):
    sys.stdout.flush()
    sys.stderr.flush()
    meta = {"init_ms": _ms_since(started)}
    control.send(protocol.encode(protocol.INIT_ERROR, meta, json.dumps(error).encode()))
    while control.read() is not None:  # wait for the engine to close us (past a first event)
        pass


def _user_frames(exc):
    # The first frame is this runtime calling the handler: Lambda shows only the user's code.
    frames = traceback.extract_tb(exc.__traceback__)
    return traceback.format_list(frames[1:] if len(frames) > 1 else frames)


def error_object(exc, request_id):
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": _user_frames(exc),
    }


def _log_exception(exc):
    # Lambda logs an uncaught exception as one event: newlines inside become carriage returns.
    name = type(exc).__name__
    text = "Traceback (most recent call last):\n" + "".join(_user_frames(exc))
    line = f"[ERROR] {name}: {exc}\n{text}{name}: {exc}".replace("\n", "\r")
    sys.stdout.write(line + "\n")


def _encode_decimal(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# Built once: json.dumps(result, default=...) would build an encoder on every invocation.
_encode_result = json.JSONEncoder(default=_encode_decimal).encode


def _max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _ms_since(started):
    return (time.perf_counter() - started) * 1000.0


def _install_streams():
    # fd 1 and 2 are the engine's log pipe; write through so nothing waits in a buffer.
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)


class _LambdaFormatter(logging.Formatter):
    """Lambda's text log format: `[LEVEL]\\tTIMESTAMP\\tREQUEST_ID\\tmessage`."""

    def format(self, record):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        message = super().format(record).replace("\n", "\r")
        return f"[{record.levelname}]\t{stamp}.{int(record.msecs):03d}Z\t{_request_id}\t{message}"


def _install_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_LambdaFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())
