"""The SAM transform of real applications (as `sam init` and AWS's serverless patterns write
them) into the CloudFormation resources they deploy."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.template import (
    Pseudo,
    Resolver,
    TemplateError,
    load,
    order,
    summary,
    transform,
)

HELLO_WORLD = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: sam-app
Globals:
  Function:
    Timeout: 3
    MemorySize: 128
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://artifacts/hello-world.zip
      Handler: app.lambda_handler
      Runtime: python3.12
      Architectures: [x86_64]
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  HelloWorldApi:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/"
  HelloWorldFunctionIamRole:
    Value: !GetAtt HelloWorldFunctionRole.Arn
"""

HTTP_API_TABLE_QUEUE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
Globals:
  Function:
    Runtime: nodejs20.x
    Environment:
      Variables:
        TABLE: !Ref Orders
Resources:
  Orders:
    Type: AWS::Serverless::SimpleTable
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 60}
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://artifacts/api.zip
      Handler: api.handler
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Orders}
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: /orders, Method: GET}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://artifacts/worker.zip
      Handler: worker.handler
      Timeout: 30
      Events:
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 10}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
Outputs:
  Endpoint:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
"""


def processed(text: str, **parameters: object) -> dict:
    return transform(
        load(text),
        parameters=parameters,
        region="us-east-1",
        account_id="123456789012",
        stack_name="app",
        include=None,
    )


def types(template: dict) -> dict[str, str]:
    return {name: resource["Type"] for name, resource in template["Resources"].items()}


def test_hello_world_with_an_api_event() -> None:
    template = processed(HELLO_WORLD)
    resources = template["Resources"]
    kinds = types(template)
    assert kinds["HelloWorldFunction"] == "AWS::Lambda::Function"
    assert kinds["HelloWorldFunctionRole"] == "AWS::IAM::Role"
    assert kinds["HelloWorldFunctionHelloWorldPermissionProd"] == "AWS::Lambda::Permission"
    assert kinds["ServerlessRestApi"] == "AWS::ApiGateway::RestApi"
    assert kinds["ServerlessRestApiProdStage"] == "AWS::ApiGateway::Stage"
    assert [kind for kind in kinds.values()].count("AWS::ApiGateway::Deployment") == 1
    assert "Transform" not in template and "Globals" not in template

    function = resources["HelloWorldFunction"]["Properties"]
    assert function["Code"] == {"S3Bucket": "artifacts", "S3Key": "hello-world.zip"}
    assert (function["Timeout"], function["MemorySize"], function["Runtime"]) == (
        3,
        128,
        "python3.12",
    )
    assert function["Role"] == {"Fn::GetAtt": ["HelloWorldFunctionRole", "Arn"]}
    role = resources["HelloWorldFunctionRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    permission = resources["HelloWorldFunctionHelloWorldPermissionProd"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    paths = resources["ServerlessRestApi"]["Properties"]["Body"]["paths"]
    assert list(paths) == ["/hello"] and "get" in paths["/hello"]

    waves = order(template, set(resources))
    position = {name: index for index, wave in enumerate(waves) for name in wave}
    assert (
        position["HelloWorldFunctionRole"]
        < position["HelloWorldFunction"]
        < position["ServerlessRestApi"]
    )
    assert position["ServerlessRestApi"] < position["ServerlessRestApiProdStage"]


def test_http_api_table_crud_policy_sqs_and_schedule() -> None:
    template = processed(HTTP_API_TABLE_QUEUE, Stage="dev")
    kinds = types(template)
    assert kinds["Orders"] == "AWS::DynamoDB::Table"
    assert kinds["ServerlessHttpApi"] == "AWS::ApiGatewayV2::Api"
    assert kinds["ServerlessHttpApiApiGatewayDefaultStage"] == "AWS::ApiGatewayV2::Stage"
    assert kinds["ApiFunctionGetPermission"] == "AWS::Lambda::Permission"
    assert kinds["WorkerFunctionQueue"] == "AWS::Lambda::EventSourceMapping"
    assert kinds["WorkerFunctionNightly"] == "AWS::Events::Rule"
    assert kinds["WorkerFunctionNightlyPermission"] == "AWS::Lambda::Permission"

    resources = template["Resources"]
    role = resources["ApiFunctionRole"]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    actions = statements[0]["Action"]
    assert "dynamodb:PutItem" in actions and "dynamodb:Query" in actions
    worker_role = resources["WorkerFunctionRole"]["Properties"]
    assert (
        "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
        in worker_role["ManagedPolicyArns"]
    )
    mapping = resources["WorkerFunctionQueue"]["Properties"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["Jobs", "Arn"]}
    assert mapping["BatchSize"] == 10
    rule = resources["WorkerFunctionNightly"]["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 day)"
    environment = resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert environment == {"TABLE": {"Ref": "Orders"}}  # Globals merged in
    assert set(order(template, set(resources))[0]) >= {"Orders", "Jobs"}


def test_the_managed_policy_map_given_is_used_without_iam() -> None:
    text = HELLO_WORLD.replace(
        "      Architectures: [x86_64]\n",
        "      Policies: [AmazonS3ReadOnlyAccess, OvercastOnlyPolicy]\n",
    )
    template = transform(
        load(text),
        parameters={},
        region="us-east-1",
        account_id="123456789012",
        stack_name="app",
        include=None,
        managed_policies={"OvercastOnlyPolicy": "arn:aws:iam::aws:policy/OvercastOnlyPolicy"},
    )
    arns = template["Resources"]["HelloWorldFunctionRole"]["Properties"]["ManagedPolicyArns"]
    assert "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" in arns
    assert "arn:aws:iam::aws:policy/OvercastOnlyPolicy" in arns


def test_partition_follows_the_region() -> None:
    template = transform(
        load(HELLO_WORLD),
        parameters={},
        region="cn-north-1",
        account_id="123456789012",
        stack_name="app",
        include=None,
    )
    role = template["Resources"]["HelloWorldFunctionRole"]["Properties"]
    assert role["ManagedPolicyArns"][0].startswith("arn:aws-cn:iam::aws:policy/")


def test_an_invalid_sam_resource_fails_in_cloudformation_s_words() -> None:
    text = HELLO_WORLD.replace(
        "      Handler: app.lambda_handler\n", "      Handler: app.h\n      Frobnicate: 1\n"
    )
    with pytest.raises(TemplateError) as caught:
        processed(text)
    message = caught.value.message
    assert message.startswith(
        "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application "
        "Specification document. Number of errors found: 1. Resource with id "
        "[HelloWorldFunction] is invalid."
    )


def test_a_serverless_application_from_sar_is_not_fetched() -> None:
    text = """
