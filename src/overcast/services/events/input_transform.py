"""What a rule target delivers for a matched event: Input, InputPath or InputTransformer.

A target sends the whole event unless it says otherwise, and it may say one of three things:

- `Input`: constant JSON text; nothing of the event is sent.
- `InputPath`: the part of the event a JSON path selects (`$.detail`).
- `InputTransformer`: `InputPathsMap` names values of the event (`{"state": "$.detail.state"}`)
  and `InputTemplate` places them (`"instance <instance> is in <state>"`).

How EventBridge fills a template, as its user guide describes and as answers recorded from
EventBridge show:

- A placeholder where a JSON value stands (`{"state": <state>}`) gets the value as JSON: a
  string arrives quoted, an object as an object.
- A placeholder in text (a template that is a string, `"instance <instance> is in <state>"`,
  or not JSON at all, `<instance> is in state <status>`) gets the value's text: a string
  without quotes, a number or boolean as its JSON, and an object or list with its internal
  quotes removed ("EventBridge removes any internal quotes to ensure a valid string":
  `{acc_id:0a787ecb-4015,sf_id:baz}`, `[ACTIVE,INACTIVE]`). Nothing is escaped.
- A placeholder inside a string of a JSON template (`{"s": "is in <state>"}`) gets a string
  without quotes, anything else as its JSON, unescaped: an object there breaks the JSON.
- A JSON template whose output is not JSON (an object placed inside one of its strings, a
  value holding a quote) is not delivered at all; text is delivered as it is.
- A path that selects nothing defines no value: its placeholder becomes nothing in text,
  and an empty string where a JSON value stands (so the output stays JSON).
- Reserved placeholders need no path: `aws.events.rule-name`, `aws.events.rule-arn`,
  `aws.events.event.ingestion-time`, `aws.events.event` (the event without its `detail`,
  `detail-type` spelt `detailType`) and `aws.events.event.json` (the whole event).
- JSON that comes out is minified.

Delivery is text: what a Lambda target would receive as its payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.aws import json_document
from overcast.aws.errors import ValidationException
from overcast.services.events.json_path import MISSING, InvalidJsonPath, JsonPath

PLACEHOLDER = re.compile(r"<(aws\.events\.[a-z.\-]+|[A-Za-z0-9_\-]+)>")
RESERVED = frozenset(
    {
        "aws.events.rule-arn",
        "aws.events.rule-name",
        "aws.events.event",
        "aws.events.event.ingestion-time",
        "aws.events.event.json",
    }
)


@dataclass(frozen=True)
class RuleContext:
    """What EventBridge knows of a delivery besides the event: the reserved placeholders."""

    rule_name: str
    rule_arn: str
    ingestion_time: datetime

    def values(self, event: dict) -> dict[str, object]:
        received = self.ingestion_time
        if received.tzinfo is not None:
            received = received.astimezone(UTC)
        return {
            "aws.events.rule-name": self.rule_name,
            "aws.events.rule-arn": self.rule_arn,
            "aws.events.event.ingestion-time": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws.events.event": _without_detail(event),
            "aws.events.event.json": event,
        }


def _without_detail(event: dict) -> dict:
    """`aws.events.event`: the envelope without `detail`, in the order and with the
    `detailType` spelling EventBridge delivers it (recorded answers show both)."""
    renamed = {
        "detailType" if name == "detail-type" else name: value
        for name, value in event.items()
        if name != "detail"
    }
    order = ("id", "account", "detailType", "time", "source", "region", "resources", "version")
    return {
        **{name: renamed.pop(name) for name in order if name in renamed},
        **renamed,
    }


@dataclass(frozen=True)
class InputTransformer:
    """InputPathsMap (variable name -> JSON path) and the InputTemplate that uses them."""

    paths: tuple[tuple[str, JsonPath], ...]
    template: str

    @classmethod
    def parse(cls, spec: Mapping, target_id: str) -> InputTransformer:
        """`spec` is the API's InputTransformer; undefined placeholders are refused here."""
        template = spec["InputTemplate"]
        paths = tuple(
            (name, _path(path, f"InputPathsMap for target {target_id}"))
            for name, path in (spec.get("InputPathsMap") or {}).items()
        )
        defined = RESERVED | {name for name, _ in paths}
        for placeholder in PLACEHOLDER.finditer(template):
            if placeholder[1] not in defined:
                raise ValidationException(
                    f"InputTemplate for target {target_id} contains invalid placeholder "
                    f"{placeholder[1]}."
                )
        return cls(paths, template)

    def render(self, event: dict, context: RuleContext) -> str | None:
        """The filled template; None when a JSON template came out as something else (an
        object placed inside one of its strings): EventBridge delivers nothing then."""
        values = context.values(event)
        values.update((name, path.find(event)) for name, path in self.paths)
        filled = fill(self.template, values)
        if not is_json_template(self.template):
            return minified(filled)
        try:
            return compact(json_document.loads(filled, json_document.PAYLOAD_MAX_DEPTH))
        except ValueError:
            return None


