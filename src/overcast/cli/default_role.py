"""Execution roles made through IAM's API: the one `overcast deploy` gives a function created
without `--role`, as SAM creates one per function (`overcast-function`, with AWS's
`AWSLambdaBasicExecutionRole` attached: it may write its logs, and nothing else, until the
user grants more), and any other role a function runs as (the benchmarks', the tests').
Each is trusted by `lambda.amazonaws.com`, made the first time it is needed, then reused."""

from __future__ import annotations

import json
from typing import Any

from overcast.cli.client import error_code

ROLE_NAME = "overcast-function"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# The trust policy that lets Lambda assume a role (Lambda developer guide, "execution role").
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def default_role(iam: Any) -> str:
    """The default role's ARN, created (with basic execution permissions) if missing."""
    description = "Execution role of functions `overcast deploy` creates without --role"
    return execution_role(iam, ROLE_NAME, BASIC_EXECUTION, description)


def execution_role(iam: Any, name: str, policy_arn: str, description: str | None = None) -> str:
    """The ARN of role `name` (through `iam`, a boto3 IAM client), which Lambda may assume:
    created with `policy_arn` attached if missing; a role of that name that exists, or that
    another caller makes meanwhile, is taken as it is."""
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except Exception as error:
        if error_code(error) != "NoSuchEntity":
            raise
    described = {"Description": description} if description is not None else {}
    try:
        arn = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), **described
        )["Role"]["Arn"]
    except Exception as error:  # another caller made it meanwhile
        if error_code(error) != "EntityAlreadyExists":
            raise
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return arn
