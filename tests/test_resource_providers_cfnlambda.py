"""Lambda's and IAM's resource providers, driven in-process as the CloudFormation engine
drives them: the whole platform built (not served), each provider acting through its own
service's API operations, authorized by IAM as the caller."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import shutil
import subprocess
import threading
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.factory import Platform
from overcast.resource_providers import IN_PLACE, REPLACES
from overcast.services.lambda_.resources.inline_code import CFNRESPONSE_PY, inline_package
from support import (
    STACK_ACCOUNT,
    STACK_ID,
    STACK_NAME,
    STACK_REGION,
    STACK_ROOT,
    in_process_platform,
    make_zip,
    resource_request,
)

ACCOUNT, REGION, STACK = STACK_ACCOUNT, STACK_REGION, STACK_NAME
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ALLOW_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}
HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with in_process_platform(tmp_path_factory.mktemp("cfnlambda")) as built:
        yield built


class Providers:
    """The platform's providers by type, as the engine looks them up."""

    def __init__(self, platform: Platform) -> None:
        assert platform.resource_providers is not None
        self.registry = platform.resource_providers

    def __getitem__(self, type_name: str) -> Any:
        provider = self.registry.get(type_name)
        assert provider is not None, type_name
        return provider

    def lambda_call(self, operation: str, params: dict) -> dict:
        return self["AWS::Lambda::Function"].calls.api.call(operation, params, STACK_ROOT, REGION)

    def iam_call(self, operation: str, params: dict) -> dict:
        return self["AWS::IAM::Role"].calls.api.call(operation, params, STACK_ROOT, REGION)


@pytest.fixture
def providers(platform: Platform) -> Providers:
    return Providers(platform)


def make_role(providers: Providers, logical_id: str = "Role", **extra: object) -> Any:
    props = {"AssumeRolePolicyDocument": TRUST, **extra}
    return providers["AWS::IAM::Role"].create(resource_request(logical_id, "AWS::IAM::Role", props))


def make_function(
    providers: Providers, logical_id: str, role_policies: list | None = None, **extra: object
) -> Any:
    role = make_role(providers, f"{logical_id}Role", Policies=role_policies or [])
    props = {
        "Runtime": "python3.11",
        "Handler": "index.handler",
        "Role": role.attributes["Arn"],
        "Code": {"ZipFile": HANDLER},
        **extra,
    }
    return providers["AWS::Lambda::Function"].create(
        resource_request(logical_id, "AWS::Lambda::Function", props)
    )


def test_lambda_and_iam_register_their_types(providers: Providers) -> None:
    lambda_types = {
        f"AWS::Lambda::{t}"
        for t in (
            "Function Version Alias Permission Url EventSourceMapping EventInvokeConfig "
            "LayerVersion LayerVersionPermission"
        ).split()
    }
    iam_types = {
        f"AWS::IAM::{t}"
        for t in "Role Policy ManagedPolicy InstanceProfile User Group AccessKey".split()
    }
    assert lambda_types | iam_types <= set(providers.registry.types())


def test_inline_code_is_index_with_cfn_response() -> None:
    python = zipfile.ZipFile(io.BytesIO(inline_package(HANDLER, "python3.12")))
    assert sorted(python.namelist()) == ["cfnresponse.py", "index.py"]
    assert python.read("index.py").decode() == HANDLER
    node = zipfile.ZipFile(io.BytesIO(inline_package("exports.handler = 1", "nodejs20.x")))
    assert sorted(node.namelist()) == ["index.js", "node_modules/cfn-response/index.js"]
    # The same source makes the same package: an unchanged ZipFile is no code change.
    assert inline_package(HANDLER, "python3.12") == inline_package(HANDLER, "python3.13")
    with pytest.raises(ServiceError) as caught:
        inline_package(HANDLER, None)
    assert caught.value.message.endswith(
        "Using the ZipFile attribute requires a runtime to be specified"
    )
    with pytest.raises(ServiceError):
        inline_package(HANDLER, "java21")


