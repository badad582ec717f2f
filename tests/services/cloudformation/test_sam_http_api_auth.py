"""A SAM application whose HttpApi has a Lambda authorizer (Auth), deployed through
CloudFormation with boto3 and called over HTTP: the authorizer guards the route as on AWS."""

from __future__ import annotations

import json

from stack_waits import QUICK, wait

from support import RunningServer, http_call

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Guard:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            token = event["headers"].get("authorization")
            return {"isAuthorized": token == "let-me-in", "context": {"who": "tester"}}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: /hello, Method: get, ApiId: !Ref Api}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Guard
        Authorizers:
          Guard:
            FunctionArn: !GetAtt Guard.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization]}
  # SAM makes no permission for an HttpApi's Lambda authorizer: applications add it, for
  # API Gateway's authorizer source ARN (as on AWS, without it the authorizer fails: 500).
  GuardPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Guard
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub >-
        arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/*
Outputs:
  Url: {Value: !Sub "${Api.ApiEndpoint}"}
"""


def test_sam_http_api_with_a_lambda_authorizer(server: RunningServer, cf, stack_name: str) -> None:
    cf.create_stack(
        StackName=stack_name,
        TemplateBody=TEMPLATE,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = wait(cf, "stack_create_complete", stack_name)
    url = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}["Url"] + "/hello"
    status, _, body = http_call(url)
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    status, _, body = http_call(url, headers={"Authorization": "wrong"})
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    status, _, body = http_call(url, headers={"Authorization": "let-me-in"})
    assert (status, json.loads(body)) == (200, {"lambda": {"who": "tester"}})
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)
