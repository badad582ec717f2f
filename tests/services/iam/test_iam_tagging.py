"""Tag<Noun>, Untag<Noun>, List<Noun>Tags and Put/Delete<Noun>PermissionsBoundary, the same
for every entity that has them (users, roles; managed policies for tags), through boto3."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST
from support import error_of

TRUST = json.dumps(LAMBDA_TRUST)
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _user(iam) -> dict:
    iam.create_user(UserName="tagged")
    return {"UserName": "tagged"}


def _role(iam) -> dict:
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=TRUST)
    return {"RoleName": "tagged"}


def _policy(iam) -> dict:
    arn = iam.create_policy(PolicyName="tagged", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    return {"PolicyArn": arn}


def _refused(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return error_of(caught)


@pytest.mark.parametrize(("noun", "make"), [("user", _user), ("role", _role), ("policy", _policy)])
def test_tags_are_set_replaced_listed_and_removed(iam, noun: str, make) -> None:
    named = make(iam)
    tag, untag = getattr(iam, f"tag_{noun}"), getattr(iam, f"untag_{noun}")
    list_tags = getattr(iam, f"list_{noun}_tags")
    tag(**named, Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "1"}])
    tag(**named, Tags=[{"Key": "team", "Value": "b"}])  # a key tagged again is replaced
    assert list_tags(**named)["Tags"] == [  # listed in order of key
        {"Key": "cost", "Value": "1"},
        {"Key": "team", "Value": "b"},
    ]
    assert list_tags(**named, MaxItems=1)["IsTruncated"] is True
    untag(**named, TagKeys=["team", "absent"])
    assert list_tags(**named)["Tags"] == [{"Key": "cost", "Value": "1"}]
    assert _refused(tag, **named, Tags=[{"Key": "aws:x", "Value": "v"}]) == (
        "InvalidInput",
        "User is not authorized to modify tags with the 'aws:' prefix.",
        400,
    )


@pytest.mark.parametrize(("noun", "make"), [("user", _user), ("role", _role)])
def test_missing_entity_is_no_such_entity(iam, noun: str, make) -> None:
    named = {f"{noun.capitalize()}Name": "absent"}
    message = f"The {noun} with name absent cannot be found."
    for call in ("tag", "untag"):
        keys = {"Tags": [{"Key": "k", "Value": "v"}]} if call == "tag" else {"TagKeys": ["k"]}
        got = _refused(getattr(iam, f"{call}_{noun}"), **named, **keys)
        assert got == ("NoSuchEntity", message, 404)
    assert _refused(getattr(iam, f"list_{noun}_tags"), **named) == ("NoSuchEntity", message, 404)
    boundary = getattr(iam, f"put_{noun}_permissions_boundary")
    got = _refused(boundary, **named, PermissionsBoundary=BASIC)
    assert got == ("NoSuchEntity", message, 404)


def test_aws_managed_policy_tags_are_listed_but_not_changed(iam) -> None:
    assert iam.list_policy_tags(PolicyArn=BASIC)["Tags"] == []
    assert _refused(iam.tag_policy, PolicyArn=BASIC, Tags=[{"Key": "k", "Value": "v"}]) == (
        "AccessDenied",
        f"Cannot perform TagPolicy on the AWS managed policy {BASIC}.",
        403,
    )
    assert _refused(iam.untag_policy, PolicyArn=BASIC, TagKeys=["k"])[0] == "AccessDenied"


@pytest.mark.parametrize(("noun", "make"), [("user", _user), ("role", _role)])
def test_permissions_boundary_is_put_and_deleted(iam, noun: str, make) -> None:
    named = make(iam)
    get = getattr(iam, f"get_{noun}")
    getattr(iam, f"put_{noun}_permissions_boundary")(**named, PermissionsBoundary=BASIC)
    assert get(**named)[noun.capitalize()]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": BASIC,
    }
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    absent = "arn:aws:iam::123456789012:policy/absent"
    put = getattr(iam, f"put_{noun}_permissions_boundary")
    assert _refused(put, **named, PermissionsBoundary=absent) == (
        "NoSuchEntity",
        f"Policy {absent} does not exist or is not attachable.",
        404,
    )
    getattr(iam, f"delete_{noun}_permissions_boundary")(**named)
    assert "PermissionsBoundary" not in get(**named)[noun.capitalize()]
