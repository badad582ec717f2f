"""What each Parameter Store operation needs of IAM ("Actions, resources, and condition keys
for AWS Systems Manager", Service Authorization Reference; "Restricting access to Parameter
Store parameters using IAM policies", Systems Manager User Guide).

A parameter's ARN drops the name's leading slash: `/app/db` is
`arn:aws:ssm:R:A:parameter/app/db`, `x` is `.../parameter/x`. A name may carry a version or
label selector (`/app/db:3`), which is not part of the resource. GetParameters and
DeleteParameters need their action on each parameter named; GetParametersByPath needs its
action on the path's ARN (`parameter/app` for `/app`), with `ssm:Recursive`;
DescribeParameters acts on `*`.

A SecureString read WithDecryption also needs `kms:Decrypt` on its key (written:
`kms:Encrypt`), which AWS asks as Systems Manager calling KMS for the caller: that check is
KMS's, made when the value is opened or sealed (parameters.py, through the kernels' keys).
Not checked: the keys that need a read of the parameter (`aws:ResourceTag/*`).
"""

from __future__ import annotations

from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.ssm.names import parameter_arn, split_selector

# On the parameter `Name` names; the action is the operation's name.
ONE_PARAMETER = frozenset(
    {
        "DeleteParameter", "GetParameter", "GetParameterHistory", "LabelParameterVersion",
        "PutParameter", "UnlabelParameterVersion",
    }
)  # fmt: skip
# On each parameter `Names` lists.
EACH_PARAMETER = frozenset({"DeleteParameters", "GetParameters"})
# On the resource ResourceType and ResourceId name (only parameters here).
TAG_OPERATIONS = frozenset({"AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource"})

Conditions = dict[str, str | list[str]]


def ssm_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"ssm:{operation}"
    if operation in ONE_PARAMETER:
        conditions = _put_conditions(params) if operation == "PutParameter" else {}
        return Access((Need(action, _parameter(params.get("Name"), context)),), conditions)
    if operation in EACH_PARAMETER:
        names = params.get("Names")
        named = names if isinstance(names, list) else []
        resources = dict.fromkeys(_parameter(name, context) for name in named) or {"*": None}
        return Access(tuple(Need(action, resource) for resource in resources))
    if operation == "GetParametersByPath":
        path = params.get("Path")
        recursive = _text(bool(params.get("Recursive")))
        resource = _parameter(path, context) if isinstance(path, str) and path else "*"
        return Access((Need(action, resource),), {"ssm:Recursive": recursive})
    if operation in TAG_OPERATIONS:
        return _tagging(action, operation, params, context)
    return Access.of(action)  # DescribeParameters, and any not listed: on `*`


def _parameter(name: object, context: RequestContext) -> str:
    """The ARN of the parameter a Name (maybe an ARN, maybe with a selector) names."""
    if not isinstance(name, str) or not name:
        return "*"
    base, _ = split_selector(name)
    if base.startswith("arn:"):
        return base  # an ARN that is not a parameter's: the operation refuses it
    return parameter_arn(context.region, context.account_id, base)


def _put_conditions(params: dict) -> Conditions:
    """PutParameter's `ssm:Overwrite`, `ssm:Policies` and tag keys."""
    found: Conditions = {"ssm:Overwrite": _text(bool(params.get("Overwrite")))}
    if isinstance(params.get("Policies"), str):
        found["ssm:Policies"] = params["Policies"]
    tags = params.get("Tags")
    return found | tag_conditions(pairs(tags if isinstance(tags, list) else None))


def _tagging(action: str, operation: str, params: dict, context: RequestContext) -> Access:
    resource = "*"
    if params.get("ResourceType") == "Parameter":
        resource = _parameter(params.get("ResourceId"), context)
    conditions: Conditions = {}
    if operation == "AddTagsToResource":
        tags = params.get("Tags")
        conditions = tag_conditions(pairs(tags if isinstance(tags, list) else None))
    elif operation == "RemoveTagsFromResource":
        keys = params.get("TagKeys")
        conditions = tag_key_conditions(keys if isinstance(keys, list) else None)
    return Access((Need(action, resource),), conditions)


def _text(value: bool) -> str:
    return "true" if value else "false"