Transform: AWS::Serverless-2016-10-31
Resources:
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x
        SemanticVersion: 1.0.0
"""
    with pytest.raises(TemplateError, match="Transform AWS::Serverless-2016-10-31 failed with"):
        processed(text)


def test_the_summary_of_a_sam_template_reads_its_processed_resources() -> None:
    original = load(HELLO_WORLD)
    result = summary(original, processed(HELLO_WORLD))
    assert result["DeclaredTransforms"] == ["AWS::Serverless-2016-10-31"]
    assert result["Capabilities"] == ["CAPABILITY_IAM"]
    assert (
        result["CapabilitiesReason"]
        == "The following resource(s) require capabilities: [AWS::IAM::Role]"
    )
    assert "AWS::Lambda::Function" in result["ResourceTypes"]
    assert result["Description"] == "sam-app"


def test_outputs_resolve_against_the_deployed_resources() -> None:
    template = processed(HELLO_WORLD)
    pseudo = Pseudo(
        "us-east-1",
        "123456789012",
        "app",
        "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1",
    )
    resolver = Resolver(
        {},
        {},
        {},
        pseudo,
        refs={"ServerlessRestApi": "a1b2c3"}.__getitem__,
        attributes=lambda name, attribute: f"arn:aws:iam::123456789012:role/{name}",
        exports=lambda name: None,
    )
    outputs = {
        name: resolver.resolve(output["Value"]) for name, output in template["Outputs"].items()
    }
    assert (
        outputs["HelloWorldApi"] == "https://a1b2c3.execute-api.us-east-1.amazonaws.com/Prod/hello/"
    )


def test_the_translator_is_imported_only_for_a_sam_template() -> None:
    """aws-sam-translator costs about a second of imports (boto3, pydantic, jsonschema)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from overcast.services.cloudformation.template import load, transform\n"
        "t = load('Resources: {Q: {Type: AWS::SQS::Queue}}')\n"
        "transform(t, parameters={}, region='us-east-1', account_id='1', stack_name='s',"
        " include=None)\n"
        "print('samtranslator' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
