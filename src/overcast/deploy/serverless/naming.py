"""The framework's names for what it compiles (lib/plugins/aws/lib/naming.js), so a stack
deployed here has the logical ids, names and outputs the same project has on AWS."""

from __future__ import annotations

import re


def normalize_name(name: str) -> str:
    """naming.js normalizeName: the first letter upper-cased."""
    return name[:1].upper() + name[1:]


def normalize_name_to_alphanumeric(name: str) -> str:
    """naming.js normalizeNameToAlphaNumericOnly."""
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", name))


def normalize_path_part(part: str) -> str:
    """naming.js normalizePathPart: `user-id` -> `UserDashid`, `{id}` -> `IdVar`."""
    text = part[:1].upper() + part[1:].lower()  # lodash capitalize
    text = text.replace("-", "Dash")
    text = re.sub(r"\{(.*)\}", r"\1Var", text)
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", text))


def function_id(key: str) -> str:
    """naming.js getNormalizedFunctionName: `-` -> Dash, `_` -> Underscore, first letter up."""
    return normalize_name(key.replace("-", "Dash").replace("_", "Underscore"))


def function_logical_id(key: str) -> str:
    """`hello` -> `HelloLambdaFunction`."""
    return f"{function_id(key)}LambdaFunction"


def log_group_logical_id(key: str) -> str:
    return f"{function_id(key)}LogGroup"


ROLE_LOGICAL_ID = "IamRoleLambdaExecution"


# --- HTTP events (http_api.py, rest_api/, websocket.py): naming.js's API Gateway names ---


def normalize_path(path: str) -> str:
    """naming.js normalizePath: `users/{id}` -> `UsersIdVar`; `GET /notes` -> `GetNotes`."""
    return "".join(normalize_path_part(part) for part in path.split("/"))


def start_case(text: str) -> str:
    """lodash startCase without its spaces: `application/json` -> `ApplicationJson`."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", text)
    return "".join(word[:1].upper() + word[1:] for word in words)


def camel_case_upper(text: str) -> str:
    """lodash upperFirst(camelCase(text)): `post-create model` -> `PostCreateModel`."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", text)
    return "".join(word[:1].upper() + word[1:].lower() for word in words)


def target_alias(key: str, function: dict) -> tuple[str, str] | None:
    """(alias name, alias logical id) that events call instead of the function's $LATEST:
    functions.js sets `targetAlias` for provisionedConcurrency, then (winning) snapStart."""
    if function.get("snapStart"):
        return SNAP_START_ALIAS, snap_start_alias_logical_id(key)
    concurrency = function.get("provisionedConcurrency")
    if concurrency:
        alias = (concurrency.get("alias") if isinstance(concurrency, dict) else None) or (
            PROVISIONED_ALIAS
        )
        return alias, provisioned_alias_logical_id(key, alias)
    return None


HTTP_API_LOGICAL_ID = "HttpApi"
HTTP_API_STAGE_LOGICAL_ID = "HttpApiStage"
HTTP_API_LOG_GROUP_LOGICAL_ID = "HttpApiLogGroup"


def http_api_integration_logical_id(key: str) -> str:
    return f"HttpApiIntegration{function_id(key)}"


def http_api_route_logical_id(route_key: str) -> str:
    """`*` -> HttpApiRouteDefault; `GET /notes/{id}` -> HttpApiRouteGetNotesIdVar."""
    return "HttpApiRouteDefault" if route_key == "*" else f"HttpApiRoute{normalize_path(route_key)}"


def http_api_authorizer_logical_id(name: str) -> str:
    return f"HttpApiAuthorizer{function_id(name)}"


def lambda_http_api_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionHttpApi"


def lambda_authorizer_http_api_permission_logical_id(name: str) -> str:
    return f"{function_id(name)}LambdaAuthorizerPermissionHttpApi"


REST_API_LOGICAL_ID = "ApiGatewayRestApi"


def rest_resource_logical_id(path: str) -> str:
    return f"ApiGatewayResource{normalize_path(path)}"


def rest_method_logical_id(resource_name: str, method: str) -> str:
    """`ApiGatewayMethod` + the resource's name + `Get`/`Post`... (normalizeMethodName)."""
    return f"ApiGatewayMethod{resource_name}{normalize_name(method.lower())}"


def rest_validator_logical_id(service_name: str) -> str:
    return f"ApiGateway{normalize_name_to_alphanumeric(service_name)}RequestValidator"


