"""What each Lambda operation needs of IAM: its action, the ARN it acts on, the condition
keys the request sets ("Actions, resources, and condition keys for AWS Lambda", Service
Authorization Reference; "Fine-tuning the Resources and Conditions sections of policies",
Lambda Developer Guide).

A function is named by name, partial ARN or ARN, each maybe qualified; all of them resolve to
the function's ARN, qualified as the request names it (a name's `:qualifier` suffix or the
Qualifier parameter). IAM matches qualified ARNs as given: a policy on
`function:f` does not cover `function:f:live`, as Lambda documents. No lookup is made for a
function: the ARN is built from the request's text, so the check costs Invoke no store read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, AccessMap, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import tag_conditions, tag_key_conditions
from overcast.services.lambda_.model.arn import function_arn, parse_function_name
from overcast.services.lambda_.model.layer import layer_arn, parse_layer_name

# Operations whose resource is the function (qualified as named); the action is the
# operation's own name.
FUNCTION_OPERATIONS = frozenset(
    {
        "AddPermission", "CreateAlias", "CreateFunction", "CreateFunctionUrlConfig",
        "DeleteAlias", "DeleteFunction", "DeleteFunctionCodeSigningConfig",
        "DeleteFunctionConcurrency", "DeleteFunctionEventInvokeConfig",
        "DeleteFunctionUrlConfig", "DeleteProvisionedConcurrencyConfig", "GetAlias",
        "GetFunction", "GetFunctionCodeSigningConfig", "GetFunctionConcurrency",
        "GetFunctionConfiguration", "GetFunctionEventInvokeConfig",
        "GetFunctionRecursionConfig", "GetFunctionUrlConfig", "GetPolicy",
        "GetProvisionedConcurrencyConfig", "GetRuntimeManagementConfig", "ListAliases",
        "ListFunctionEventInvokeConfigs", "ListFunctionUrlConfigs",
        "ListProvisionedConcurrencyConfigs", "ListVersionsByFunction", "PublishVersion",
        "PutFunctionCodeSigningConfig",
        "PutFunctionConcurrency", "PutFunctionEventInvokeConfig",
        "PutFunctionRecursionConfig", "PutProvisionedConcurrencyConfig",
        "PutRuntimeManagementConfig", "RemovePermission", "UpdateAlias",
        "UpdateFunctionCode", "UpdateFunctionConfiguration",
        "UpdateFunctionEventInvokeConfig", "UpdateFunctionUrlConfig",
    }
)  # fmt: skip
# A version of a layer (LayerName + VersionNumber).
LAYER_VERSION_OPERATIONS = frozenset(
    {
        "AddLayerVersionPermission", "DeleteLayerVersion", "GetLayerVersion",
        "GetLayerVersionPolicy", "RemoveLayerVersionPermission",
    }
)  # fmt: skip
# No resource: the reference lists none, so policies grant them on `*`.
UNSCOPED_OPERATIONS = frozenset(
    {
        "CreateCodeSigningConfig", "CreateEventSourceMapping", "GetAccountSettings",
        "ListCodeSigningConfigs", "ListEventSourceMappings", "ListFunctions",
        "ListLayerVersions", "ListLayers",
    }
)  # fmt: skip
CODE_SIGNING_OPERATIONS = frozenset(
    {
        "DeleteCodeSigningConfig", "GetCodeSigningConfig", "ListFunctionsByCodeSigningConfig",
        "UpdateCodeSigningConfig",
    }
)  # fmt: skip
MAPPING_OPERATIONS = frozenset(
    {"DeleteEventSourceMapping", "GetEventSourceMapping", "UpdateEventSourceMapping"}
)
TAG_OPERATIONS = frozenset({"ListTags", "TagResource", "UntagResource"})

# The function an event source mapping feeds, by UUID (None when there is no such mapping).
MappingFunction = Callable[[str], str | None]


def lambda_access(mapping_function: MappingFunction | None = None) -> AccessMap:
    """Lambda's AccessMap; `mapping_function` gives `lambda:FunctionArn` for the operations
    on an existing event source mapping (the request names only its UUID)."""

    def access(operation: str, params: dict, context: RequestContext) -> Access:
        if operation in FUNCTION_OPERATIONS:
            return _on_function(operation, params, context)
        if operation in LAYER_VERSION_OPERATIONS:
            layer = _layer(params, context, params.get("VersionNumber"))
            return Access.of(f"lambda:{operation}", layer)
        if operation == "GetLayerVersionByArn":  # "this action also supports GetLayerVersionByArn"
            return Access.of("lambda:GetLayerVersion", str(params.get("Arn", "*")))
        if operation == "PublishLayerVersion":
            return Access.of("lambda:PublishLayerVersion", _layer(params, context, None))
        if operation in CODE_SIGNING_OPERATIONS:
            return Access.of(f"lambda:{operation}", str(params.get("CodeSigningConfigArn", "*")))
        if operation in MAPPING_OPERATIONS:
            return _on_mapping(operation, params, context, mapping_function)
        if operation in TAG_OPERATIONS:
            return _tagging(operation, params)
        if operation == "CreateEventSourceMapping":
            found = {"lambda:FunctionArn": _function(params, context)}
            return Access((Need("lambda:CreateEventSourceMapping"),), found | _tags(params))
        if operation == "CreateCodeSigningConfig":
            return Access((Need("lambda:CreateCodeSigningConfig"),), _tags(params))
        return Access.of(f"lambda:{operation}")  # the unscoped ones, and any not listed

    return access


@lru_cache(maxsize=4096)
def invoke_access(
    region: str, account_id: str, function_name: str, qualifier: str | None
) -> Access:
    """Invoke's and InvokeWithResponseStream's access: `lambda:InvokeFunction` on the function
    as named (the reference has no action of its own for the streaming form). Cached: the
    hot path asks with the same few names over and over."""
    return Access.of(
        "lambda:InvokeFunction", named_arn(region, account_id, function_name, qualifier)
    )


def named_arn(region: str, account_id: str, function_name: str, qualifier: str | None) -> str:
    """The ARN a FunctionName (any of its forms) and a Qualifier name; a name in none of
    Lambda's forms is kept as the ARN's name (the operation then refuses it)."""
    ref = parse_function_name(function_name)
    if ref is None:
        return function_arn(region, account_id, function_name, qualifier or None)
    return ref.arn(region, account_id, ref.qualifier or qualifier or None)


def _function(params: dict, context: RequestContext) -> str:
    name = str(params.get("FunctionName", ""))
    return named_arn(context.region, context.account_id, name, params.get("Qualifier"))


def _on_function(operation: str, params: dict, context: RequestContext) -> Access:
    function = _function(params, context)
    needs = [Need(f"lambda:{operation}", function)]
    conditions: dict[str, str | list[str]] = {}
    if operation in ("CreateFunction", "UpdateFunctionConfiguration"):
        conditions |= _configuration_conditions(params)
        if params.get("Role"):  # "iam:PassRole" is what lets a caller hand Lambda a role
            needs.append(Need("iam:PassRole", str(params["Role"])))
            conditions["iam:PassedToService"] = "lambda.amazonaws.com"
    if operation == "CreateFunction":
        conditions |= _tags(params)
    if operation == "PutFunctionCodeSigningConfig":
        signing = str(params.get("CodeSigningConfigArn", "*"))
        needs.insert(0, Need("lambda:PutFunctionCodeSigningConfig", signing))
        conditions["lambda:CodeSigningConfigArn"] = signing
    if operation in ("AddPermission", "RemovePermission") and params.get("Principal"):
        conditions["lambda:Principal"] = str(params["Principal"])
    # The auth type a URL config or a permission for URLs sets (Get/Delete would need a read).
    auth_type = params.get("AuthType" if "Url" in operation else "FunctionUrlAuthType")
    if auth_type:
        conditions["lambda:FunctionUrlAuthType"] = str(auth_type)
    if operation.endswith("FunctionUrlConfig"):
        conditions["lambda:FunctionArn"] = function
    return Access(tuple(needs), conditions)


def _configuration_conditions(params: dict) -> dict[str, str | list[str]]:
    """`lambda:Layer`, `lambda:SubnetIds`, `lambda:SecurityGroupIds`, `lambda:CodeSigningConfigArn`
    (`lambda:VpcIds` needs the subnets' VPC, which Overcast does not know)."""
    found: dict[str, str | list[str]] = {}
    if params.get("Layers"):
        found["lambda:Layer"] = [str(layer) for layer in params["Layers"]]
    vpc = params.get("VpcConfig") or {}
    if vpc.get("SubnetIds"):
        found["lambda:SubnetIds"] = [str(s) for s in vpc["SubnetIds"]]
    if vpc.get("SecurityGroupIds"):
        found["lambda:SecurityGroupIds"] = [str(s) for s in vpc["SecurityGroupIds"]]
    if params.get("CodeSigningConfigArn"):
        found["lambda:CodeSigningConfigArn"] = str(params["CodeSigningConfigArn"])
    return found


def _layer(params: dict, context: RequestContext, version: object) -> str:
    """A LayerName (name or layer ARN) as the layer's ARN, with the version when given."""
    text = str(params.get("LayerName", ""))
    named = parse_layer_name(text)
    region, account = context.region, context.account_id
    if named is None:
        return arn("lambda", region, account, f"layer:{text}" + (f":{version}" if version else ""))
    number = int(version) if isinstance(version, int) or str(version).isdigit() else None
    return layer_arn(named.region or region, named.account_id or account, named.name, number)


def _on_mapping(
    operation: str, params: dict, context: RequestContext, lookup: MappingFunction | None
) -> Access:
    uuid = str(params.get("UUID", ""))
    mapping = arn("lambda", context.region, context.account_id, f"event-source-mapping:{uuid}")
    if operation == "UpdateEventSourceMapping" and params.get("FunctionName"):
        function = _function(params, context)
    else:
        function = lookup(uuid) if lookup is not None else None
    conditions = {"lambda:FunctionArn": function} if function else {}
    return Access((Need(f"lambda:{operation}", mapping),), conditions)


def _tagging(operation: str, params: dict) -> Access:
    resource = str(params.get("Resource", "*"))
    if operation == "TagResource":
        conditions = tag_conditions(params.get("Tags"))
    elif operation == "UntagResource":
        conditions = tag_key_conditions(params.get("TagKeys"))
    else:
        conditions = {}
    return Access((Need(f"lambda:{operation}", resource),), conditions)


def _tags(params: dict) -> dict[str, str | list[str]]:
    tags = params.get("Tags")
    return tag_conditions(tags) if isinstance(tags, dict) else {}
