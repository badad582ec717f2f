"""Tags of log groups: the old per-group operations (TagLogGroup, UntagLogGroup,
ListTagsLogGroup, "on the path to deprecation") and the ARN-based ones (TagResource,
UntagResource, ListTagsForResource), over the same tags in the group's settings.

At most 50 tags a group. Keys and values are checked against the model's patterns by the
gateway; the `aws:` prefix is AWS's own, as for every service's tags.
"""

from __future__ import annotations

from collections.abc import Mapping

from overcast.aws.operations import Call
from overcast.aws.tags import MAX_TAGS, TagError, TagProblem, check_tag, merged, removed
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs, group_of_arn
from overcast.services.logs.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    TooManyTagsException,
)


@OPERATIONS("TagLogGroup")
def tag_log_group(logs: CloudWatchLogs, call: Call) -> dict:
    added = checked_tags(call.params["tags"], InvalidParameterException)
    _change(logs, call.params["logGroupName"], lambda tags: _merged(tags, added, None))
    return {}


@OPERATIONS("UntagLogGroup")
def untag_log_group(logs: CloudWatchLogs, call: Call) -> dict:
    _change(logs, call.params["logGroupName"], lambda tags: removed(tags, call.params["tags"]))
    return {}


@OPERATIONS("ListTagsLogGroup")
def list_tags_log_group(logs: CloudWatchLogs, call: Call) -> dict:
    return {"tags": logs.store.settings(call.params["logGroupName"]).get("tags", {})}


@OPERATIONS("TagResource")
def tag_resource(logs: CloudWatchLogs, call: Call) -> dict:
    arn = call.params["resourceArn"]
    added = checked_tags(call.params["tags"], InvalidParameterException)
    _change(logs, _resource(arn, call), lambda tags: _merged(tags, added, arn))
    return {}


@OPERATIONS("UntagResource")
def untag_resource(logs: CloudWatchLogs, call: Call) -> dict:
    keys = call.params["tagKeys"]
    _change(logs, _resource(call.params["resourceArn"], call), lambda tags: removed(tags, keys))
    return {}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(logs: CloudWatchLogs, call: Call) -> dict:
    name = _resource(call.params["resourceArn"], call)
    return {"tags": logs.store.settings(name).get("tags", {})}


def checked_tags(tags: Mapping[str, str], error: type) -> dict[str, str]:
    """`tags`, once each passes AWS's common tag rules (`aws:` keys are AWS's)."""
    for key, value in tags.items():
        try:
            check_tag(key, value)
        except TagError as problem:
            if problem.problem is TagProblem.SYSTEM:
                raise error("Tag keys beginning with 'aws:' are reserved.") from None
            raise error(f"Invalid tag: {key}") from None
    return dict(tags)


def _resource(arn: str, call: Call) -> str:
    """The log group an ARN names (the only resource with tags Overcast keeps)."""
    try:
        return group_of_arn(arn, call, ResourceNotFoundException)
    except ResourceNotFoundException:
        raise ResourceNotFoundException("The specified resource does not exist.") from None


def _merged(tags: dict[str, str], added: dict[str, str], arn: str | None) -> dict[str, str]:
    result = merged(tags, added)
    if len(result) > MAX_TAGS:
        if arn is None:  # TagLogGroup has no TooManyTagsException in its model
            raise InvalidParameterException(f"A log group can have at most {MAX_TAGS} tags.")
        raise TooManyTagsException(f"A resource can have no more than {MAX_TAGS} tags.")
    return result


def _change(logs: CloudWatchLogs, group: str, change) -> None:
    def apply(settings: dict) -> None:
        tags = change(settings.get("tags", {}))
        if tags:
            settings["tags"] = tags
        else:
            settings.pop("tags", None)

    logs.store.update_settings(group, apply)