def rest_model_logical_id(schema_id: str) -> str:
    return f"ApiGateway{camel_case_upper(schema_id)}Model"


def rest_endpoint_model_logical_id(resource_name: str, method: str, content_type: str) -> str:
    return f"{rest_method_logical_id(resource_name, method)}{start_case(content_type)}Model"


def rest_api_key_logical_id(number: int, plan: str | None = None) -> str:
    return f"ApiGatewayApiKey{normalize_name(plan) if plan else ''}{number}"


def rest_usage_plan_logical_id(plan: str | None = None) -> str:
    return f"ApiGatewayUsagePlan{normalize_name(plan) if plan else ''}"


def rest_usage_plan_key_logical_id(number: int, plan: str | None = None) -> str:
    return f"ApiGatewayUsagePlanKey{normalize_name(plan) if plan else ''}{number}"


def rest_authorizer_logical_id(name: str) -> str:
    return f"{function_id(name)}ApiGatewayAuthorizer"


def rest_deployment_logical_id(instance: str) -> str:
    return f"ApiGatewayDeployment{instance}"


def lambda_api_gateway_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionApiGateway"


WEBSOCKETS_API_LOGICAL_ID = "WebsocketsApi"
WEBSOCKETS_STAGE_LOGICAL_ID = "WebsocketsDeploymentStage"


def websockets_integration_logical_id(key: str) -> str:
    return f"{function_id(key)}WebsocketsIntegration"


def lambda_websockets_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionWebsockets"


def websockets_route_logical_id(route: str) -> str:
    """`$connect` -> SconnectWebsocketsRoute (getNormalizedWebsocketsRouteKey)."""
    for old, new in (
        ("$", "S"),
        ("/", "Slash"),
        ("-", "Dash"),
        ("_", "Underscore"),
        (".", "Period"),
    ):
        route = route.replace(old, new)
    return f"{route}WebsocketsRoute"


def websockets_route_response_logical_id(route: str) -> str:
    return f"{websockets_route_logical_id(route)}Response"


def websockets_deployment_logical_id(digest: str) -> str:
    return f"WebsocketsDeployment{re.sub(r'[^0-9a-zA-Z]', '', digest)}"


def websockets_authorizer_logical_id(name: str) -> str:
    return f"{function_id(name)}WebsocketsAuthorizer"


# Asynchronous events (events/sqs.py, sns.py, s3.py, schedule.py, event_bridge.py, stream.py)


def queue_mapping_logical_id(key: str, queue_name: str) -> str:
    """getQueueLogicalId: `HelloEventSourceMappingSQSMyQueue`."""
    return f"{function_id(key)}EventSourceMappingSQS{normalize_name_to_alphanumeric(queue_name)}"


def topic_logical_id(topic_name: str) -> str:
    """getTopicLogicalId: `SNSTopicMytopic`."""
    return f"SNSTopic{normalize_name_to_alphanumeric(topic_name)}"


def topic_dlq_policy_logical_id(key: str, topic_name: str) -> str:
    """getTopicDLQPolicyLogicalId: `MytopicToHelloDLQPolicy`."""
    return f"{normalize_name_to_alphanumeric(topic_name)}To{function_id(key)}DLQPolicy"


def sns_permission_logical_id(key: str, topic_name: str) -> str:
    """getLambdaSnsPermissionLogicalId: `HelloLambdaPermissionMytopicSNS`."""
    return f"{function_id(key)}LambdaPermission{normalize_name_to_alphanumeric(topic_name)}SNS"


def sns_subscription_logical_id(key: str, topic_name: str) -> str:
    """getLambdaSnsSubscriptionLogicalId: `HelloSnsSubscriptionMytopic`."""
    return f"{function_id(key)}SnsSubscription{normalize_name_to_alphanumeric(topic_name)}"


def bucket_logical_id(bucket_name: str) -> str:
    """getBucketLogicalId: `S3BucketMybucket` (dots and dashes dropped)."""
    return f"S3Bucket{normalize_name_to_alphanumeric(bucket_name)}"


def s3_permission_logical_id(key: str, bucket_name: str) -> str:
    """getLambdaS3PermissionLogicalId: `HelloLambdaPermissionMybucketS3`."""
    return f"{function_id(key)}LambdaPermission{normalize_name_to_alphanumeric(bucket_name)}S3"


