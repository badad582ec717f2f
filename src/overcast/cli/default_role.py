"""The execution role `overcast deploy` gives a function created without `--role`, as SAM
creates one per function: `overcast-function`, trusted by `lambda.amazonaws.com`, with AWS's
`AWSLambdaBasicExecutionRole` attached (it may write its logs, and nothing else, until the
user grants more). Made through IAM's API the first time it is needed, then reused."""

from __future__ import annotations

import json
from typing import Any

from overcast.cli.client import error_code

ROLE_NAME = "overcast-function"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
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


def default_role(iam: Any) -> str:
    """The default role's ARN, created (with basic execution permissions) if missing."""
    try:
        return iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"]
    except Exception as error:
        if error_code(error) != "NoSuchEntity":
            raise
    try:
        arn = iam.create_role(
            RoleName=ROLE_NAME,
            AssumeRolePolicyDocument=json.dumps(TRUST),
            Description="Execution role of functions `overcast deploy` creates without --role",
        )["Role"]["Arn"]
    except Exception as error:  # another deploy made it meanwhile
        if error_code(error) != "EntityAlreadyExists":
            raise
        return iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=BASIC_EXECUTION)
    return arn