@dataclass(frozen=True)
class TargetInput:
    """One target's choice of what to send; none of the three means the whole event."""

    constant: str | None = None
    path: JsonPath | None = None
    transformer: InputTransformer | None = None

    @classmethod
    def from_target(cls, target: Mapping) -> TargetInput:
        """Read and check the input settings of a PutTargets `Target`."""
        target_id = target.get("Id", "")
        chosen = [name for name in ("Input", "InputPath", "InputTransformer") if name in target]
        if len(chosen) > 1:
            raise ValidationException(
                "Only one of Input, InputPath, or InputTransformer must be provided "
                f"for target {target_id}."
            )
        if "Input" in target:
            return cls(constant=_constant(target["Input"], target_id))
        if "InputPath" in target:
            return cls(path=_path(target["InputPath"], f"InputPath for target {target_id}"))
        if "InputTransformer" in target:
            return cls(transformer=InputTransformer.parse(target["InputTransformer"], target_id))
        return cls()

    def render(self, event: dict, context: RuleContext) -> str | None:
        """The payload for `event`; None when there is nothing to send (an InputPath that
        selects nothing, a JSON template that did not come out as JSON)."""
        if self.constant is not None:
            return self.constant
        if self.transformer is not None:
            return self.transformer.render(event, context)
        if self.path is not None:
            selected = self.path.find(event)
            return None if selected is MISSING else compact(selected)
        return compact(event)


def _constant(text: str, target_id: str) -> str:
    try:
        json_document.loads(text)
    except ValueError:
        raise ValidationException(f"Input for target {target_id} is not valid JSON.") from None
    return text


def _path(text: str, where: str) -> JsonPath:
    try:
        return JsonPath.parse(text)
    except InvalidJsonPath:
        raise ValidationException(f"{where} is not a valid JSON path: {text}") from None


# --- templates ------------------------------------------------------------------------------


def is_json_template(template: str) -> bool:
    """A template that is a JSON object or array (not a string, not plain text)."""
    return template.lstrip().startswith(("{", "["))


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace each placeholder: as JSON where a JSON value stands, inside the strings of a
    JSON template as unescaped text, and as text with quotes removed everywhere else."""
    json_template = is_json_template(template)
    # A lone placeholder is not "in a string": it stays JSON, as an InputPath's value does.
    lone = not json_template and PLACEHOLDER.fullmatch(template.strip()) is not None
    out: list[str] = []
    in_string, index = False, 0
    while index < len(template):
        placeholder = PLACEHOLDER.match(template, index)
        if placeholder and placeholder[1] in values:
            value = values[placeholder[1]]
            if json_template and not in_string:
                out.append('""' if value is MISSING else _as_json(value))
            elif in_string or lone:
                out.append(value if isinstance(value, str) else _as_json(value))
            else:
                out.append(_as_text(value))
            index = placeholder.end()
            continue
        char = template[index]
        if json_template and in_string and char == "\\":
            out.append(template[index : index + 2])  # an escaped quote does not end the string
            index += 2
            continue
        if json_template and char == '"':
            in_string = not in_string
        out.append(char)
        index += 1
    return "".join(out)


def _as_json(value: object) -> str:
    return "" if value is MISSING else compact(value)


def _as_text(value: object) -> str:
    """A value in text: strings as they are, objects and lists without their quotes."""
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}:{_as_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_as_text(item) for item in value) + "]"
    return compact(value)


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def minified(text: str) -> str:
    """JSON without its spaces; text that is not JSON stays as it is."""
    try:
        return compact(json_document.loads(text, json_document.PAYLOAD_MAX_DEPTH))
    except ValueError:
        return text