def custom_s3_logical_id(key: str) -> str:
    """getCustomResourceS3ResourceLogicalId: `HelloCustomS31` (the 1 kept for compatibility)."""
    return f"{function_id(key)}CustomS31"


def schedule_rule_logical_id(key: str, number: int) -> str:
    """getScheduleLogicalId: `HelloEventsRuleSchedule1`."""
    return f"{function_id(key)}EventsRuleSchedule{number}"


def scheduler_schedule_logical_id(key: str, number: int) -> str:
    """getSchedulerScheduleLogicalId: `HelloSchedulerSchedule1`."""
    return f"{function_id(key)}SchedulerSchedule{number}"


def schedule_permission_logical_id(key: str, number: int) -> str:
    """getLambdaSchedulePermissionLogicalId: `HelloLambdaPermissionEventsRuleSchedule1`."""
    return f"{function_id(key)}LambdaPermissionEventsRuleSchedule{number}"


def stream_mapping_logical_id(key: str, stream_type: str, stream_name: str) -> str:
    """getStreamLogicalId: `HelloEventSourceMappingDynamodbUsers`."""
    name = normalize_name_to_alphanumeric(stream_name)
    return f"{function_id(key)}EventSourceMapping{normalize_name(stream_type)}{name}"


def event_bus_logical_id(bus_name: str) -> str:
    """getEventBridgeEventBusLogicalId: `MyDashbusEventBridgeEventBus`."""
    return f"{function_id(bus_name)}EventBridgeEventBus"


def event_bridge_rule_logical_id(rule_name: str) -> str:
    """getEventBridgeRuleLogicalId: `Notesdevhellorule1EventBridgeRule`."""
    return f"{normalize_name_to_alphanumeric(rule_name)}EventBridgeRule"


def event_bridge_permission_logical_id(key: str, index: int) -> str:
    """getEventBridgeLambdaPermissionLogicalId: `HelloEventBridgeLambdaPermission1`."""
    return f"{function_id(key)}EventBridgeLambdaPermission{index}"


# What `overcast info` and `overcast remove` read from a deployed stack (cli).
SERVICE_ENDPOINT_OUTPUT = re.compile(r"^(ServiceEndpoint|HttpApiUrl)")  # getServiceEndpointRegex


def layer_output_id(key: str) -> str:
    """naming.js getLambdaLayerOutputLogicalId: `deps` -> `DepsLambdaLayerQualifiedArn`."""
    return f"{function_id(key)}LambdaLayerQualifiedArn"


# core: functions, versions, aliases, URLs, layers, the deployment bucket (naming.js)
DEPLOYMENT_BUCKET_LOGICAL_ID = "ServerlessDeploymentBucket"
DEPLOYMENT_BUCKET_POLICY_LOGICAL_ID = "ServerlessDeploymentBucketPolicy"
DEPLOYMENT_BUCKET_OUTPUT = "ServerlessDeploymentBucketName"
PROVISIONED_ALIAS = "provisioned"  # getLambdaProvisionedConcurrencyAliasName
SNAP_START_ALIAS = "snapstart"  # getLambdaSnapStartEnabledAliasName


def version_logical_id(key: str, digest: str) -> str:
    """`HelloLambdaVersion<digest, alphanumerics only>`: a new id for new code or config, as
    AWS::Lambda::Version cannot be updated."""
    return f"{function_id(key)}LambdaVersion{re.sub(r'[^0-9A-Za-z]', '', digest)}"


def version_output_id(key: str) -> str:
    return f"{function_logical_id(key)}QualifiedArn"


def provisioned_alias_logical_id(key: str, alias: str) -> str:
    if alias == PROVISIONED_ALIAS:
        return f"{function_id(key)}ProvConcLambdaAlias"
    return f"{function_id(key)}ProvConc{function_id(alias)}LambdaAlias"


def snap_start_alias_logical_id(key: str) -> str:
    return f"{function_id(key)}SnapStartLambdaAlias"


def function_url_logical_id(key: str) -> str:
    """The AWS::Lambda::Url resource and its output share this id."""
    return f"{function_id(key)}LambdaFunctionUrl"


def function_url_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionFnUrl"


def event_invoke_config_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaEvConf"


def layer_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaLayer"


def layer_permission_logical_id(key: str, account: str) -> str:
    return f"{function_id(key)}{account.replace('*', 'Wild')}LambdaLayerPermission"


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def function_url_invoke_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionFnUrlInvokeFunction"
