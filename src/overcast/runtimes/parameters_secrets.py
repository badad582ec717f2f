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

Environments share the host's network, so no environment can own the port: one listener of
the server's serves every environment on it (http/parameters_secrets.py), and tells callers
apart by their token, each answered with its own environment's credentials (its function's
role) and cache. This program, run in the environment, hands the server the environment's
settings when it starts (and asks it to listen on the port they name) and takes them back at
SHUTDOWN. The server's listener calls the services as an SDK would, with what this module
provides: JSON protocol at the endpoint, signed with SigV4 and the environment's credentials.
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

NAME = "AWSParametersAndSecretsLambdaExtension"
LOG_PREFIX = "[AWS Parameters and Secrets Lambda Extension]"
TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"
EXTENSION_API = "2020-01-01/extension"
HOST_PATH = "_overcast/parameters-secrets/environments"  # the server's registration route
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
        self.timeout_ms = {
            "ssm": _number(env, "SSM_PARAMETER_STORE_TIMEOUT_MILLIS", 0, 0),
            "secretsmanager": _number(env, "SECRETS_MANAGER_TIMEOUT_MILLIS", 0, 0),
        }

    @property
    def timeout(self):
        """Each service's timeout in seconds; None for none."""
        return {service: ms / 1000 or None for service, ms in self.timeout_ms.items()}

    def document(self):
        """The settings as the server takes them (registration's body)."""
        return {
            "port": self.port,
            "cacheSize": self.cache_size,
            "maxConnections": self.max_connections,
            "ttl": self.ttl,
            "timeoutMillis": self.timeout_ms,
        }

    @classmethod
    def of_document(cls, document):
        """Settings from a registration's body, each value bounded as from the environment."""
        env = {
            "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": document.get("port"),
            "PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE": document.get("cacheSize"),
            "PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS": document.get("maxConnections"),
        }
        for service, names in (
            ("ssm", ("SSM_PARAMETER_STORE_TTL", "SSM_PARAMETER_STORE_TIMEOUT_MILLIS")),
            ("secretsmanager", ("SECRETS_MANAGER_TTL", "SECRETS_MANAGER_TIMEOUT_MILLIS")),
        ):
            env[names[0]] = (document.get("ttl") or {}).get(service)
            env[names[1]] = (document.get("timeoutMillis") or {}).get(service)
        return cls({name: str(value) for name, value in env.items() if value is not None})


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

    def __init__(self, endpoint, region, credentials, settings):
        self.endpoint = endpoint.rstrip("/") + "/"
        self.region = region
        self.credentials = credentials  # (access key id, secret access key, session token)
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


def respond(path, cache, upstream):
    """(status, JSON body bytes) for one request to the extension's `path` (with its query),
    from `cache` or the service through `upstream`: the caller's own, as its token chose."""
    url = urllib.parse.urlsplit(path)
    route = ROUTES.get(url.path.rstrip("/"))
    if route is None:
        return 404, json.dumps({"message": "not found"}).encode()
    service, build = route
    try:
        payload = build(urllib.parse.parse_qs(url.query))
    except BadRequest as bad:
        return 400, json.dumps({"message": str(bad)}).encode()
    key = (service, json.dumps(payload, sort_keys=True))
    body = cache.get(key)
    if body is not None:
        log("debug", f"Cache hit for {service} request")
        return 200, body
    status, body = upstream.call(service, payload)
    if status == 200:
        cache.put(key, body)
    else:
        log("error", f"{_operation(service)} request encountered an error: {status}")
    return status, body


def _operation(service):
    return Upstream.TARGETS[service].split(".")[1]


# --- the Extensions API -------------------------------------------------------------------


def extensions_api(env, path, body=None, headers=None):
    url = f"http://{env['AWS_LAMBDA_RUNTIME_API']}/{EXTENSION_API}/{path}"
    request = urllib.request.Request(url, body, headers or {}, method="POST" if body else "GET")
    return urllib.request.urlopen(request)


def host(env, method, body=None):
    """Hand the server the environment's settings (POST) or take them back (DELETE), with
    the environment's token; (status, message)."""
    url = (env.get("AWS_ENDPOINT_URL") or "").rstrip("/") + "/" + HOST_PATH
    headers = {TOKEN_HEADER: env.get("AWS_SESSION_TOKEN", ""), "Content-Type": "application/json"}
    request = urllib.request.Request(url, body, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()
    except OSError as exc:
        return None, str(exc)


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
    document = {**settings.document(), "region": env.get("AWS_REGION") or "us-east-1"}
    status, message = host(env, "POST", json.dumps(document).encode())
    if status != 200:
        message = f"listen tcp 127.0.0.1:{settings.port}: {message}"
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
    log("info", f"Serving on port {settings.port}")
    while True:  # only SHUTDOWN is registered: `next` answers once, at the end
        event = json.loads(
            extensions_api(
                env, "event/next", headers={"Lambda-Extension-Identifier": identifier}
            ).read()
        )
        if event.get("eventType") == "SHUTDOWN":
            host(env, "DELETE")
            return 0


if __name__ == "__main__":
    sys.exit(main())
