"""AWS's Parameters and Secrets Lambda Extension, supplied by Overcast for AWS's layer ARNs: a
function reads parameters and secrets from localhost:2773 with its session token, cached."""

from __future__ import annotations

import datetime
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from overcast.runtimes import parameters_secrets
from overcast.services.lambda_.control.aws_layers import is_parameters_and_secrets
from overcast.services.lambda_.model.layer import parse_layer_version_arn
from packages import InstallFailed, install, package_with, runtime_interpreter
from support import deploy, free_port

LAYER = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"

# The handler asks the extension for event["path"], with the environment's session token
# (event["token"] "env"), a wrong one ("wrong"), the one given (event["token_value"]) or none,
# and answers the status and body; event["leak"]: it answers its own token instead.
READER = """
import json, os, urllib.error, urllib.request

def handler(event, context):
    if event.get("leak"):
        return {"token": os.environ["AWS_SESSION_TOKEN"]}
    port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    request = urllib.request.Request(f"http://localhost:{port}{event['path']}")
    if event.get("token_value"):
        request.add_header("X-Aws-Parameters-Secrets-Token", event["token_value"])
    elif event.get("token") == "env":
        token = os.environ.get("AWS_SESSION_TOKEN", "")
        request.add_header("X-Aws-Parameters-Secrets-Token", token)
    elif event.get("token") == "wrong":
        request.add_header("X-Aws-Parameters-Secrets-Token", "not-the-token")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return {"status": answer.status, "body": json.loads(answer.read())}
    except urllib.error.HTTPError as refused:
        return {"status": refused.code, "body": refused.read().decode()}
    except urllib.error.URLError as exc:
        return {"status": None, "error": type(exc.reason).__name__}
"""

NODE_READER = """
exports.handler = async (event) => {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  const answer = await fetch(`http://localhost:${port}${event.path}`, {
    headers: {"X-Aws-Parameters-Secrets-Token": process.env.AWS_SESSION_TOKEN || ""},
  });
  return {status: answer.status, body: await answer.json()};
};
"""


def invoke(client, name: str, event: dict) -> dict:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return payload


