"""Reading a template's text: JSON, or YAML with CloudFormation's short-form tags, into the long
form every other module of the package works on (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
`{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` -> `{"Fn::Sub": "s"}`, ...).

The text is hostile: YAML aliases are refused as CloudFormation refuses them (which also stops
"billion laughs" expansion by construction), no YAML tag builds anything but plain data, and a
document nested deeper than any template needs is refused before code that recurses sees it.
"""

from __future__ import annotations

import json

import yaml

from overcast.services.cloudformation.errors import TemplateError

# Deeper than any real template (an OpenAPI body inside a SAM Api is ~20 levels); keeps the
# recursive evaluators far from Python's recursion limit.
MAX_DEPTH = 100

UNSUPPORTED = "Template format error: unsupported structure."

# The short forms CloudFormation's YAML reads; `Ref` and `Condition` keep their bare names.
_BARE = {"Ref", "Condition"}
_FUNCTIONS = {
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
    "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString",
    # the Rules section's assertions
    "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
}  # fmt: skip


def load(text: str) -> dict:
    """The template `text` as plain data in the long form. JSON when it starts with `{`, YAML
    otherwise; raises TemplateError in CloudFormation's words when it is neither, or is not
    a mapping at the top."""
    if text.lstrip().startswith("{"):
        template = _load_json(text)
    else:
        template = _load_yaml(text)
    if not isinstance(template, dict):
        raise TemplateError(UNSUPPORTED)
    check_depth(template)
    return template


def load_snippet(text: str) -> object:
    """An AWS::Include snippet: JSON or YAML as `load` reads a template, any shape."""
    snippet = _load_json(text) if text.lstrip().startswith(("{", "[")) else _load_yaml(text)
    check_depth(snippet)
    return snippet


def check_depth(value: object) -> None:
    """Refuse data nested deeper than MAX_DEPTH (iteratively: the check itself cannot
    overflow)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise TemplateError(UNSUPPORTED)
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)


def _load_json(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        # CloudFormation's parser counts the column one past Python's: `{"a"="b"}` fails at
        # "(line 1, column 6)" there, column 5 here.
        raise TemplateError(
            f"Template format error: JSON not well-formed. (line {error.lineno}, "
            f"column {error.colno + 1})"
        ) from None
    except RecursionError:
        raise TemplateError(UNSUPPORTED) from None


def _no_constant(name: str) -> object:
    raise json.JSONDecodeError(f"unexpected {name}", name, 0)


def _load_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader builds plain data only
    except _Alias:
        raise TemplateError(
            "Template error: YAML aliases are not allowed in CloudFormation templates"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise TemplateError(f"Template format error: YAML not well-formed.{where}") from None
    except (yaml.YAMLError, RecursionError, UnicodeError):
        raise TemplateError("Template format error: YAML not well-formed.") from None


class _Alias(Exception):
    """Raised when a YAML node is built a second time: an alias of an anchored node."""


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (libyaml's parser where present) with CloudFormation's tags, no
    timestamps (`AWSTemplateFormatVersion: 2010-09-09` stays a string), keys as strings,
    duplicate keys refused and aliases refused."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        if node in self.constructed_objects:
            raise _Alias()
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = _text(self.construct_object(key_node, deep=True))
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=True)
        return mapping


def _text(key: object) -> str:
    """A mapping key as CloudFormation reads it: always a string (`80:` is "80")."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None or isinstance(key, dict | list):
        raise yaml.YAMLError("a mapping key must be a scalar")
    return str(key)


def _short_form(loader: _Loader, suffix: str, node: yaml.Node) -> dict:
    name = suffix
    if name not in _BARE and name not in _FUNCTIONS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{name}", node.start_mark)
    key = name if name in _BARE else f"Fn::{name}"
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
        if name == "GetAtt":
            # `!GetAtt Resource.Attribute`: the attribute may itself contain dots
            # (`Endpoint.Address`), the resource's logical ID may not.
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_Loader.add_multi_constructor("!", _short_form)

# For readers of other YAML documents with CloudFormation's tags that extend the loader (a
# serverless.yml may use aliases and merge keys, which templates may not).
Loader = _Loader
