"""Overcast's AWS Parameters and Secrets Lambda Extension: an external extension that serves
Parameter Store parameters and Secrets Manager secrets to its function on localhost, cached.

Lambda supplies this file as /opt/extensions/AWSParametersAndSecretsLambdaExtension when a
function names one of AWS's layer ARNs for the extension (services/lambda_/control/
aws_layers.py), behind two lines that make the shell run it on the environment's `python3`
(Python functions: their own interpreter; Node.js functions: the host's). So it stays standard
library only and runs on every Python from 3.9 on; `-S` skips site-packages (and their
start-up cost), so it never needs boto3.

The interface, as AWS documents it (Systems Manager user guide, "Using Parameter Store
parameters in AWS Lambda functions"; Secrets Manager user guide, "Use AWS Secrets Manager
secrets in AWS Lambda functions"):
- HTTP on localhost:PARAMETERS_SECRETS_EXTENSION_HTTP_PORT (2773);
- GET /systemsmanager/parameters/get?name=N[&version=V|&label=L][&withDecryption=true]
  answers GetParameter's JSON; GET /secretsmanager/get?secretId=S[&versionId=V]
  [&versionStage=L] answers GetSecretValue's JSON;
- every request carries X-Aws-Parameters-Secrets-Token equal to the environment's
  AWS_SESSION_TOKEN;
- values are cached for SSM_PARAMETER_STORE_TTL / SECRETS_MANAGER_TTL seconds (default 300,
  at most 300, 0 disables), up to PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE (1000) entries,
  unless PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED is false; at most
  PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS (3) calls to the services at once, each with
  SSM_PARAMETER_STORE_TIMEOUT_MILLIS / SECRETS_MANAGER_TIMEOUT_MILLIS (0: none).

The services are called as an SDK would: JSON protocol at AWS_ENDPOINT_URL (Overcast), signed
with SigV4 and the environment's credentials (the function's role).
"""

import datetime
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = "AWSParametersAndSecretsLambdaExtension"
LOG_PREFIX = "[AWS Parameters and Secrets Lambda Extension]"
TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"
EXTENSION_API = "2020-01-01/extension"
MAX_TTL_S = 300
MAX_CACHE_SIZE = 1000
LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40, "none": 100}


class Settings:
    """The extension's environment variables, with AWS's defaults and bounds."""

    def __init__(self, env):
        self.log_level = LEVELS.get(env.get("PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL", "").lower())
        if self.log_level is None:
            self.log_level = LEVELS["info"]
        self.port = _number(env, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", 2773, 1, 65535)
        enabled = env.get("PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "true").lower()
        self.cache_size = _number(
            env, "PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE", MAX_CACHE_SIZE, 0, MAX_CACHE_SIZE
        )
        if enabled == "false":
            self.cache_size = 0
        self.max_connections = _number(env, "PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS", 3, 1)
        self.ttl = {
            "ssm": _number(env, "SSM_PARAMETER_STORE_TTL", MAX_TTL_S, 0, MAX_TTL_S),
            "secretsmanager": _number(env, "SECRETS_MANAGER_TTL", MAX_TTL_S, 0, MAX_TTL_S),
        }
        self.timeout = {
            "ssm": _number(env, "SSM_PARAMETER_STORE_TIMEOUT_MILLIS", 0, 0) / 1000 or None,
            "secretsmanager": _number(env, "SECRETS_MANAGER_TIMEOUT_MILLIS", 0, 0) / 1000 or None,
        }


def _number(env, name, default, low, high=None):
    """An integer setting; out of range or not a number: the default, with a warning."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        log("warn", f"{name} is invalid: {raw!r}. Using the default: {default}.")
        return default
    return value


_level = LEVELS["info"]


def log(level, message):
    """A line in the function's log, as the extension writes them:
    `[AWS Parameters and Secrets Lambda Extension] 2023/09/28 17:56:28 INFO message`."""
    if LEVELS[level] >= _level:
        stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime())
        sys.stdout.write(f"{LOG_PREFIX} {stamp} {level.upper()} {message}\n")
        sys.stdout.flush()


# --- SigV4 --------------------------------------------------------------------------------


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign(method, url, headers, body, credentials, region, service, now):
    """Add SigV4's X-Amz-Date, X-Amz-Security-Token and Authorization to `headers` (a dict of
    lower-case names), for a request to `url` with no query string, as botocore signs it."""
    access_key, secret_key, token = credentials
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    headers["host"] = urllib.parse.urlsplit(url).netloc
    headers["x-amz-date"] = stamp
    if token:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    canonical = "\n".join(
        [
            method,
            urllib.parse.quote(urllib.parse.urlsplit(url).path or "/", safe="/~"),
            "",
            "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"AWS4{secret_key}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return headers


# --- the services -------------------------------------------------------------------------


class Upstream:
    """Calls GetParameter and GetSecretValue on the endpoint, at most `max_connections` at a
    time. Answers (status, JSON body bytes): the service's own answer, errors included."""

    TARGETS = {
        "ssm": "AmazonSSM.GetParameter",
        "secretsmanager": "secretsmanager.GetSecretValue",
    }

    def __init__(self, env, settings):
        self.endpoint = (env.get("AWS_ENDPOINT_URL") or "").rstrip("/") + "/"
        self.region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.credentials = (
            env.get("AWS_ACCESS_KEY_ID", ""),
            env.get("AWS_SECRET_ACCESS_KEY", ""),
            env.get("AWS_SESSION_TOKEN", ""),
        )
        self.timeout = settings.timeout
        self.slots = threading.BoundedSemaphore(settings.max_connections)

    def call(self, service, payload):
        body = json.dumps(payload).encode()
        headers = {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": self.TARGETS[service],
        }
        now = datetime.datetime.now(datetime.timezone.utc)
        sign("POST", self.endpoint, headers, body, self.credentials, self.region, service, now)
        request = urllib.request.Request(self.endpoint, body, headers, method="POST")
        with self.slots:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout[service]) as answer:
                    return answer.status, answer.read()
            except urllib.error.HTTPError as refused:
                return refused.code, refused.read()


