"""CloudFormation's access map: every operation served needs `cloudformation:<Operation>`
(the Service Authorization Reference's actions) on its stack's ARN, or `*` where it names no
stack."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.aws.service_models import service_document
from overcast.services.cloudformation.access import cloudformation_access
from overcast.services.cloudformation.api import OPERATIONS

STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/"


def test_every_operation_has_a_mapping() -> None:
    model = set(service_document("cloudformation")["operations"])
    for operation in OPERATIONS:
        assert operation in model, operation
        found = cloudformation_access(operation, {"StackName": "app"}, CONTEXT)
        check_shape(found, "cloudformation", STACK)
        assert found.needs[0].action == f"cloudformation:{operation}"


def test_stacks_by_name_and_id_and_condition_keys() -> None:
    by_name = cloudformation_access("UpdateStack", {"StackName": "app"}, CONTEXT)
    assert by_name.needs[0].resource == f"{STACK}app/*"
    stack_id = f"{STACK}app/1234"
    by_id = cloudformation_access("DeleteStack", {"StackName": stack_id}, CONTEXT)
    assert by_id.needs[0].resource == stack_id
    listed = cloudformation_access("ListStacks", {}, CONTEXT)
    assert listed.needs[0].resource == "*"
    made = cloudformation_access(
        "CreateChangeSet",
        {"StackName": "app", "ChangeSetName": "c", "RoleARN": "arn:aws:iam::1:role/r",
         "Tags": [{"Key": "team", "Value": "a"}]},
        CONTEXT,
    )  # fmt: skip
    assert made.conditions == {
        "cloudformation:ChangeSetName": "c",
        "cloudformation:RoleArn": "arn:aws:iam::1:role/r",
        "aws:RequestTag/team": "a",
        "aws:TagKeys": ["team"],
    }