def test_cfnresponse_puts_the_documented_body() -> None:
    received: list[tuple[str, dict]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    module = types.ModuleType("cfnresponse")
    exec(CFNRESPONSE_PY, module.__dict__)
    event = {
        "ResponseURL": f"http://127.0.0.1:{server.server_port}/reply?sig=1",
        "StackId": STACK_ID,
        "RequestId": "r-1",
        "LogicalResourceId": "Custom",
    }
    context = types.SimpleNamespace(log_stream_name="stream")
    module.send(event, context, module.SUCCESS, {"Answer": 42}, "phys-1")
    thread.join(timeout=10)
    server.server_close()
    assert received == [
        (
            "/reply?sig=1",
            {
                "Status": "SUCCESS",
                "Reason": "See the details in CloudWatch Log Stream: stream",
                "PhysicalResourceId": "phys-1",
                "StackId": STACK_ID,
                "RequestId": "r-1",
                "LogicalResourceId": "Custom",
                "NoEcho": False,
                "Data": {"Answer": 42},
            },
        )
    ]


def test_a_function_is_created_updated_in_place_and_deleted(providers: Providers) -> None:
    functions = providers["AWS::Lambda::Function"]
    role = make_role(providers, "FnRole")
    props = {
        "Runtime": "python3.11",
        "Handler": "index.handler",
        "Role": role.attributes["Arn"],
        "Code": {"ZipFile": HANDLER},
        "Description": "first",
        "Timeout": "30",  # a parameter's text: a number to Lambda
        "Environment": {"Variables": {"MODE": 1, "DEBUG": True}},
        "Tags": [{"Key": "team", "Value": "x"}],
        "LoggingConfig": {"LogFormat": "JSON", "LogGroup": "/custom/group"},
    }
    made = functions.create(resource_request("Fn", "AWS::Lambda::Function", props))
    name = made.physical_id
    assert name.startswith(f"{STACK}-Fn-") and len(name) <= 64
    assert made.attributes["Arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert made.attributes["SnapStartResponse.ApplyOn"] == "None"
    config = providers.lambda_call("GetFunctionConfiguration", {"FunctionName": name})
    assert (config["Timeout"], config["Description"]) == (30, "first")
    assert config["Environment"] == {"Variables": {"MODE": "1", "DEBUG": "true"}}
    package = inline_package(HANDLER, "python3.11")
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()

    new = {
        **{
            k: v
            for k, v in props.items()
            if k not in ("Description", "Environment", "LoggingConfig")
        },
        "Code": {"ZipFile": HANDLER + "# changed\n"},
        "MemorySize": 256,
        "ReservedConcurrentExecutions": 2,
        "Tags": [{"Key": "team", "Value": "y"}],
    }
    assert functions.replaces(props, new) == IN_PLACE
    assert functions.replaces(props, {**new, "FunctionName": "other"}) == REPLACES
    functions.update(
        resource_request("Fn", "AWS::Lambda::Function", new, previous=props, physical_id=name)
    )
    got = providers.lambda_call("GetFunction", {"FunctionName": name})
    config = got["Configuration"]
    assert (config["MemorySize"], config["Description"]) == (256, "")  # dropped: default
    assert config["Environment"] == {"Variables": {}}
    assert config["LoggingConfig"]["LogFormat"] == "Text"
    assert config["LoggingConfig"]["LogGroup"] == f"/aws/lambda/{name}"
    assert config["CodeSha256"] != base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert got["Concurrency"] == {"ReservedConcurrentExecutions": 2}
    assert got["Tags"] == {"team": "y"}

    as_node = {**new, "Runtime": "nodejs20.x"}  # the same inline text, another language
    functions.update(
        resource_request("Fn", "AWS::Lambda::Function", as_node, previous=new, physical_id=name)
    )
    config = providers.lambda_call("GetFunctionConfiguration", {"FunctionName": name})
    repacked = inline_package(new["Code"]["ZipFile"], "nodejs20.x")
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(repacked).digest()).decode()

    functions.delete(resource_request("Fn", "AWS::Lambda::Function", new, physical_id=name))
    functions.delete(resource_request("Fn", "AWS::Lambda::Function", new, physical_id=name))
    with pytest.raises(ServiceError) as caught:
        providers.lambda_call("GetFunction", {"FunctionName": name})
    assert caught.value.code == "ResourceNotFoundException"


def test_function_code_from_s3_and_image_refused(
    providers: Providers, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_zip({"app.py": HANDLER})
    read: list[tuple] = []

    class Objects:
        def read(self, region, bucket, key, version, limit, caller=None):  # types.ObjectReader
            read.append((bucket, key, version))
            return package

    monkeypatch.setattr(platform.control.s3_code, "objects", Objects())
    code = {"S3Bucket": "artifacts", "S3Key": "app.zip", "S3ObjectVersion": "v1"}
    made = make_function(providers, "FromS3", Handler="app.handler", Code=code)
    assert read == [("artifacts", "app.zip", "v1")]
    config = providers.lambda_call("GetFunctionConfiguration", {"FunctionName": made.physical_id})
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    with pytest.raises(ServiceError) as caught:
        make_function(providers, "Image", Code={"ImageUri": "repo/image:latest"})
    assert caught.value.code == "InvalidParameterValueException"
    assert "Container images are not supported" in caught.value.message


def test_versions_aliases_and_provisioned_concurrency(providers: Providers) -> None:
    function = make_function(providers, "Versioned")
    name = function.physical_id
    versions = providers["AWS::Lambda::Version"]
    version = versions.create(
        resource_request("V1", "AWS::Lambda::Version", {"FunctionName": name})
    )
    assert version.physical_id == f"{function.attributes['Arn']}:1"
    assert version.attributes == {"FunctionArn": version.physical_id, "Version": "1"}
    described = {"FunctionName": name, "Description": "x"}
    assert versions.replaces({"FunctionName": name}, described) == REPLACES
    assert versions.replaces({"FunctionName": name}, {"FunctionName": name}) == IN_PLACE
    concurrency = {"ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1}}
    provisioned = {"FunctionName": name, **concurrency}
    assert versions.replaces({"FunctionName": name}, provisioned) == REPLACES

    aliases = providers["AWS::Lambda::Alias"]
    props = {"FunctionName": name, "Name": "live", "FunctionVersion": "1"}
    alias = aliases.create(resource_request("Live", "AWS::Lambda::Alias", props))
    assert alias.physical_id == f"{function.attributes['Arn']}:live"
    assert alias.attributes == {"AliasArn": alias.physical_id}
    new = {**props, "Description": "prod"}
    assert aliases.replaces(props, new) == IN_PLACE
    assert aliases.replaces(props, {**props, "Name": "other"}) == REPLACES
    aliases.update(
        resource_request(
            "Live", "AWS::Lambda::Alias", new, previous=props, physical_id=alias.physical_id
        )
    )
    got = providers.lambda_call("GetAlias", {"FunctionName": name, "Name": "live"})
    assert got["Description"] == "prod"
    aliases.delete(
        resource_request("Live", "AWS::Lambda::Alias", new, physical_id=alias.physical_id)
    )
    versions.delete(
        resource_request(
            "V1", "AWS::Lambda::Version", {"FunctionName": name}, physical_id=version.physical_id
        )
    )
    listed = providers.lambda_call("ListVersionsByFunction", {"FunctionName": name})
    assert [v["Version"] for v in listed["Versions"]] == ["$LATEST"]


def test_permission_url_and_event_invoke_config(providers: Providers) -> None:
    function = make_function(providers, "Public")
    name = function.physical_id
    permissions = providers["AWS::Lambda::Permission"]
    props = {
        "FunctionName": name,
        "Action": "lambda:InvokeFunctionUrl",
        "Principal": "*",
        "FunctionUrlAuthType": "NONE",
    }
    permission = permissions.create(resource_request("Perm", "AWS::Lambda::Permission", props))
    assert permission.attributes == {"Id": permission.physical_id}
    policy = json.loads(providers.lambda_call("GetPolicy", {"FunctionName": name})["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [permission.physical_id]
    assert permissions.replaces(props, {**props, "Principal": "s3.amazonaws.com"}) == REPLACES

    urls = providers["AWS::Lambda::Url"]
    url_props = {"TargetFunctionArn": function.attributes["Arn"], "AuthType": "NONE"}
    url = urls.create(resource_request("Url", "AWS::Lambda::Url", url_props))
    assert url.physical_id == url.attributes["FunctionArn"] == function.attributes["Arn"]
    assert url.attributes["FunctionUrl"].startswith("http")
    cors = {**url_props, "Cors": {"AllowOrigins": ["https://example.com"]}}
    assert urls.replaces(url_props, cors) == IN_PLACE
    urls.update(
        resource_request(
            "Url", "AWS::Lambda::Url", cors, previous=url_props, physical_id=url.physical_id
        )
    )
    got = providers.lambda_call("GetFunctionUrlConfig", {"FunctionName": name})
    assert got["Cors"]["AllowOrigins"] == ["https://example.com"]
    urls.delete(resource_request("Url", "AWS::Lambda::Url", cors, physical_id=url.physical_id))
    urls.delete(resource_request("Url", "AWS::Lambda::Url", cors, physical_id=url.physical_id))

    configs = providers["AWS::Lambda::EventInvokeConfig"]
    eic = {"FunctionName": name, "Qualifier": "$LATEST", "MaximumRetryAttempts": 1}
    made = configs.create(resource_request("Async", "AWS::Lambda::EventInvokeConfig", eic))
    got = providers.lambda_call("GetFunctionEventInvokeConfig", {"FunctionName": name})
    assert got["MaximumRetryAttempts"] == 1
    configs.delete(
        resource_request(
            "Async", "AWS::Lambda::EventInvokeConfig", eic, physical_id=made.physical_id
        )
    )
    configs.delete(
        resource_request(
            "Async", "AWS::Lambda::EventInvokeConfig", eic, physical_id=made.physical_id
        )
    )

    permissions.delete(
        resource_request(
            "Perm", "AWS::Lambda::Permission", props, physical_id=permission.physical_id
        )
    )
    with pytest.raises(ServiceError):
        providers.lambda_call("GetPolicy", {"FunctionName": name})
    permissions.delete(
        resource_request(
            "Perm", "AWS::Lambda::Permission", props, physical_id=permission.physical_id
        )
    )


def test_an_event_source_mapping_from_a_queue(providers: Providers) -> None:
    sqs = {**ALLOW_LOGS, "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    function = make_function(
        providers, "Consumer", role_policies=[{"PolicyName": "sqs", "PolicyDocument": sqs}]
    )
    queue = providers["AWS::SQS::Queue"].create(resource_request("Jobs", "AWS::SQS::Queue", {}))
    mappings = providers["AWS::Lambda::EventSourceMapping"]
    props = {
        "FunctionName": function.physical_id,
        "EventSourceArn": queue.attributes["Arn"],
        "BatchSize": "5",
        "Enabled": "false",
    }
    made = mappings.create(resource_request("Mapping", "AWS::Lambda::EventSourceMapping", props))
    uuid = made.physical_id
    assert made.attributes["Id"] == uuid and len(uuid) == 36
    assert made.attributes["EventSourceMappingArn"].endswith(f":event-source-mapping:{uuid}")
    new = {**props, "BatchSize": 7}
    assert mappings.replaces(props, new) == IN_PLACE
    assert mappings.replaces(props, {**props, "EventSourceArn": "arn:aws:sqs:x"}) == REPLACES
    mappings.update(
        resource_request(
            "Mapping", "AWS::Lambda::EventSourceMapping", new, previous=props, physical_id=uuid
        )
    )
    got = providers.lambda_call("GetEventSourceMapping", {"UUID": uuid})
    assert got["BatchSize"] == 7
    mappings.delete(
        resource_request("Mapping", "AWS::Lambda::EventSourceMapping", new, physical_id=uuid)
    )
    mappings.delete(
        resource_request("Mapping", "AWS::Lambda::EventSourceMapping", new, physical_id=uuid)
    )


def test_a_layer_version_and_its_permission(
    providers: Providers, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Objects:
        def read(self, region, bucket, key, version, limit, caller=None):  # types.ObjectReader
            return make_zip({"python/lib.py": "X = 1\n"})

    monkeypatch.setattr(platform.control.s3_code, "objects", Objects())
    layers = providers["AWS::Lambda::LayerVersion"]
    props = {
        "Content": {"S3Bucket": "layers", "S3Key": "layer.zip"},
        "CompatibleRuntimes": ["python3.11"],
    }
    layer = layers.create(resource_request("Lib", "AWS::Lambda::LayerVersion", props))
    arn = layer.physical_id
    assert arn.startswith(f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{STACK}-Lib-")
    assert arn.endswith(":1") and layer.attributes == {"LayerVersionArn": arn}
    assert layers.replaces(props, {**props, "Description": "x"}) == REPLACES

    grants = providers["AWS::Lambda::LayerVersionPermission"]
    grant_props = {"LayerVersionArn": arn, "Action": "lambda:GetLayerVersion", "Principal": "*"}
    grant = grants.create(
        resource_request("Share", "AWS::Lambda::LayerVersionPermission", grant_props)
    )
    assert grant.physical_id.startswith(f"{arn}#")
    layer_name, number = arn.rsplit(":", 1)
    key = {"LayerName": layer_name, "VersionNumber": int(number)}
    policy = json.loads(providers.lambda_call("GetLayerVersionPolicy", key)["Policy"])
    assert policy["Statement"][0]["Sid"] == grant.physical_id.split("#")[1]
    grants.delete(
        resource_request(
            "Share",
            "AWS::Lambda::LayerVersionPermission",
            grant_props,
            physical_id=grant.physical_id,
        )
    )
    layers.delete(resource_request("Lib", "AWS::Lambda::LayerVersion", props, physical_id=arn))
    layers.delete(resource_request("Lib", "AWS::Lambda::LayerVersion", props, physical_id=arn))
    with pytest.raises(ServiceError):
        providers.lambda_call("GetLayerVersion", key)


def test_a_role_with_inline_and_managed_policies(providers: Providers) -> None:
    managed = providers["AWS::IAM::ManagedPolicy"]
    policy = managed.create(
        resource_request("Logs", "AWS::IAM::ManagedPolicy", {"PolicyDocument": ALLOW_LOGS})
    )
    policy_arn = policy.physical_id
    assert policy_arn.startswith(f"arn:aws:iam::{ACCOUNT}:policy/{STACK}-Logs-")
    assert policy.attributes["DefaultVersionId"] == "v1"
    assert policy.attributes["AttachmentCount"] == 0

    roles = providers["AWS::IAM::Role"]
    props = {
        "AssumeRolePolicyDocument": TRUST,
        "Path": "/app/",
        "Policies": [{"PolicyName": "inline", "PolicyDocument": ALLOW_LOGS}],
        "ManagedPolicyArns": [policy_arn],
        "Tags": [{"Key": "team", "Value": "x"}],
    }
    role = roles.create(resource_request("AppRole", "AWS::IAM::Role", props))
    name = role.physical_id
    assert name.startswith(f"{STACK}-AppRole-") and len(name) <= 64
    assert role.attributes["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/app/{name}"
    assert role.attributes["RoleId"].startswith("AROA")
    assert providers.iam_call("ListRolePolicies", {"RoleName": name})["PolicyNames"] == ["inline"]
    attached = providers.iam_call("ListAttachedRolePolicies", {"RoleName": name})
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [policy_arn]

    new = {**props, "Policies": [], "Description": "runs the app"}
    assert roles.replaces(props, new) == IN_PLACE
    assert roles.replaces(props, {**props, "Path": "/other/"}) == REPLACES
    roles.update(
        resource_request("AppRole", "AWS::IAM::Role", new, previous=props, physical_id=name)
    )
    assert providers.iam_call("ListRolePolicies", {"RoleName": name})["PolicyNames"] == []
    got = providers.iam_call("GetRole", {"RoleName": name})["Role"]
    assert got["Description"] == "runs the app"

    doc_v2 = {**ALLOW_LOGS, "Statement": [{**ALLOW_LOGS["Statement"][0], "Action": "logs:Put*"}]}
    updated = managed.update(
        resource_request(
            "Logs",
            "AWS::IAM::ManagedPolicy",
            {"PolicyDocument": doc_v2},
            previous={"PolicyDocument": ALLOW_LOGS},
            physical_id=policy_arn,
        )
    )
    assert updated.attributes["DefaultVersionId"] == "v2"
    assert updated.attributes["AttachmentCount"] == 1

    # A delete takes the role's policies off first, as IAM requires.
    roles.delete(resource_request("AppRole", "AWS::IAM::Role", new, physical_id=name))
    roles.delete(resource_request("AppRole", "AWS::IAM::Role", new, physical_id=name))
    with pytest.raises(ServiceError) as caught:
        providers.iam_call("GetRole", {"RoleName": name})
    assert caught.value.code == "NoSuchEntity"
    managed.delete(resource_request("Logs", "AWS::IAM::ManagedPolicy", {}, physical_id=policy_arn))
    managed.delete(resource_request("Logs", "AWS::IAM::ManagedPolicy", {}, physical_id=policy_arn))


def test_inline_policy_profile_user_group_and_access_key(providers: Providers) -> None:
    role = make_role(providers, "Worker")
    groups = providers["AWS::IAM::Group"]
    group = groups.create(resource_request("Team", "AWS::IAM::Group", {}))
    assert group.attributes["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/{group.physical_id}"
    users = providers["AWS::IAM::User"]
    user_props = {"Groups": [group.physical_id], "Tags": [{"Key": "a", "Value": "1"}]}
    user = users.create(resource_request("Alice", "AWS::IAM::User", user_props))
    assert user.attributes["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{user.physical_id}"
    members = providers.iam_call("GetGroup", {"GroupName": group.physical_id})["Users"]
    assert [m["UserName"] for m in members] == [user.physical_id]

    policies = providers["AWS::IAM::Policy"]
    props = {
        "PolicyName": "shared",
        "PolicyDocument": ALLOW_LOGS,
        "Roles": [role.physical_id],
        "Users": [user.physical_id],
    }
    policy = policies.create(resource_request("Shared", "AWS::IAM::Policy", props))
    assert policy.attributes == {"Id": policy.physical_id}
    listed = providers.iam_call("ListUserPolicies", {"UserName": user.physical_id})
    assert listed["PolicyNames"] == ["shared"]
    moved = {**props, "Users": []}
    assert policies.replaces(props, moved) == IN_PLACE
    policies.update(
        resource_request(
            "Shared", "AWS::IAM::Policy", moved, previous=props, physical_id=policy.physical_id
        )
    )
    assert (
        providers.iam_call("ListUserPolicies", {"UserName": user.physical_id})["PolicyNames"] == []
    )

    profiles = providers["AWS::IAM::InstanceProfile"]
    profile_props = {"Roles": [role.physical_id]}
    profile = profiles.create(
        resource_request("Profile", "AWS::IAM::InstanceProfile", profile_props)
    )
    assert ":instance-profile/" in profile.attributes["Arn"]

    keys = providers["AWS::IAM::AccessKey"]
    key_props = {"UserName": user.physical_id, "Status": "Inactive"}
    key = keys.create(resource_request("Key", "AWS::IAM::AccessKey", key_props))
    assert key.physical_id.startswith("AKIA") and len(key.attributes["SecretAccessKey"]) == 40
    listed = providers.iam_call("ListAccessKeys", {"UserName": user.physical_id})
    assert [k["Status"] for k in listed["AccessKeyMetadata"]] == ["Inactive"]
    assert keys.replaces(key_props, {**key_props, "Serial": 2}) == REPLACES
    assert keys.replaces(key_props, {**key_props, "Status": "Active"}) == IN_PLACE

    # Deleted in the reverse of the order made, each a second time: gone is success.
    for provider, logical, type_name, made, made_props in (
        (keys, "Key", "AWS::IAM::AccessKey", key, key_props),
        (profiles, "Profile", "AWS::IAM::InstanceProfile", profile, profile_props),
        (policies, "Shared", "AWS::IAM::Policy", policy, moved),
        (users, "Alice", "AWS::IAM::User", user, user_props),
        (groups, "Team", "AWS::IAM::Group", group, {}),
    ):
        for _ in range(2):
            provider.delete(
                resource_request(logical, type_name, made_props, physical_id=made.physical_id)
            )
    with pytest.raises(ServiceError) as caught:
        providers.iam_call("GetUser", {"UserName": user.physical_id})
    assert caught.value.code == "NoSuchEntity"
    assert (
        providers.iam_call("ListRolePolicies", {"RoleName": role.physical_id})["PolicyNames"] == []
    )


def test_a_login_profile_is_refused(providers: Providers) -> None:
    with pytest.raises(ServiceError) as caught:
        providers["AWS::IAM::User"].create(
            resource_request("Bob", "AWS::IAM::User", {"LoginProfile": {"Password": "x"}})
        )
    assert caught.value.code == "InvalidInput"


def test_providers_act_as_the_caller_under_iam(providers: Providers) -> None:
    role = make_role(providers, "DeniedRole")
    nobody = Identity(f"arn:aws:iam::{ACCOUNT}:user/nobody", ACCOUNT, "AIDANOBODY")
    props = {
        "Runtime": "python3.11",
        "Handler": "index.handler",
        "Role": role.attributes["Arn"],
        "Code": {"ZipFile": HANDLER},
    }
    with pytest.raises(ServiceError) as caught:
        providers["AWS::Lambda::Function"].create(
            resource_request("Denied", "AWS::Lambda::Function", props, caller=nobody)
        )
    assert caught.value.status == 403
    assert "lambda:createfunction" in caught.value.message.lower()
    with pytest.raises(ServiceError) as caught:
        providers["AWS::IAM::Role"].create(
            resource_request(
                "DeniedToo", "AWS::IAM::Role", {"AssumeRolePolicyDocument": TRUST}, caller=nobody
            )
        )
    assert caught.value.status == 403
    assert "iam:createrole" in caught.value.message.lower()


NODE_CHECK = """
const http = require("http");
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    console.log(JSON.stringify({ method: req.method, url: req.url, body: JSON.parse(body) }));
    res.end();
    server.close();
  });
});
server.listen(0, "127.0.0.1", async () => {
  const index = require(process.argv[1] + "/index.js");
  const event = {
    ResponseURL: "http://127.0.0.1:" + server.address().port + "/reply",
    StackId: "s", RequestId: "r", LogicalResourceId: "L",
  };
  await index.handler(event, { logStreamName: "ls" });
});
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_inline_node_code_requires_cfn_response(tmp_path: Path) -> None:
    source = (
        'const response = require("cfn-response");\n'
        "exports.handler = (event, context) =>\n"
        "  response.send(event, context, response.SUCCESS, { Answer: 42 }, 'phys');\n"
    )
    zipfile.ZipFile(io.BytesIO(inline_package(source, "nodejs20.x"))).extractall(tmp_path)
    ran = subprocess.run(
        ["node", "-e", NODE_CHECK, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    put = json.loads(next(x for x in ran.stdout.splitlines() if x.startswith('{"method"')))
    assert (put["method"], put["url"]) == ("PUT", "/reply")
    assert put["body"]["Status"] == "SUCCESS" and put["body"]["Data"] == {"Answer": 42}
    assert put["body"]["PhysicalResourceId"] == "phys"