class Cache:
    """Answers by request, each kept for its service's TTL; the least recently used goes
    first once `size` are kept. Size 0 or TTL 0: nothing is kept."""

    def __init__(self, size, ttl):
        self.size = size
        self.ttl = ttl
        self.entries = OrderedDict()  # key -> (expires, body)
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key, body):
        ttl = self.ttl[key[0]]
        if self.size == 0 or ttl == 0:
            return
        with self.lock:
            self.entries[key] = (time.monotonic() + ttl, body)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class BadRequest(Exception):
    """Raised when a request to the extension misses a parameter or mixes exclusive ones."""


def parameter_request(query):
    """GetParameter's input from /systemsmanager/parameters/get's query string: a version or
    a label selects through GetParameter's `name:version` / `name:label` form."""
    name = _one(query, "name")
    version, label = query.get("version"), query.get("label")
    if version and label:
        raise BadRequest("version and label cannot both be set")
    selector = (version or label or [""])[0]
    decrypt = (query.get("withDecryption") or ["false"])[0].lower() == "true"
    return {"Name": f"{name}:{selector}" if selector else name, "WithDecryption": decrypt}


def secret_request(query):
    """GetSecretValue's input from /secretsmanager/get's query string."""
    payload = {"SecretId": _one(query, "secretId")}
    for field, key in (("versionId", "VersionId"), ("versionStage", "VersionStage")):
        if query.get(field):
            payload[key] = query[field][0]
    return payload


def _one(query, field):
    values = query.get(field)
    if not values or not values[0]:
        raise BadRequest(f"missing required query parameter: {field}")
    return values[0]


ROUTES = {
    "/systemsmanager/parameters/get": ("ssm", parameter_request),
    "/secretsmanager/get": ("secretsmanager", secret_request),
}


class Handler(BaseHTTPRequestHandler):
    """One request from the function: checked, then answered from the cache or the service."""

    server_version = "AWSParametersAndSecretsLambdaExtension"

    def do_GET(self):  # noqa: N802 (http.server's name)
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        route = ROUTES.get(url.path.rstrip("/"))
        if route is None:
            return self._answer(404, {"message": "not found"})
        # The token proves the caller runs in this environment (it is the environment's
        # session token), so nothing else that reaches the port can read through it.
        given = self.headers.get(TOKEN_HEADER)
        if given is None or not hmac.compare_digest(given.encode(), state.token.encode()):
            log("error", f"{TOKEN_HEADER} header is missing or invalid")
            return self._answer(401, {"message": "Unauthorized"})
        service, build = route
        try:
            payload = build(urllib.parse.parse_qs(url.query))
        except BadRequest as bad:
            return self._answer(400, {"message": str(bad)})
        key = (service, json.dumps(payload, sort_keys=True))
        body = state.cache.get(key)
        if body is not None:
            log("debug", f"Cache hit for {service} request")
            return self._send(200, body)
        status, body = state.upstream.call(service, payload)
        if status == 200:
            state.cache.put(key, body)
        else:
            log("error", f"{_operation(service)} request encountered an error: {status}")
        return self._send(status, body)

    def _answer(self, status, document):
        self._send(status, json.dumps(document).encode())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        log("debug", format % args)


def _operation(service):
    return Upstream.TARGETS[service].split(".")[1]


class State:
    def __init__(self, env, settings):
        self.token = env.get("AWS_SESSION_TOKEN", "")
        self.cache = Cache(settings.cache_size, settings.ttl)
        self.upstream = Upstream(env, settings)


# --- the Extensions API -------------------------------------------------------------------


def extensions_api(env, path, body=None, headers=None):
    url = f"http://{env['AWS_LAMBDA_RUNTIME_API']}/{EXTENSION_API}/{path}"
    request = urllib.request.Request(url, body, headers or {}, method="POST" if body else "GET")
    return urllib.request.urlopen(request)


def main():
    global _level
    env = dict(os.environ)
    settings = Settings(env)
    _level = settings.log_level
    registered = extensions_api(
        env,
        "register",
        json.dumps({"events": ["SHUTDOWN"]}).encode(),
        {"Lambda-Extension-Name": NAME},
    )
    identifier = registered.headers["Lambda-Extension-Identifier"]
    try:
        server = ThreadingHTTPServer(("127.0.0.1", settings.port), Handler)
    except OSError as exc:
        message = f"listen tcp 127.0.0.1:{settings.port}: {exc.strerror}"
        log("error", message)
        extensions_api(
            env,
            "init/error",
            json.dumps({"errorMessage": message, "errorType": "Extension.Crash"}).encode(),
            {
                "Lambda-Extension-Identifier": identifier,
                "Lambda-Extension-Function-Error-Type": "Extension.Crash",
            },
        )
        return 1
    server.daemon_threads = True
    server.state = State(env, settings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log("info", f"Serving on port {settings.port}")
    while True:  # only SHUTDOWN is registered: `next` answers once, at the end
        event = json.loads(
            extensions_api(
                env, "event/next", headers={"Lambda-Extension-Identifier": identifier}
            ).read()
        )
        if event.get("eventType") == "SHUTDOWN":
            return 0


if __name__ == "__main__":
    sys.exit(main())
