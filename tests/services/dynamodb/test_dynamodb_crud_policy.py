"""Issue 16's test of least privilege with a real SAM policy template: a function whose role
carries `DynamoDBCrudPolicy` on one table (expanded by aws-sam-translator, as CloudFormation's
SAM transform expands it) can use that table and not another, from inside the function."""

from __future__ import annotations

import json
import uuid

from overcast.cli.default_role import LAMBDA_TRUST
from overcast.services.cloudformation.template import Pseudo, Resolver, load, transform
from support import RunningServer, deploy

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  TableName:
    Type: String
Resources:
  Crud:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(event, context): pass"
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref TableName
"""

SOURCE = """
import boto3

def handler(event, context):
    ddb = boto3.client("dynamodb")
    answers = {}
    for table in (event["mine"], event["other"]):
        try:
            ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
            ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})
            answers[table] = "ok"
        except ddb.exceptions.ClientError as error:
            answers[table] = [error.response["Error"]["Code"], error.response["Error"]["Message"]]
    return answers
"""


def crud_role_policy(table: str) -> tuple[dict, list[str]]:
    """The inline policy and managed policy ARNs of the role SAM makes for `Crud`."""
    processed = transform(
        load(TEMPLATE),
        parameters={"TableName": table},
        region="us-east-1",
        account_id="000000000000",
        stack_name="crud",
        include=None,
    )
    role = processed["Resources"]["CrudRole"]["Properties"]
    pseudo = Pseudo("us-east-1", "000000000000", "crud", "arn:aws:cloudformation:::stack/crud")
    resolver = Resolver({"TableName": table}, {}, {}, pseudo, str, lambda *_: "", lambda _: None)
    [inline] = role["Policies"]
    return resolver.resolve(inline["PolicyDocument"]), resolver.resolve(role["ManagedPolicyArns"])


def test_dynamodb_crud_policy_allows_its_table_only(
    server: RunningServer, make_table, function_name
) -> None:
    mine, other = make_table(), make_table()
    document, managed = crud_role_policy(mine)
    assert any(
        statement["Resource"][0].endswith(f":table/{mine}") for statement in document["Statement"]
    )
    iam = server.client("iam")
    role = f"crud-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"][
        "Arn"
    ]
    iam.put_role_policy(
        RoleName=role, PolicyName="CrudRolePolicy0", PolicyDocument=json.dumps(document)
    )
    for policy_arn in managed:
        iam.attach_role_policy(RoleName=role, PolicyArn=policy_arn)
    client = server.client("lambda")
    deploy(client, function_name, SOURCE, Role=arn, Timeout=30)

    answer = client.invoke(
        FunctionName=function_name, Payload=json.dumps({"mine": mine, "other": other})
    )
    answers = json.loads(answer["Payload"].read())

    assert answers[mine] == "ok"
    code, message = answers[other]
    assert code == "AccessDeniedException"
    assert message.startswith(f"User: arn:aws:sts::000000000000:assumed-role/{role}/")
    assert message.endswith(
        f"is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:us-east-1:000000000000:table/{other} because no identity-based "
        "policy allows the dynamodb:PutItem action"
    )
