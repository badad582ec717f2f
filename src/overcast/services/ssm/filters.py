"""Parameter filters of DescribeParameters and GetParametersByPath (`ParameterStringFilter`:
Key, Option, Values), and DescribeParameters' older `Filters` (Name, Type, KeyId)."""

from __future__ import annotations

from collections.abc import Callable

from overcast.services.ssm.errors import InvalidFilterKey, InvalidFilterOption, ValidationException
from overcast.services.ssm.names import check_path, in_path

# Keys each operation filters on (`tag:<key>` besides), as SSM lists them.
DESCRIBE_KEYS = ("Path", "Name", "Type", "KeyId", "Tier", "DataType")
BY_PATH_KEYS = ("Type", "KeyId", "Label", "DataType")
_OPTIONS = {
    "Name": ("Equals", "BeginsWith", "Contains"),
    "Path": ("Recursive", "OneLevel"),
}

Match = Callable[[str, dict, dict], bool]  # (name, newest version, document) -> kept


def parameter_filters(filters: list[dict] | None, allowed: tuple[str, ...]) -> list[Match]:
    """One predicate per filter; SSM's errors for a key or option it does not take."""
    seen: set[str] = set()
    matches = []
    for item in filters or []:
        key, option, values = item["Key"], item.get("Option"), item.get("Values") or []
        if not key.startswith("tag:") and key not in allowed:
            raise InvalidFilterKey(
                f"The following filter key is not valid: {key}. Valid filter keys include: "
                f"[{', '.join(allowed)}]."
            )
        if key in seen:
            raise ValidationException(
                f"The following filter is duplicated in the request: {key}. A request can "
                "contain only one occurrence of a specific filter."
            )
        seen.add(key)
        options = _OPTIONS.get(key, ("Equals",))
        if option is not None and option not in options and not key.startswith("tag:"):
            raise InvalidFilterOption(
                f"The following filter option is not valid: {option}. Valid options include: "
                f"[{', '.join(options)}]."
            )
        matches.append(_match(key, option or options[-1 if key == "Path" else 0], values))
    return matches


def legacy_filters(filters: list[dict] | None) -> list[Match]:
    """DescribeParameters' `Filters`: Name begins with, Type and KeyId equal."""
    matches = []
    for item in filters or []:
        key, values = item["Key"], item["Values"]
        matches.append(_match(key, "BeginsWith" if key == "Name" else "Equals", values))
    return matches


def _match(key: str, option: str, values: list[str]) -> Match:
    if key == "Path":
        for path in values:
            check_path(path)
        recursive = option == "Recursive"
        return lambda name, _v, _d: any(in_path(name, p, recursive) for p in values)
    if key == "Name":
        compare = {
            "Equals": lambda name, v: name == v or name == "/" + v.lstrip("/"),
            "BeginsWith": lambda name, v: name.startswith(v),
            "Contains": lambda name, v: v in name,
        }[option]
        return lambda name, _v, _d: any(compare(name, v) for v in values)
    if key.startswith("tag:"):
        tag = key[4:]
        return lambda _n, _v, doc: tag in doc["tags"] and (not values or doc["tags"][tag] in values)
    if key == "Label":
        return lambda _n, _v, doc: any(
            label in version["labels"] for version in doc["versions"] for label in values
        )
    field = {"Type": "type", "KeyId": "key_id", "Tier": "tier", "DataType": "data_type"}[key]
    return lambda _n, version, _d: version.get(field) in values
