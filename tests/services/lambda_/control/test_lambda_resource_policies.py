"""Lambda's ResourcePolicies: the policy AddPermission wrote, by the ARN it was written for,
and a layer version's policy; None where there is none."""

from __future__ import annotations

import json

from control_harness import REGION, Harness
from test_layers import publish

from overcast.services.lambda_.model.policy import Grant
from overcast.services.lambda_.resource_policies import LambdaPolicies

GRANT = Grant(statement_id="s3", action="lambda:InvokeFunction", principal="s3.amazonaws.com")


def test_function_and_layer_policies_by_arn(harness: Harness) -> None:
    harness.create()
    plane = harness.plane
    account = plane.catalog.account_id
    function = f"arn:aws:lambda:{REGION}:{account}:function:f"
    policies = LambdaPolicies(plane)
    assert policies.policy(function) is None

    plane.permissions.add(REGION, "f", None, GRANT)
    document = json.loads(policies.policy(function))
    assert [s["Sid"] for s in document["Statement"]] == ["s3"]
    assert policies.policy(function + ":1") is None  # another ARN's policy: none
    assert policies.policy(f"arn:aws:lambda:{REGION}:{account}:function:nope") is None
    assert policies.policy("not an arn") is None

    layer = publish(harness)
    layer_arn = f"arn:aws:lambda:{REGION}:{account}:layer:lib:{layer.version}"
    assert policies.policy(layer_arn) is None
    plane.layers.add_permission(
        REGION,
        "lib",
        layer.version,
        statement_id="all",
        action="lambda:GetLayerVersion",
        principal="*",
    )
    assert json.loads(policies.policy(layer_arn))["Statement"][0]["Sid"] == "all"
