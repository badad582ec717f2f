"""Parameter Store's access map: each operation's action on the parameter's ARN (leading
slash dropped, selector left out), on each of GetParameters' names, on the path's ARN for
GetParametersByPath, with the reference's condition keys."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.ssm.access import ssm_access
from overcast.services.ssm.api import OPERATIONS

PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
# The Service Authorization Reference's actions that Parameter Store's operations need.
REFERENCE = {
    "AddTagsToResource", "DeleteParameter", "DeleteParameters", "DescribeParameters",
    "GetParameter", "GetParameterHistory", "GetParameters", "GetParametersByPath",
    "LabelParameterVersion", "ListTagsForResource", "PutParameter", "RemoveTagsFromResource",
    "UnlabelParameterVersion",
}  # fmt: skip


def needs(operation: str, **params: object) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in ssm_access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    params = {"Name": "/a/b", "Names": ["/a/b"], "Path": "/a", "ResourceType": "Parameter",
              "ResourceId": "/a/b"}  # fmt: skip
    for operation in OPERATIONS._operations:
        found = ssm_access(operation, dict(params), CONTEXT)
        check_shape(found, "ssm", f"{PARAMETER}/")
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation


def test_parameter_arns_drop_the_leading_slash_and_the_selector() -> None:
    assert needs("GetParameter", Name="/app/db") == [("ssm:GetParameter", f"{PARAMETER}/app/db")]
    assert needs("GetParameter", Name="plain:3") == [("ssm:GetParameter", f"{PARAMETER}/plain")]
    by_arn = f"{PARAMETER}/app/db:live"
    assert needs("GetParameterHistory", Name=by_arn) == [
        ("ssm:GetParameterHistory", f"{PARAMETER}/app/db")
    ]
    assert needs("GetParameters", Names=["/a", "/b", "/a"]) == [
        ("ssm:GetParameters", f"{PARAMETER}/a"),
        ("ssm:GetParameters", f"{PARAMETER}/b"),
    ]
    assert needs("DescribeParameters") == [("ssm:DescribeParameters", "*")]
    assert needs("AddTagsToResource", ResourceType="Parameter", ResourceId="/x") == [
        ("ssm:AddTagsToResource", f"{PARAMETER}/x")
    ]
    assert needs("GetParameters", Names="odd") == [("ssm:GetParameters", "*")]


def test_condition_keys_of_the_reference() -> None:
    by_path = ssm_access("GetParametersByPath", {"Path": "/app", "Recursive": True}, CONTEXT)
    assert by_path.needs[0].resource == f"{PARAMETER}/app"
    assert by_path.conditions == {"ssm:Recursive": "true"}
    put = ssm_access(
        "PutParameter",
        {"Name": "/app/x", "Overwrite": True, "Tags": [{"Key": "team", "Value": "a"}]},
        CONTEXT,
    )
    assert put.conditions == {
        "ssm:Overwrite": "true",
        "aws:RequestTag/team": "a",
        "aws:TagKeys": ["team"],
    }
    assert ssm_access("PutParameter", {"Name": "x"}, CONTEXT).conditions["ssm:Overwrite"] == (
        "false"
    )
    untag = ssm_access(
        "RemoveTagsFromResource",
        {"ResourceType": "Parameter", "ResourceId": "x", "TagKeys": ["team"]},
        CONTEXT,
    )
    assert untag.conditions == {"aws:TagKeys": ["team"]}
