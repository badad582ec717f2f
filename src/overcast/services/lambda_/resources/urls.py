"""AWS::Lambda::Url and AWS::Lambda::EventInvokeConfig: a function's (or alias's) URL and its
asynchronous invocation settings, through Lambda's own API operations.

As the CloudFormation resource reference and resource schemas have them:
- AWS::Lambda::Url: Ref and Fn::GetAtt `FunctionArn` are the function's ARN (its primary
  identifier); Fn::GetAtt `FunctionUrl` is the URL. TargetFunctionArn and Qualifier are
  create-only; AuthType, Cors and InvokeMode change in place.
- AWS::Lambda::EventInvokeConfig: FunctionName and Qualifier are create-only; the rest is put
  whole again on an update (PutFunctionEventInvokeConfig replaces the configuration, so a
  property dropped from the template returns to Lambda's default). It has no attributes.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    present,
)

URL_CREATE_ONLY = frozenset({"TargetFunctionArn", "Qualifier"})
INVOKE_CONFIG_CREATE_ONLY = frozenset({"FunctionName", "Qualifier"})
MAX_ID = 255


class UrlResource:
    type_name = "AWS::Lambda::Url"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        params = {**_target(request.properties), **_url_settings(request.properties)}
        made = self.calls.call(request, "CreateFunctionUrlConfig", params)
        return _url(made)

    def update(self, request: ResourceRequest) -> Provisioned:
        params = {
            **_target(request.properties),
            "Cors": {},  # dropped from the template: none
            "InvokeMode": "BUFFERED",
            **_url_settings(request.properties),
        }
        return _url(self.calls.call(request, "UpdateFunctionUrlConfig", params))

    def delete(self, request: ResourceRequest) -> None:
        self.calls.forget(request, "DeleteFunctionUrlConfig", _target(request.properties))

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, URL_CREATE_ONLY) else IN_PLACE


class EventInvokeConfigResource:
    type_name = "AWS::Lambda::EventInvokeConfig"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        self._put(request)
        config_id = physical_name(request.stack_name, request.logical_id, MAX_ID)
        return Provisioned(config_id, {})

    def update(self, request: ResourceRequest) -> Provisioned:
        self._put(request)
        return Provisioned(str(request.physical_id), {})

    def delete(self, request: ResourceRequest) -> None:
        props = request.properties
        params = present(props, ("FunctionName", "Qualifier"))
        self.calls.forget(request, "DeleteFunctionEventInvokeConfig", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, INVOKE_CONFIG_CREATE_ONLY) else IN_PLACE

    def _put(self, request: ResourceRequest) -> None:
        props = request.properties
        names = ("FunctionName", "Qualifier", "DestinationConfig")
        params = present(props, (*names, "MaximumRetryAttempts", "MaximumEventAgeInSeconds"))
        self.calls.call(request, "PutFunctionEventInvokeConfig", params)


def providers(calls: ServiceCalls) -> list:
    return [UrlResource(calls), EventInvokeConfigResource(calls)]


def _target(props: dict) -> dict:
    target = {"FunctionName": str(props.get("TargetFunctionArn", ""))}
    if props.get("Qualifier") is not None:
        target["Qualifier"] = str(props["Qualifier"])
    return target


def _url_settings(props: dict) -> dict:
    return present(props, ("AuthType", "Cors", "InvokeMode"))


def _url(answer: dict) -> Provisioned:
    arn, url = answer["FunctionArn"], answer["FunctionUrl"]
    return Provisioned(arn, {"FunctionArn": arn, "FunctionUrl": url})
