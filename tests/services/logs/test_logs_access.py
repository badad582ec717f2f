"""CloudWatch Logs' access map: log-group actions on `log-group:NAME:*`, stream actions on
the stream's ARN, tagging on the ARN as given."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.logs import access
from overcast.services.logs.access import logs_access
from overcast.services.logs.api import OPERATIONS

GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/f"


def test_every_operation_has_a_mapping() -> None:
    mapped = (
        access.GROUP_OPERATIONS | access.STREAM_OPERATIONS | access.TAG_OPERATIONS | access.UNSCOPED
    )
    assert set(OPERATIONS) - mapped == {"StartQuery"}
    params = {"logGroupName": "/aws/lambda/f", "logStreamName": "s", "resourceArn": GROUP}
    for operation in OPERATIONS:
        check_shape(
            logs_access(operation, dict(params), CONTEXT),
            "logs",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:",
        )


def test_group_stream_and_tag_arns() -> None:
    group = logs_access(
        "CreateLogGroup", {"logGroupName": "/aws/lambda/f", "tags": {"a": "b"}}, CONTEXT
    )
    assert group.needs[0].resource == GROUP + ":*"
    assert group.conditions == {"aws:RequestTag/a": "b", "aws:TagKeys": ["a"]}
    stream = logs_access(
        "PutLogEvents", {"logGroupName": "/aws/lambda/f", "logStreamName": "s"}, CONTEXT
    )
    assert stream.needs[0].resource == GROUP + ":log-stream:s"
    by_arn = logs_access("FilterLogEvents", {"logGroupIdentifier": GROUP}, CONTEXT)
    assert by_arn.needs[0].resource == GROUP + ":*"
    assert (
        logs_access("TagResource", {"resourceArn": GROUP, "tags": {}}, CONTEXT).needs[0].resource
        == GROUP
    )
    query = logs_access("StartQuery", {"logGroupNames": ["a", "b"]}, CONTEXT)
    assert [n.resource.rsplit(":", 2)[1] for n in query.needs] == ["a", "b"]
