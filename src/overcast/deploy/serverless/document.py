"""Reading `serverless.yml`'s text into plain data.

Read as the CloudFormation loader reads templates (CloudFormation's short-form tags such as
`!GetAtt Queue.Arn`, no tag building anything but data, no timestamps), with two things a
template may not use and a serverless.yml often does: anchors/aliases (`&defaults` /
`*defaults`) and merge keys (`<<: *defaults`), as the framework's js-yaml reads them.

Aliases make a small text describe a huge document ("billion laughs"): the document is measured
as if every alias were written out, and refused past MAX_VALUES; under the bound it is copied
into a plain tree, so no two places share one object (resolving variables in one place cannot
change another).
"""

from __future__ import annotations

import json

import yaml

from overcast.services.cloudformation.template import TemplateError
from overcast.services.cloudformation.template.loader import Loader, check_depth

# Far more values than any real project holds (a large serverless.yml has a few thousand).
MAX_VALUES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"


def load(text: str) -> dict:
    """The document `text` (YAML, or JSON when it starts with `{`) as a plain tree; raises
    TemplateError naming what is wrong (bad YAML, an alias bomb, a recursive alias)."""
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateError(
                f"not well-formed JSON (line {error.lineno}, column {error.colno})"
            ) from None
    else:
        document = _load_yaml(text)
    if not isinstance(document, dict):
        raise TemplateError("the file must hold a mapping (service:, provider:, functions:...)")
    expanded_size(document)
    document = _unshared(document)
    check_depth(document)
    return document


def expanded_size(value: object) -> int:
    """How many values `value` holds with every alias written out; refuses a document over
    MAX_VALUES, or one that contains itself (`&a [*a]`)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(item: object) -> int:
        if not isinstance(item, dict | list):
            return 1
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise TemplateError("a YAML alias refers to the node that contains it")
        active.add(key)
        children = item.values() if isinstance(item, dict) else item
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        if total > MAX_VALUES:
            raise TemplateError(f"YAML aliases expand the document past {MAX_VALUES} values")
        sizes[key] = total
        return total

    try:
        return size(value)
    except RecursionError:
        raise TemplateError("the document is nested too deeply") from None


def _unshared(value: object) -> object:
    if isinstance(value, dict):
        return {key: _unshared(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_unshared(child) for child in value]
    return value


def _load_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_AliasLoader)  # noqa: S506 - builds plain data only
    except TemplateError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = f": {error.problem}" if error.problem else ""
        raise TemplateError(f"not well-formed YAML{where}{problem}") from None
    except (yaml.YAMLError, RecursionError, UnicodeError):
        raise TemplateError("not well-formed YAML") from None


class _AliasLoader(Loader):  # type: ignore[misc, valid-type]
    """The template loader with aliases built (once: an alias shares the anchored object until
    `_unshared` copies it) and merge keys applied: a merged key is overridden by one written in
    the mapping itself; a key written twice is still refused."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        # The template loader refuses a node built twice (an alias); this one shares it.
        return yaml.constructor.BaseConstructor.construct_object(self, node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        own = sum(1 for key, _ in node.value if key.tag != MERGE_TAG)
        if own != len(node.value):
            self.flatten_mapping(node)  # merged pairs first, the mapping's own ones last
        pairs = node.value
        merged, written = pairs[: len(pairs) - own], pairs[len(pairs) - own :]
        mapping = super().construct_mapping(_Mapping(written), deep=True)
        inherited = super().construct_mapping(_Mapping(merged, unique=False), deep=True)
        return {**inherited, **mapping}


class _Mapping(yaml.MappingNode):
    """A mapping node over some of another's pairs; `unique=False` lets later pairs win (merged
    mappings: of `<<: [*a, *b]`, a's keys win, as YAML's merge key specifies)."""

    def __init__(self, pairs: list, unique: bool = True) -> None:
        if not unique:
            last = {}
            for key, value in pairs:
                last[key.value if isinstance(key, yaml.ScalarNode) else id(key)] = (key, value)
            pairs = list(last.values())
        super().__init__("tag:yaml.org,2002:map", pairs)
