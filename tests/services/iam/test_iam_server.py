"""IAM against a real server: boto3 and the AWS CLI (`aws iam create-role
--assume-role-policy-document file://...`), and what IAM keeps surviving a restart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from overcast.cli.default_role import LAMBDA_TRUST

sys.path.insert(0, str(Path(__file__).parents[2] / "cli"))

from aws_cli import aws, needs_aws_cli  # noqa: E402

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@needs_aws_cli
def test_aws_cli_creates_a_role_from_a_file(server, tmp_path: Path, function_name: str) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(LAMBDA_TRUST, indent=2))
    role = aws(
        server,
        "iam",
        "create-role",
        "--role-name",
        function_name,
        "--assume-role-policy-document",
        f"file://{trust}",
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::000000000000:role/{function_name}"
    assert role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    aws(server, "iam", "attach-role-policy", "--role-name", function_name, "--policy-arn", BASIC)
    iam = server.client("iam")
    attached = iam.list_attached_role_policies(RoleName=function_name)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [BASIC]


def test_iam_survives_a_restart(launch, tmp_path: Path) -> None:
    first = launch(tmp_path / "data")
    iam = first.client("iam")
    iam.create_user(UserName="kept")
    key = iam.create_access_key(UserName="kept")["AccessKey"]["AccessKeyId"]
    iam.create_role(RoleName="kept-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName="kept-role", PolicyArn=BASIC)
    first.stop()

    iam = launch(tmp_path / "data").client("iam")
    assert iam.get_user(UserName="kept")["User"]["UserName"] == "kept"
    keys = iam.list_access_keys(UserName="kept")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key]
    attached = iam.list_attached_role_policies(RoleName="kept-role")["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [BASIC]
