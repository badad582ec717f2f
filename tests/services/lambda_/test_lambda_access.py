"""Lambda's access map: every operation asks IAM for its action on the function, layer,
mapping or code signing config it names, as AWS's Service Authorization Reference lists it;
Invoke asks lambda:InvokeFunction on the function as named, without a store read."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, SIGNED, check_shape, recording_client

from overcast.services.lambda_ import access
from overcast.services.lambda_.access import invoke_access, lambda_access
from overcast.services.lambda_.api.rest import OPERATIONS, lambda_api

FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
PARAMS = {
    "FunctionName": "f",
    "LayerName": "lib",
    "VersionNumber": 2,
    "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:lib:2",
    "CodeSigningConfigArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-1",
    "UUID": "1234",
    "Resource": FUNCTION,
    "Name": "live",
}
MAPPED = (
    access.FUNCTION_OPERATIONS
    | access.LAYER_VERSION_OPERATIONS
    | access.UNSCOPED_OPERATIONS
    | access.CODE_SIGNING_OPERATIONS
    | access.MAPPING_OPERATIONS
    | access.TAG_OPERATIONS
    | {"GetLayerVersionByArn", "PublishLayerVersion"}
)


def test_every_operation_has_a_mapping() -> None:
    assert set(OPERATIONS) - MAPPED == set()
    asks = lambda_access()
    for operation in OPERATIONS:
        check_shape(asks(operation, dict(PARAMS), CONTEXT), "lambda", f"arn:aws:lambda:{REGION}:")


def test_every_name_form_resolves_to_the_arn_qualified_as_named() -> None:
    asks = lambda_access()
    for name in ("f:live", FUNCTION + ":live", f"{ACCOUNT}:function:f:live"):
        found = asks("GetFunction", {"FunctionName": name}, CONTEXT)
        assert [(n.action, n.resource) for n in found.needs] == [
            ("lambda:GetFunction", FUNCTION + ":live")
        ]
    qualified = asks("GetFunctionConfiguration", {"FunctionName": "f", "Qualifier": "3"}, CONTEXT)
    assert qualified.needs[0].resource == FUNCTION + ":3"
    # An alias operation acts on the function (the reference's resource), not the alias.
    assert (
        asks("CreateAlias", {"FunctionName": "f", "Name": "live"}, CONTEXT).needs[0].resource
        == FUNCTION
    )
    elsewhere = "arn:aws:lambda:us-west-2:111111111111:function:g"
    assert (
        asks("DeleteFunction", {"FunctionName": elsewhere}, CONTEXT).needs[0].resource == elsewhere
    )


def test_actions_named_otherwise_and_condition_keys() -> None:
    asks = lambda_access(lambda uuid: FUNCTION if uuid == "1234" else None)
    layer = asks("GetLayerVersionByArn", dict(PARAMS), CONTEXT)
    assert layer.needs[0].action == "lambda:GetLayerVersion"
    assert asks("ListFunctions", {}, CONTEXT).needs[0].resource == "*"

    mapping = asks("CreateEventSourceMapping", {"FunctionName": "f:1"}, CONTEXT)
    assert mapping.needs[0].resource == "*"
    assert mapping.conditions == {"lambda:FunctionArn": FUNCTION + ":1"}
    existing = asks("DeleteEventSourceMapping", {"UUID": "1234"}, CONTEXT)
    assert (
        existing.needs[0].resource == f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:1234"
    )
    assert existing.conditions == {"lambda:FunctionArn": FUNCTION}

    permission = asks(
        "AddPermission",
        {"FunctionName": "f", "Principal": "s3.amazonaws.com", "FunctionUrlAuthType": "NONE"},
        CONTEXT,
    )
    assert permission.conditions == {
        "lambda:Principal": "s3.amazonaws.com",
        "lambda:FunctionUrlAuthType": "NONE",
    }
    url = asks("CreateFunctionUrlConfig", {"FunctionName": "f", "AuthType": "AWS_IAM"}, CONTEXT)
    assert url.conditions == {
        "lambda:FunctionUrlAuthType": "AWS_IAM",
        "lambda:FunctionArn": FUNCTION,
    }

    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    created = asks(
        "CreateFunction",
        {"FunctionName": "f", "Role": role, "Tags": {"team": "a"}, "Layers": [PARAMS["Arn"]]},
        CONTEXT,
    )
    assert [(n.action, n.resource) for n in created.needs] == [
        ("lambda:CreateFunction", FUNCTION),
        ("iam:PassRole", role),
    ]
    assert created.conditions["lambda:Layer"] == [PARAMS["Arn"]]
    assert created.conditions["aws:RequestTag/team"] == "a"
    assert created.conditions["aws:TagKeys"] == ["team"]


def test_invoke_asks_on_the_function_as_named() -> None:
    found = invoke_access(REGION, ACCOUNT, "f", "live")
    assert [(n.action, n.resource) for n in found.needs] == [
        ("lambda:InvokeFunction", FUNCTION + ":live")
    ]
    assert invoke_access(REGION, ACCOUNT, FUNCTION, None).needs[0].resource == FUNCTION


def test_the_gateway_asks_with_the_mapped_access() -> None:
    api = lambda_api(None)  # refused before any operation runs: no control plane needed
    client, recording = recording_client([], api)
    response = client.get(
        "/2015-03-31/functions/f%3Alive/configuration",
        headers={"authorization": SIGNED.format("lambda")},
    )
    assert response.status_code == 403
    assert [(n.action, n.resource) for n in recording.asked[0].needs] == [
        ("lambda:GetFunctionConfiguration", FUNCTION + ":live")
    ]
    assert recording.policies[0] is api.resource_policies
