"""Helpers shared by the whole suite: a real `overcast server` on a free port, zips,
readers of what deployed functions logged, and the platform built in-process for the
resource providers' tests."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import boto3
from botocore.config import Config

from overcast.aws.credentials import Identity
from overcast.aws.root_key import root_identity
from overcast.cli.default_role import execution_role
from overcast.config import Settings
from overcast.factory import Platform, build_platform
from overcast.function import FunctionVersion
from overcast.resource_providers import ResourceRequest
from overcast.types import ProvisionedStatus

READY_DEADLINE_S = 20.0
_DATA_DIRS: dict[str, Path] = {}  # each started server's data dir, by endpoint


@dataclass
class RunningServer:
    endpoint: str
    data_dir: Path
    process: subprocess.Popen

    def stop(self) -> None:
        stop_server(self.process)

    @property
    def credentials(self) -> dict[str, str]:
        """boto3's keyword arguments for the server's root key (its data dir's)."""
        return root_credentials(self.data_dir)

    @property
    def aws_env(self) -> dict[str, str]:
        """The environment variables the AWS CLI signs with the root key by."""
        key = self.credentials
        return {
            "AWS_ACCESS_KEY_ID": key["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": key["aws_secret_access_key"],
        }

    def client(self, service: str = "lambda", region: str = "us-east-1", **config: object):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            config=Config(retries={"max_attempts": 0}, read_timeout=30, **config),
            **self.credentials,
        )


def root_credentials(data_dir: Path) -> dict[str, str]:
    """The root key a server made in `data_dir`, as boto3's keyword arguments."""
    from overcast.aws.root_key import read_root_key

    key = read_root_key(data_dir)
    assert key is not None, f"no root key in {data_dir}"
    return {"aws_access_key_id": key[0], "aws_secret_access_key": key[1]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"overcast server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/_overcast/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # polling a readiness endpoint with a deadline, not a guess
    raise RuntimeError("overcast server did not become ready")


def start_server(data_dir: Path, *extra: str, output: Path | None = None) -> RunningServer:
    """A server on a free port; its stdout and stderr go to `output` when given."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "overcast.cli.main", "server", "--port", str(port)]
    command += ["--data-dir", str(data_dir), *extra]
    if "--tls-port" not in extra:
        command += ["--tls-port", "0"]  # port + 443 may be taken: any free one
    if "--log-level" not in extra:
        command += ["--log-level", "warning"]  # no access log lines in the test run's output
    if "--master-key-file" not in extra:
        # KMS's master key (Lambda's environment variables are encrypted with KMS keys): one
        # per data dir, beside it, never the user's ~/.config/overcast/master.key.
        command += ["--master-key-file", str(data_dir.parent / f"{data_dir.name}.master.key")]
    with open(output or os.devnull, "ab") as sink:
        redirect = sink if output is not None else None
        process = subprocess.Popen(
            command, start_new_session=True, stdout=redirect, stderr=redirect, env=server_env()
        )
    try:
        wait_until_ready(endpoint, process)
    except Exception:
        stop_server(process)
        raise
    _DATA_DIRS[endpoint] = data_dir
    running = RunningServer(endpoint, data_dir, process)
    try:
        create_lambda_role(running)
    except Exception:
        stop_server(process)
        raise
    return running


def server_env() -> dict[str, str]:
    """The environment of the servers the suite starts: this one, but that they may write
    bytecode (into `__pycache__`, which .gitignore lists).

    The suite starts about a hundred servers. Where PYTHONDONTWRITEBYTECODE is set, as on
    these machines, each would compile Overcast's ~430 modules again: ~0.35 s of every start.
    Function environments are not concerned: their interpreters run with -I (zygote.py).
    """
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    """Every file under `folder` whose bytes hold `needle` (which has no zero byte).

    Only the parts of a file that hold data are read: a server's data dir keeps sparse disk
    images of half a gigabyte for environments' /tmp, almost all hole. A hole reads as zeros,
    so it can hold no part of `needle`, and a match cannot span one.
    """
    assert needle and 0 not in needle
    return [path for path in sorted(folder.rglob("*")) if path.is_file() and _holds(path, needle)]


def _holds(path: Path, needle: bytes) -> bool:
    with open(path, "rb") as file:
        for start, end in _data_extents(file.fileno()):
            file.seek(start)
            if needle in file.read(end - start):
                return True
    return False


def _data_extents(fd: int):
    """(start, end) of each stretch of `fd` that holds data, between its holes."""
    size, offset = os.fstat(fd).st_size, 0
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError:  # ENXIO: only a hole is left
            return
        offset = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, offset


def make_zip(files: dict[str, str | bytes], executable: set[str] = frozenset()) -> bytes:
    """A deployment package built in memory from {path: source}; `executable` paths get 0755."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(path)
            info.external_attr = (0o100755 if path in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


@dataclass
class RecordingRetirer:
    """Stands in for the engine where the control plane retires environments."""

    retired: list[str] = field(default_factory=list)

    def retire(self, function_arn: str) -> None:
        self.retired.append(function_arn)


@dataclass
class RecordingCapacity:
    """Stands in for the engine's `types.Capacity`: records what the control plane asks.

    A provisioned config reports READY with every environment allocated and idle, unless a
    test scripts another answer in `statuses`.
    """

    calls: list[tuple] = field(default_factory=list)
    provisioned: dict[str, tuple[FunctionVersion, int]] = field(default_factory=dict)
    snapshots: list[FunctionVersion] = field(default_factory=list)
    statuses: dict[str, ProvisionedStatus] = field(default_factory=dict)

    def provision(self, key: str, function: FunctionVersion, count: int) -> None:
        self.calls.append(("provision", key, function.version, count))
        self.provisioned[key] = (function, count)

    def unprovision(self, key: str) -> None:
        self.calls.append(("unprovision", key))
        self.provisioned.pop(key, None)

    def provisioned_status(self, key: str) -> ProvisionedStatus | None:
        if key in self.statuses:
            return self.statuses[key]
        if key not in self.provisioned:
            return None
        count = self.provisioned[key][1]
        return ProvisionedStatus(count, count, count, "READY")

    def prepare_snapshot(self, function: FunctionVersion, done) -> None:
        self.calls.append(("prepare_snapshot", function.version))
        done(None)  # as the engine does once the template is ready
        self.snapshots.append(function)


def package(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    """A deployment package with one `app.py`."""
    return make_zip({"app.py": source})


LAMBDA_ROLE = "arn:aws:iam::000000000000:role/lambda"
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"


def create_lambda_role(server: RunningServer) -> None:
    """Make LAMBDA_ROLE, the role the suite's functions run as, in the server's IAM.

    On AWS a function runs as a role that exists, that Lambda may assume, and whose policies
    allow each call its code makes. Like the admin role of a developer's sandbox account, this
    one allows everything, so a test about something else need not spell out permissions;
    the tests about permissions make their own narrow roles (tests/services/iam). A data dir
    started again already has it.
    """
    execution_role(server.client("iam"), "lambda", ADMINISTRATOR)


def deploy(client, name: str, source: str, **config) -> None:
    """Create a python3.12 function whose `app.py` is `source` (or whose files are `ZipFiles`),
    running as LAMBDA_ROLE unless `Role` is given, and wait until it is Active."""
    files = config.pop("ZipFiles", None) or {"app.py": source}
    client.create_function(
        FunctionName=name,
        Runtime=config.pop("Runtime", "python3.12"),
        Role=config.pop("Role", LAMBDA_ROLE),
        Handler=config.pop("Handler", "app.handler"),
        Code={"ZipFile": make_zip(files)},
        **config,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def allow(
    client,
    function: str,
    principal: str,
    source_arn: str | None = None,
    *,
    qualifier: str | None = None,
    statement_id: str | None = None,
) -> dict:
    """Let a service invoke `function`, as SAM, the Serverless Framework and the console do
    when they wire a trigger: `lambda:InvokeFunction` for `principal` (`s3.amazonaws.com`),
    bounded by `source_arn` (the bucket's, topic's, rule's or route's ARN). The statement."""
    params: dict = {
        "FunctionName": function,
        "StatementId": statement_id or f"{principal.split('.')[0]}-{time.monotonic_ns()}",
        "Action": "lambda:InvokeFunction",
        "Principal": principal,
    }
    if source_arn is not None:
        params["SourceArn"] = source_arn
    if qualifier is not None:
        params["Qualifier"] = qualifier
    return json.loads(client.add_permission(**params)["Statement"])


@dataclass
class StubPermissions:
    """`types.InvokePermissions` for in-process tests: every caller may invoke, but the
    targets in `refused`; what was asked is kept in `asked`."""

    refused: list = field(default_factory=list)
    asked: list = field(default_factory=list)

    def refusal(self, target, caller) -> str | None:
        self.asked.append((target, caller))
        return f"{caller.service} may not invoke {target}" if target in self.refused else None


# A function that logs each event it gets as `RECORD <json>`, read back with `records`.
RECORDER = """
import json

def handler(event, context):
    print("RECORD " + json.dumps(event))
"""


def wait_for(check: Callable[[], object], timeout: float = 30.0) -> object:
    """Poll `check` until it answers something truthy, and answer that; fail at the deadline.
    For outcomes of background work (retries, deliveries), which give no signal to wait on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)  # polling an observable outcome, with a deadline
    raise AssertionError("condition not met in time")


def log_messages(server: RunningServer, name: str) -> list[str]:
    """Every line function `name` logged so far (none before its log group exists)."""
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [event["message"] for event in events]


def records(server: RunningServer, name: str) -> list[dict]:
    """The events a RECORDER function deployed as `name` got, in the order it logged them."""
    return [
        json.loads(message.split("RECORD ", 1)[1])
        for message in log_messages(server, name)
        if message.startswith("RECORD ")
    ]


def queue_counts(server: RunningServer) -> dict[str, dict[str, int]]:
    """The asynchronous queue's counts per function ("region:name"), as `overcast queue stats`
    shows them: queued, retrying, running, failed, dropped."""
    with urllib.request.urlopen(f"{server.endpoint}/_overcast/queue", timeout=10) as answer:
        return json.load(answer)


def queue_idle(server: RunningServer, function_name: str | None = None) -> bool:
    """No asynchronous event waits or runs (for `function_name`, or for any function)."""
    return not any(
        counts["queued"] or counts["retrying"] or counts["running"]
        for key, counts in queue_counts(server).items()
        if function_name is None or key.endswith(f":{function_name}")
    )


def failed_for_good(server: RunningServer, function_name: str) -> int:
    """How many asynchronous events of `function_name` failed for good (a loop stopped,
    retries exhausted, too old), counted once the queue has decided."""
    stats = queue_counts(server)
    return sum(c["failed"] for key, c in stats.items() if key.endswith(f":{function_name}"))


def wait_logs_written(server: RunningServer, marker: str) -> None:
    """Wait until every log line the server recorded so far can be read back.

    The server writes log lines in batches, each batch all that it held, in the order they
    came (observe/log_buffer.py). So once a synchronous invocation of `marker` (any deployed
    function) shows its REPORT line, every line recorded before that invocation shows too:
    what the test reads next is complete, not a batch still on its way.
    """
    answer = server.client("lambda").invoke(FunctionName=marker, Payload=b"{}")
    report = f"REPORT RequestId: {answer['ResponseMetadata']['RequestId']}"
    wait_for(lambda: any(m.startswith(report) for m in log_messages(server, marker)))


def http_call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None
) -> tuple[int, Message, bytes]:
    """A plain HTTP request (no SDK): (status, headers, body), whatever the status."""
    request = urllib.request.Request(url, data=body, method=method)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def make_public(s3, bucket: str) -> None:
    """What AWS needs before anyone may read `bucket` unsigned: its Block Public Access
    settings (on for every new bucket) removed, then a policy granting `*` s3:GetObject on its
    objects, and s3:ListBucket, without which S3 answers a missing key with 403, not 404."""
    s3.delete_public_access_block(Bucket=bucket)
    statements = [
        {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
        for action, resource in (
            ("s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
            ("s3:ListBucket", f"arn:aws:s3:::{bucket}"),
        )
    ]
    policy = {"Version": "2012-10-17", "Statement": statements}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def error_of(caught) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a boto3 ClientError caught by pytest.raises."""
    error = caught.value.response["Error"]
    status = caught.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error["Code"], error.get("Message", ""), status


def signed_headers(
    data_dir: Path,
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict | None = None,
    service: str = "s3",
    region: str = "us-east-1",
) -> dict[str, str]:
    """`headers` with a SigV4 signature by the root key of `data_dir`'s server, as botocore
    signs (S3: with x-amz-content-sha256, the one given if any: a streaming body's)."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = root_credentials(data_dir)
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    given = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
    sent_hash = next((v for k, v in given.items() if k.lower() == "x-amz-content-sha256"), None)

    class Signer(S3SigV4Auth if service == "s3" else SigV4Auth):
        def payload(self, request):
            return sent_hash or super().payload(request)

    request = AWSRequest(method=method, url=url, data=body or b"", headers=given)
    Signer(credentials, service, region).add_auth(request)
    return dict(request.headers.items())


def signed(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    service: str = "s3",
) -> dict[str, str]:
    """`headers` signed by the root key of the test server `url` names (see start_server)."""
    parts = urllib.parse.urlsplit(url)
    data_dir = _DATA_DIRS[f"{parts.scheme}://{parts.netloc}"]
    return signed_headers(data_dir, method, url, body, headers, service)


def allow_service(client, resource: str, principal: str, source_arn: str) -> None:
    """Let a service deliver to a queue or topic, as a user must on AWS (the console, SAM and
    `sns subscribe` in the console add it themselves): a statement in the queue's policy
    (`client` an SQS client, `resource` the queue's URL) allowing `sqs:SendMessage`, or in
    the topic's (an SNS client, the topic's ARN) allowing `sns:Publish`, to `principal`
    (`sns.amazonaws.com`, `events.amazonaws.com`, `s3.amazonaws.com`) for `source_arn` (the
    topic's, rule's or bucket's ARN). Statements already there are kept."""
    if client.meta.service_model.service_name == "sqs":
        attributes = client.get_queue_attributes(
            QueueUrl=resource, AttributeNames=["QueueArn", "Policy"]
        )["Attributes"]
        arn, action = attributes["QueueArn"], "sqs:SendMessage"
        text = attributes.get("Policy")
    else:
        attributes = client.get_topic_attributes(TopicArn=resource)["Attributes"]
        arn, action, text = resource, "sns:Publish", attributes.get("Policy")
    policy = json.loads(text) if text else {"Version": "2012-10-17", "Statement": []}
    policy["Statement"].append(
        {
            "Sid": f"{principal.split('.')[0]}-{time.monotonic_ns()}",
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": action,
            "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
        }
    )
    if client.meta.service_model.service_name == "sqs":
        client.set_queue_attributes(QueueUrl=resource, Attributes={"Policy": json.dumps(policy)})
    else:
        client.set_topic_attributes(
            TopicArn=resource, AttributeName="Policy", AttributeValue=json.dumps(policy)
        )


def allow_public_url(client, function: str, qualifier: str | None = None) -> None:
    """What a function URL with AuthType NONE needs before it answers anyone, as the Lambda
    console adds it with the URL: the function's (or alias's) policy grants everyone
    `lambda:InvokeFunctionUrl` for NONE URLs and, since October 2025, `lambda:InvokeFunction`
    through a function URL ("Control access to Lambda function URLs")."""
    where = {"FunctionName": function, "Principal": "*"}
    if qualifier is not None:
        where["Qualifier"] = qualifier
    client.add_permission(
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        FunctionUrlAuthType="NONE",
        **where,
    )
    client.add_permission(
        StatementId="FunctionURLAllowInvokeAction",
        Action="lambda:InvokeFunction",
        InvokedViaFunctionUrl=True,
        **where,
    )


def user_client(server: RunningServer, service: str, *statements: dict):
    """A client of `service` signing as a new IAM user whose inline policy has `statements`,
    and the user's ARN."""
    iam = server.client("iam")
    name = f"user-{os.urandom(6).hex()}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    client = boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(retries={"max_attempts": 0}),
    )
    return client, arn


def aws_chunked(signing_key: bytes, amz_date: str, scope: str, seed: str, chunks: list) -> bytes:
    """`chunks` framed as an aws-chunked body, each (and the final empty one) signed as SigV4's
    streaming payloads chain them ("Signature calculations for the Authorization header:
    transferring payload in multiple chunks", S3 API Reference): over the previous chunk's
    signature (the request's own, `seed`, for the first) and the chunk's SHA-256."""
    import hashlib
    import hmac

    out, previous = b"", seed
    for data in [*chunks, b""]:
        text = "\n".join(
            (
                "AWS4-HMAC-SHA256-PAYLOAD",
                amz_date,
                scope,
                previous,
                hashlib.sha256(b"").hexdigest(),
                hashlib.sha256(data).hexdigest(),
            )
        )
        previous = hmac.new(signing_key, text.encode(), hashlib.sha256).hexdigest()
        out += f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n"
    return out


def presigned_url(
    url: str,
    access_key_id: str,
    secret_access_key: str,
    service: str = "execute-api",
    region: str = "us-east-1",
    expires: int = 300,
) -> str:
    """`url` presigned with SigV4 in its query string, as botocore presigns (and as clients
    sign a WebSocket URL)."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="GET", url=url)
    credentials = Credentials(access_key_id, secret_access_key)
    SigV4QueryAuth(credentials, service, region, expires=expires).add_auth(request)
    return request.url


def make_wheel(folder: Path, name: str, version: str, source: str) -> Path:
    """A pure-Python wheel of one module, `name/__init__.py` (what `pip wheel` makes)."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": source,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [
        f"{path},sha256={_digest(text.encode())},{len(text.encode())}"
        for path, text in files.items()
    ]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# The stack the resource providers' in-process tests act for.
STACK_ACCOUNT = "000000000000"
STACK_REGION = "us-east-1"
STACK_NAME = "demo"
STACK_ID = f"arn:aws:cloudformation:{STACK_REGION}:{STACK_ACCOUNT}:stack/{STACK_NAME}/1"
STACK_ROOT = root_identity(STACK_ACCOUNT)  # whom in-process calls of the tests act as


@contextmanager
def in_process_platform(data_dir: Path) -> Iterator[Platform]:
    """The whole platform built (not served) on `data_dir`, as the CloudFormation engine's
    resource providers run in it; its services and store closed after."""
    built = build_platform(Settings(data_dir=data_dir, isolation=False, log_level="warning"))
    try:
        yield built
    finally:
        for service in reversed(built.services):
            service.close()
        built.store.close()


def resource_request(
    logical_id: str,
    type_name: str,
    properties: dict,
    *,
    previous: dict | None = None,
    physical_id: str | None = None,
    caller: Identity | None = None,
) -> ResourceRequest:
    """A request of the engine's to a resource provider, for STACK_NAME, as `caller` (the
    account's root if not named)."""
    return ResourceRequest(
        logical_id, type_name, properties, previous, physical_id, STACK_NAME, STACK_ID,
        STACK_REGION, STACK_ACCOUNT, caller or STACK_ROOT,
    )  # fmt: skip