def test_signature_is_botocores() -> None:
    body = b'{"Name": "/a", "WithDecryption": true}'
    url = "http://127.0.0.1:4566/"
    headers = {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.X"}
    request = AWSRequest("POST", url, data=body, headers=dict(headers))
    SigV4Auth(Credentials("AKID", "SECRET", "TOKEN"), "ssm", "eu-west-1").add_auth(request)
    # botocore signs at its own clock: sign at the time it wrote down.
    now = datetime.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    ours = parameters_secrets.sign(
        "POST", url, dict(headers), body, ("AKID", "SECRET", "TOKEN"), "eu-west-1", "ssm", now
    )
    assert ours["authorization"] == request.headers["Authorization"]


@pytest.mark.parametrize(
    ("arn", "ours"),
    [
        (LAYER, True),
        (LAYER.replace("Extension:11", "Extension-Arm64:4"), True),
        (
            "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:2",
            True,
        ),
        # Another account, or AWS's account of another region: not AWS's layer.
        (LAYER.replace("177933569100", "123456789012"), False),
        (LAYER.replace("us-east-1", "eu-west-1"), False),
        (LAYER.replace("Secrets-Lambda-Extension", "Secrets-Lambda-Extensions"), False),
    ],
)
def test_only_aws_layer_arns_are_the_extension(arn: str, ours: bool) -> None:
    assert is_parameters_and_secrets(parse_layer_version_arn(arn)) is ours


def test_another_accounts_layer_is_still_unknown(lambda_client, function_name) -> None:
    arn = LAYER.replace("177933569100", "123456789012")
    with pytest.raises(ClientError) as caught:
        deploy(lambda_client, function_name, READER, Layers=[arn])
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == f"Layer version {arn} does not exist."


def test_python_function_reads_parameters_and_secrets(server, lambda_client, function_name):
    ssm, secrets = server.client("ssm"), server.client("secretsmanager")
    root = f"/pse{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{root}/plain", Value="one", Type="String")
    ssm.put_parameter(Name=f"{root}/secure", Value="s3cret", Type="SecureString")
    secret = secrets.create_secret(Name=f"pse-{uuid.uuid4().hex[:8]}", SecretString="hush")

    # Without the layer nothing serves the function on 2773 (the server's listener refuses
    # a token no extension registered).
    deploy(lambda_client, f"{function_name}-bare", READER)
    path = "/secretsmanager/get?secretId=x"
    bare = invoke(lambda_client, f"{function_name}-bare", {"path": path, "token": "env"})
    assert bare["status"] == 401

    deploy(lambda_client, function_name, READER, Layers=[LAYER], Timeout=30)
    try:
        plain = invoke(
            lambda_client,
            function_name,
            {"path": f"/systemsmanager/parameters/get?name={root}/plain", "token": "env"},
        )
        assert plain["status"] == 200
        assert plain["body"]["Parameter"]["Value"] == "one"
        assert plain["body"]["Parameter"]["Type"] == "String"
        expected = ssm.get_parameter(Name=f"{root}/plain")["Parameter"]
        assert set(plain["body"]["Parameter"]) == set(expected)  # GetParameter's JSON
        assert plain["body"]["Parameter"]["ARN"] == expected["ARN"]

        path = f"/systemsmanager/parameters/get?name={root}/secure&withDecryption=true"
        secure = invoke(lambda_client, function_name, {"path": path, "token": "env"})
        assert secure["status"] == 200
        assert secure["body"]["Parameter"]["Value"] == "s3cret"
        path = f"/systemsmanager/parameters/get?name={root}/secure"
        sealed = invoke(lambda_client, function_name, {"path": path, "token": "env"})
        assert sealed["body"]["Parameter"]["Value"] != "s3cret"

        path = f"/secretsmanager/get?secretId={secret['ARN']}"
        got = invoke(lambda_client, function_name, {"path": path, "token": "env"})
        assert got["status"] == 200
        assert got["body"]["SecretString"] == "hush"
        assert got["body"]["ARN"] == secret["ARN"]
        assert got["body"]["VersionStages"] == ["AWSCURRENT"]

        # The token is the environment's session token: none, or another, is refused.
        for token in (None, "wrong"):
            refused = invoke(lambda_client, function_name, {"path": path, "token": token})
            assert refused["status"] == 401

        # Within the TTL (300 s by default) the cache answers, not the service.
        ssm.put_parameter(Name=f"{root}/plain", Value="two", Type="String", Overwrite=True)
        path = f"/systemsmanager/parameters/get?name={root}/plain"
        again = invoke(lambda_client, function_name, {"path": path, "token": "env"})
        assert again["body"]["Parameter"]["Value"] == "one"
        # A version is another request: the service answers it.
        latest = invoke(lambda_client, function_name, {"path": f"{path}&version=2", "token": "env"})
        assert latest["body"]["Parameter"]["Value"] == "two"

        missing = invoke(
            lambda_client,
            function_name,
            {"path": f"/systemsmanager/parameters/get?name={root}/nope", "token": "env"},
        )
        assert missing["status"] == 400
        assert json.loads(missing["body"])["__type"].endswith("ParameterNotFound")
    finally:
        lambda_client.delete_function(FunctionName=function_name)
        lambda_client.delete_function(FunctionName=f"{function_name}-bare")


