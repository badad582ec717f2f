"""What each CloudFormation operation needs of IAM ("Actions, resources, and condition keys for
AWS CloudFormation", Service Authorization Reference): `cloudformation:<Operation>` on the
stack it names, `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/*` for a stack named by
name (its id is the ARN itself); change set operations act on their stack. Operations on no
stack (ListStacks, ListExports, ValidateTemplate, ...) act on `*`.

Condition keys set: `cloudformation:RoleArn`, `cloudformation:ChangeSetName`, and the request
tags of CreateStack, UpdateStack and CreateChangeSet.
"""

from __future__ import annotations

from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions

UNSCOPED = frozenset(
    {
        "ListStacks", "ListExports", "ListImports", "ValidateTemplate",
        "EstimateTemplateCost", "DescribeAccountLimits",
    }
)  # fmt: skip
TAGGING = frozenset({"CreateStack", "UpdateStack", "CreateChangeSet"})


def cloudformation_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"cloudformation:{operation}"
    name = params.get("StackName")
    if operation in UNSCOPED or not isinstance(name, str) or not name:
        return Access((Need(action, "*"),), _conditions(operation, params))
    return Access((Need(action, stack_arn(name, context)),), _conditions(operation, params))


def stack_arn(name_or_id: str, context: RequestContext) -> str:
    if name_or_id.startswith("arn:"):
        return name_or_id
    return f"arn:aws:cloudformation:{context.region}:{context.account_id}:stack/{name_or_id}/*"


def _conditions(operation: str, params: dict) -> dict[str, str | list[str]]:
    found: dict[str, str | list[str]] = {}
    if isinstance(params.get("RoleARN"), str):
        found["cloudformation:RoleArn"] = params["RoleARN"]
    if isinstance(params.get("ChangeSetName"), str):
        found["cloudformation:ChangeSetName"] = params["ChangeSetName"]
    if operation in TAGGING and params.get("Tags"):
        found.update(tag_conditions(pairs(params.get("Tags"))))
    return found
