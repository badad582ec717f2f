"""What a rule target delivers for a matched event: Input, InputPath or InputTransformer.

A target sends the whole event unless it says otherwise, and it may say one of three things:

- `Input`: constant JSON text; nothing of the event is sent.
- `InputPath`: the part of the event a JSON path selects (`$.detail`).
- `InputTransformer`: `InputPathsMap` names values of the event (`{"state": "$.detail.state"}`)
  and `InputTemplate` places them (`"instance <instance> is in <state>"`).

How EventBridge fills a template, as its user guide describes and shows:

- A placeholder where a JSON value stands (`{"state": <state>}`) gets the value as JSON: a
  string arrives quoted, an object as an object.
- A placeholder inside a JSON string (`"is in <state>"`), or anywhere in a template that is
  not a JSON object or array (`<instance> is in state <status>`), gets the value's text as it
  is: a string without quotes, anything else as its JSON. EventBridge does not escape it, so
  a value holding a quote breaks the JSON around it.
- A path that selects nothing defines no value: its placeholder becomes nothing inside text,
  and `null` where a JSON value stands (so the output stays JSON).
- Reserved placeholders need no path: `aws.events.rule-name`, `aws.events.rule-arn`,
  `aws.events.event.ingestion-time`, `aws.events.event` (the event without its `detail`) and
  `aws.events.event.json` (the whole event).
- JSON that comes out is minified; text that is not JSON is delivered as it is.

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
            "aws.events.event": {name: value for name, value in event.items() if name != "detail"},
            "aws.events.event.json": event,
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

    def render(self, event: dict, context: RuleContext) -> str:
        values = context.values(event)
        values.update((name, path.find(event)) for name, path in self.paths)
        return minified(fill(self.template, values))


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
        """The payload for `event`; None when an InputPath selects nothing in it."""
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


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace each placeholder, as JSON where a JSON value stands, as text elsewhere."""
    json_template = template.lstrip().startswith(("{", "["))
    out: list[str] = []
    in_string, index = False, 0
    while index < len(template):
        placeholder = PLACEHOLDER.match(template, index)
        if placeholder and placeholder[1] in values:
            as_text = in_string or not json_template
            out.append(_placed(values[placeholder[1]], as_text))
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


def _placed(value: object, as_text: bool) -> str:
    if value is MISSING:
        return "" if as_text else "null"
    if as_text and isinstance(value, str):
        return value
    return compact(value)


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def minified(text: str) -> str:
    """JSON without its spaces; text that is not JSON stays as it is."""
    try:
        return compact(json_document.loads(text, json_document.PAYLOAD_MAX_DEPTH))
    except ValueError:
        return text