def test_node_function_gets_the_same_extension(server, lambda_client, function_name) -> None:
    ssm = server.client("ssm")
    name = f"/pse{uuid.uuid4().hex[:8]}/node"
    ssm.put_parameter(Name=name, Value="from-node", Type="String")
    port = str(free_port())  # the port setting, and no clash with the Python test's 2773
    deploy(
        lambda_client,
        function_name,
        "",
        ZipFiles={"index.js": NODE_READER},
        Runtime="nodejs20.x",
        Handler="index.handler",
        Layers=[LAYER.replace("Extension:11", "Extension-Arm64:11")],
        Environment={"Variables": {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": port}},
        Timeout=30,
    )
    try:
        answer = invoke(
            lambda_client, function_name, {"path": f"/systemsmanager/parameters/get?name={name}"}
        )
        assert answer["status"] == 200
        assert answer["body"]["Parameter"]["Value"] == "from-node"
    finally:
        lambda_client.delete_function(FunctionName=function_name)


POWERTOOLS_APP = """
from aws_lambda_powertools.utilities import parameters

def handler(event, context):
    return {
        "parameter": parameters.get_parameter(event["parameter"], decrypt=True),
        "secret": parameters.get_secret(event["secret"]),
    }
"""


def test_powertools_parameters_inside_a_function(server, lambda_client, function_name, tmp_path):
    """Powertools' parameters utility (boto3 at AWS_ENDPOINT_URL) in a function, from a layer
    with aws-lambda-powertools pip-installed under python/, as Lambda's docs build one."""
    site = tmp_path / "python"
    try:
        install(["aws-lambda-powertools"], site, runtime_interpreter("python3.12"))
    except InstallFailed as exc:
        pytest.skip(f"could not install aws-lambda-powertools from PyPI: {exc}")
    content = package_with(tmp_path, {})
    layer = lambda_client.publish_layer_version(
        LayerName=function_name, Content={"ZipFile": content}
    )
    name = f"/pse{uuid.uuid4().hex[:8]}/powertools"
    server.client("ssm").put_parameter(Name=name, Value="pt-value", Type="SecureString")
    secret = server.client("secretsmanager").create_secret(
        Name=f"pse-{uuid.uuid4().hex[:8]}", SecretString="pt-secret"
    )
    deploy(lambda_client, function_name, POWERTOOLS_APP, Layers=[layer["LayerVersionArn"]])
    answer = invoke(lambda_client, function_name, {"parameter": name, "secret": secret["Name"]})
    assert answer == {"parameter": "pt-value", "secret": "pt-secret"}
    lambda_client.delete_function(FunctionName=function_name)


def test_concurrent_environments_each_read_as_their_role(
    server, lambda_client, function_name
) -> None:
    """Environments share the host's network, so one listener serves 2773 for all of them: two
    functions' environments, alive at once, each read with their own role (one may read the
    parameter, one may not), and neither's init fails for the port."""
    from overcast.cli.default_role import execution_role

    iam = server.client("iam")
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    refused_role = execution_role(iam, f"pse-basic-{uuid.uuid4().hex[:8]}", basic)
    name = f"/pse{uuid.uuid4().hex[:8]}/shared"
    server.client("ssm").put_parameter(Name=name, Value="for-one", Type="String")
    allowed, refused = f"{function_name}-allowed", f"{function_name}-refused"
    deploy(lambda_client, allowed, READER, Layers=[LAYER], Timeout=30)
    deploy(lambda_client, refused, READER, Layers=[LAYER], Timeout=30, Role=refused_role)
    event = {"path": f"/systemsmanager/parameters/get?name={name}", "token": "env"}
    try:
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(lambda f: invoke(lambda_client, f, event), [allowed, refused])
        assert first["status"] == 200
        assert first["body"]["Parameter"]["Value"] == "for-one"
        assert second["status"] == 400
        error = json.loads(second["body"])
        assert error["__type"].endswith("AccessDeniedException")
        assert "ssm:GetParameter" in error["message"]
        # Both environments are still alive and served: each by its own token and cache.
        again = invoke(lambda_client, allowed, event)
        assert again["body"]["Parameter"]["Value"] == "for-one"
        assert invoke(lambda_client, refused, event)["status"] == 400
    finally:
        lambda_client.delete_function(FunctionName=allowed)
        lambda_client.delete_function(FunctionName=refused)


def test_a_function_cannot_read_with_another_functions_token(
    server, lambda_client, function_name
) -> None:
    """The listener serves every environment, so a token alone is not enough: a function that
    learnt another function's session token (here, from that function's answer) and presents
    it is refused 401, as it would reach no other environment's extension on Lambda. The
    token's own environment still reads with it."""
    from overcast.cli.default_role import execution_role

    iam = server.client("iam")
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    refused_role = execution_role(iam, f"pse-basic-{uuid.uuid4().hex[:8]}", basic)
    name = f"/pse{uuid.uuid4().hex[:8]}/private"
    server.client("ssm").put_parameter(Name=name, Value="not-for-a", Type="String")
    owner, thief = f"{function_name}-owner", f"{function_name}-thief"
    # A port of this server's own (2773 may be another server's on this host).
    port = {"Variables": {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(free_port())}}
    deploy(lambda_client, owner, READER, Layers=[LAYER], Timeout=30, Environment=port)
    deploy(
        lambda_client, thief, READER, Layers=[LAYER], Timeout=30, Role=refused_role,
        Environment=port,
    )  # fmt: skip
    path = f"/systemsmanager/parameters/get?name={name}"
    try:
        assert invoke(lambda_client, owner, {"path": path, "token": "env"})["status"] == 200
        token = invoke(lambda_client, owner, {"leak": True})["token"]
        stolen = invoke(lambda_client, thief, {"path": path, "token_value": token})
        assert stolen["status"] == 401, stolen
        assert "not-for-a" not in json.dumps(stolen)
        assert invoke(lambda_client, owner, {"path": path, "token_value": token})["status"] == 200
    finally:
        lambda_client.delete_function(FunctionName=owner)
        lambda_client.delete_function(FunctionName=thief)
