"""What each CloudWatch Logs operation needs of IAM ("Actions, resources, and condition keys
for Amazon CloudWatch Logs", Service Authorization Reference): its action on the log group
or log stream it names.

The ARNs, as "CloudWatch Logs resources and operations" gives them: a log group's actions
act on `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME:*` (the form DescribeLogGroups
returns, which policies name for all but the tagging actions), a stream's on
`...:log-group:NAME:log-stream:STREAM`, and TagResource, UntagResource and
ListTagsForResource on the ARN without the trailing `:*`, as the request gives it.
"""

from __future__ import annotations

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import tag_conditions, tag_key_conditions

GROUP_OPERATIONS = frozenset(
    {
        "CreateLogGroup", "DeleteLogGroup", "DeleteMetricFilter", "DeleteRetentionPolicy",
        "DeleteSubscriptionFilter", "DescribeLogStreams", "DescribeMetricFilters",
        "DescribeSubscriptionFilters", "FilterLogEvents", "ListTagsLogGroup",
        "PutMetricFilter", "PutRetentionPolicy", "PutSubscriptionFilter", "TagLogGroup",
        "UntagLogGroup",
    }
)  # fmt: skip
STREAM_OPERATIONS = frozenset(
    {"CreateLogStream", "DeleteLogStream", "GetLogEvents", "PutLogEvents"}
)
TAG_OPERATIONS = frozenset({"ListTagsForResource", "TagResource", "UntagResource"})
# No resource in the reference. GetQueryResults lists the query's log groups, which the
# request does not name (only its queryId): asked on `*`.
UNSCOPED = frozenset(
    {"DescribeLogGroups", "DescribeQueries", "StopQuery", "TestMetricFilter", "GetQueryResults"}
)


def logs_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"logs:{operation}"
    if operation in GROUP_OPERATIONS:
        group = group_arn(_group(params), context)
        needs = [Need(action, group)]
        if operation == "PutSubscriptionFilter":
            destination = str(params.get("destinationArn") or "")
            if ":logs:" in destination and ":destination:" in destination:
                needs.append(Need(action, destination))
        return Access(tuple(needs), _conditions(operation, params))
    if operation in STREAM_OPERATIONS:
        stream = stream_arn(_group(params), str(params.get("logStreamName", "")), context)
        return Access.of(action, stream)
    if operation in TAG_OPERATIONS:
        resource = str(params.get("resourceArn") or "*")
        return Access((Need(action, resource),), _conditions(operation, params))
    if operation == "StartQuery":
        groups = [*(params.get("logGroupNames") or ()), *(params.get("logGroupIdentifiers") or ())]
        if params.get("logGroupName"):
            groups.insert(0, params["logGroupName"])
        arns = dict.fromkeys(group_arn(str(g), context) for g in groups)
        return Access(tuple(Need(action, a) for a in arns) or (Need(action),))
    return Access.of(action)


def group_arn(name_or_arn: str, context: RequestContext) -> str:
    """`...:log-group:NAME:*` of a log group named by name or ARN (with or without `:*`)."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn if name_or_arn.endswith(":*") else f"{name_or_arn}:*"
    return arn("logs", context.region, context.account_id, f"log-group:{name_or_arn}:*")


def stream_arn(group: str, stream: str, context: RequestContext) -> str:
    base = group_arn(group, context).removesuffix(":*")
    return f"{base}:log-stream:{stream}"


def _group(params: dict) -> str:
    return str(params.get("logGroupName") or params.get("logGroupIdentifier") or "")


def _conditions(operation: str, params: dict) -> dict[str, str | list[str]]:
    tags = params.get("tags")
    if operation in ("CreateLogGroup", "TagLogGroup", "TagResource") and isinstance(tags, dict):
        return tag_conditions(tags)
    if operation in ("UntagLogGroup", "UntagResource"):
        return tag_key_conditions(params.get("tags") or params.get("tagKeys"))
    return {}
