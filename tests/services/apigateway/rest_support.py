"""Building REST APIs through boto3 for the data plane's tests: resources by path, methods
with their integrations, a deployment, and the URLs a client calls."""

from __future__ import annotations

EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000"
APIGATEWAY = "apigateway.amazonaws.com"


def lambda_uri(function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


class RestApi:
    """One REST API under construction: `resource("/pets/{id}")` makes the path's parts."""

    def __init__(self, apigw, name: str, **options) -> None:
        self.apigw = apigw
        created = apigw.create_rest_api(name=name, **options)
        self.id = created["id"]
        self._ids = {"/": created["rootResourceId"]}

    def resource(self, path: str) -> str:
        if path in self._ids:
            return self._ids[path]
        parent, _, part = path.rpartition("/")
        parent_id = self.resource(parent or "/")
        made = self.apigw.create_resource(restApiId=self.id, parentId=parent_id, pathPart=part)
        self._ids[path] = made["id"]
        return made["id"]

    def method(
        self, path: str, http_method: str, integration: dict, authorization: str = "NONE", **method
    ) -> None:
        resource_id = self.resource(path)
        self.apigw.put_method(
            restApiId=self.id, resourceId=resource_id, httpMethod=http_method,
            authorizationType=authorization, **method,
        )  # fmt: skip
        responses = integration.pop("responses", None)
        self.apigw.put_integration(
            restApiId=self.id, resourceId=resource_id, httpMethod=http_method, **integration
        )
        for status, response in (responses or {}).items():
            self.apigw.put_method_response(
                restApiId=self.id, resourceId=resource_id, httpMethod=http_method,
                statusCode=status,
            )  # fmt: skip
            self.apigw.put_integration_response(
                restApiId=self.id, resourceId=resource_id, httpMethod=http_method,
                statusCode=status, **response,
            )  # fmt: skip

    def proxy(self, path: str, http_method: str, function_arn: str, **method) -> None:
        integration = {
            "type": "AWS_PROXY",
            "integrationHttpMethod": "POST",
            "uri": lambda_uri(function_arn),
        }
        self.method(path, http_method, integration, **method)

    def deploy(self, stage: str = "prod", **options) -> None:
        self.apigw.create_deployment(restApiId=self.id, stageName=stage, **options)

    def url(self, endpoint: str, stage: str = "prod") -> str:
        return f"{endpoint}/restapis/{self.id}/{stage}/_user_request_"
