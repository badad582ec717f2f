"""The Java methods a template may call on strings, lists, maps, numbers and booleans.

Templates are written against Java objects (`$s.length()`, `$map.keySet()`, `$list.size()`,
`$s.replaceAll("a+", "b")`). These tables are everything a template can call on a plain value:
a name not listed here is null, as Velocity answers a method it cannot find; never a Python
attribute. A Java method that throws (an index out of range) fails the template.

Bean properties follow Velocity: `$s.empty` calls `isEmpty()`, `$x.class.name` calls
`getClass().getName()`.
"""

from __future__ import annotations

from collections.abc import Callable

from overcast.http.templates import java_regex
from overcast.http.templates.errors import TemplateError
from overcast.http.templates.operators import equal, is_number, java_compare
from overcast.http.templates.values import (
    HostObject,
    JsonArray,
    text_result,
    to_text,
)

MAX_ITEMS = 100_000  # entries in one list or map grown by a template


def _index(value: object, size: int, inclusive: bool = False) -> int:
    if not is_number(value) or not isinstance(value, int):
        raise TemplateError(f"expected an integer index, got {to_text(value)!r}")
    if value < 0 or value > size or (value == size and not inclusive):
        raise TemplateError(f"Index {value} out of bounds for length {size}")
    return value


def _substring(s: str, begin: object, end: object = None) -> str:
    stop = len(s) if end is None else _index(end, len(s), inclusive=True)
    start = _index(begin, len(s), inclusive=True)
    if start > stop:
        raise TemplateError(f"begin {start}, end {stop}, length {len(s)}")
    return s[start:stop]


def _index_of(s: str, sub: object, start: object = 0) -> int:
    begin = start if isinstance(start, int) and not isinstance(start, bool) else 0
    return s.find(to_text(sub), max(begin, 0))


def _last_index_of(s: str, sub: object) -> int:
    return s.rfind(to_text(sub))


def _char_at(s: str, at: object) -> str:
    return s[_index(at, len(s))]


def _split(s: str, pattern: object, limit: object = 0) -> list[str]:
    return java_regex.split(to_text(pattern), s, limit if isinstance(limit, int) else 0)


STRING: dict[str, Callable[..., object]] = {
    "length": len,
    "isEmpty": lambda s: s == "",
    "isBlank": lambda s: s.strip() == "",
    "charAt": _char_at,
    "substring": _substring,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "contains": lambda s, sub: to_text(sub) in s,
    "startsWith": lambda s, prefix: s.startswith(to_text(prefix)),
    "endsWith": lambda s, suffix: s.endswith(to_text(suffix)),
    "equals": lambda s, other: isinstance(other, str) and s == other,
    "equalsIgnoreCase": lambda s, other: isinstance(other, str) and s.lower() == other.lower(),
    "compareTo": lambda s, other: java_compare(s, to_text(other)),
    "toLowerCase": str.lower,
    "toUpperCase": str.upper,
    "trim": lambda s: s.strip("".join(chr(c) for c in range(33))),
    "strip": str.strip,
    "concat": lambda s, other: text_result(s + to_text(other)),
    "replace": lambda s, old, new: text_result(s.replace(to_text(old), to_text(new))),
    "replaceAll": lambda s, p, r: text_result(java_regex.replace(to_text(p), s, to_text(r))),
    "replaceFirst": lambda s, p, r: java_regex.replace(to_text(p), s, to_text(r), count=1),
    "matches": lambda s, p: java_regex.matches(to_text(p), s),
    "split": _split,
    "toString": lambda s: s,
    "hashCode": lambda s: _java_hash(s),
}


def _java_hash(s: str) -> int:
    result = 0
    for unit in range(0, len(encoded := s.encode("utf-16-be")), 2):
        result = (31 * result + int.from_bytes(encoded[unit : unit + 2], "big")) & 0xFFFFFFFF
    return result - (1 << 32) if result & 0x80000000 else result


def _grown(collection: list | dict) -> bool:
    if len(collection) > MAX_ITEMS:
        raise TemplateError("collection too large in mapping template")
    return True


def _list_add(items: list, *args: object) -> object:
    if len(args) == 2:
        items.insert(_index(args[0], len(items), inclusive=True), args[1])
        _grown(items)
        return None
    items.append(args[0] if args else None)
    return _grown(items)


def _list_remove(items: list, what: object) -> object:
    if isinstance(what, int) and not isinstance(what, bool):
        return items.pop(_index(what, len(items)))
    for at, item in enumerate(items):
        if equal(item, what):
            del items[at]
            return True
    return False


def _list_set(items: list, at: object, value: object) -> object:
    index = _index(at, len(items))
    previous, items[index] = items[index], value
    return previous


def _list_index_of(items: list, what: object) -> int:
    return next((at for at, item in enumerate(items) if equal(item, what)), -1)


def _add_all(items: list, other: object) -> bool:
    items.extend(other if isinstance(other, list) else [])
    return _grown(items)


def _sub_list(items: list, start: object, end: object) -> list:
    stop = _index(end, len(items), inclusive=True)
    begin = _index(start, len(items), inclusive=True)
    if begin > stop:
        raise TemplateError(f"fromIndex({begin}) > toIndex({stop})")
    return type(items)(items[begin:stop])


LIST: dict[str, Callable[..., object]] = {
    "size": len,
    "count": len,  # AWS's reference shows `$input.path('$.pets').count()`
    "isEmpty": lambda items: not items,
    "get": lambda items, at: items[_index(at, len(items))],
    "contains": lambda items, what: _list_index_of(items, what) >= 0,
    "indexOf": _list_index_of,
    "add": _list_add,
    "addAll": _add_all,
    "remove": _list_remove,
    "set": _list_set,
    "clear": lambda items: items.clear(),
    "subList": _sub_list,
    "toString": lambda items: to_text(items),
    "equals": lambda items, other: isinstance(other, list) and items == other,
}


def _map_key(key: object) -> object:
    return key if isinstance(key, str | int | float | bool) or key is None else to_text(key)


def _map_put(mapping: dict, key: object, value: object) -> object:
    previous = mapping.get(_map_key(key))
    mapping[_map_key(key)] = value
    _grown(mapping)
    return previous


def _put_all(mapping: dict, other: object) -> None:
    if isinstance(other, dict):
        mapping.update(other)
        _grown(mapping)


class Entry(HostObject):
    """A Map.Entry, from `$map.entrySet()`."""

    java_class = "java.util.Map$Entry"

    def __init__(self, key: object, value: object) -> None:
        self.key, self.value = key, value

    def property(self, name: str) -> object:
        return {"key": self.key, "value": self.value}.get(name)

    def call(self, name: str, args: list[object]) -> object:
        return {"getKey": self.key, "getValue": self.value}.get(name) if not args else None

    def text(self) -> str:
        return f"{to_text(self.key)}={to_text(self.value)}"


MAP: dict[str, Callable[..., object]] = {
    "get": lambda mapping, key: mapping.get(_map_key(key)),
    "getOrDefault": lambda mapping, key, default: mapping.get(_map_key(key), default),
    "put": _map_put,
    "putAll": _put_all,
    "remove": lambda mapping, key: mapping.pop(_map_key(key), None),
    "containsKey": lambda mapping, key: _map_key(key) in mapping,
    "containsValue": lambda mapping, value: any(equal(v, value) for v in mapping.values()),
    "keySet": lambda mapping: list(mapping.keys()),
    "values": lambda mapping: list(mapping.values()),
    "entrySet": lambda mapping: [Entry(k, v) for k, v in mapping.items()],
    "size": len,
    "isEmpty": lambda mapping: not mapping,
    "clear": lambda mapping: mapping.clear(),
    "toString": lambda mapping: to_text(mapping),
    "equals": lambda mapping, other: isinstance(other, dict) and mapping == other,
}

NUMBER: dict[str, Callable[..., object]] = {
    "intValue": lambda x: _java_int(int(x), 32),
    "longValue": lambda x: _java_int(int(x), 64),
    "doubleValue": float,
    "floatValue": float,
    "toString": to_text,
    "equals": lambda x, other: type(x) is type(other) and x == other,
    "compareTo": lambda x, other: (x > other) - (x < other) if is_number(other) else None,
}

BOOLEAN: dict[str, Callable[..., object]] = {
    "booleanValue": lambda b: b,
    "toString": to_text,
    "equals": lambda b, other: b is other,
}


def _java_int(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class JavaClass(HostObject):
    """What `$x.class` / `$x.getClass()` gives: its `name` and `simpleName`."""

    java_class = "java.lang.Class"

    def __init__(self, name: str) -> None:
        self.name = name

    def property(self, name: str) -> object:
        return {"name": self.name, "simpleName": self.name.rsplit(".", 1)[-1]}.get(name)

    def call(self, name: str, args: list[object]) -> object:
        getter = {"getName": "name", "getSimpleName": "simpleName"}.get(name)
        return self.property(getter) if getter and not args else None

    def text(self) -> str:
        return f"class {self.name}"


def java_class(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, HostObject):
        return value.java_class
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -(2**31) <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, JsonArray):
        return "net.minidev.json.JSONArray"
    if isinstance(value, list):
        return "java.util.ArrayList"
    return "java.util.LinkedHashMap"


def table_for(value: object) -> dict[str, Callable[..., object]] | None:
    if isinstance(value, str):
        return STRING
    if isinstance(value, bool):
        return BOOLEAN
    if is_number(value):
        return NUMBER
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return MAP
    return None


def call_method(target: object, name: str, args: list[object]) -> object:
    """`$target.name(args)`: null when the method does not exist for the target."""
    if target is None:
        return None
    if name == "getClass" and not args:
        return JavaClass(java_class(target) or "")
    if isinstance(target, HostObject):
        return target.call(name, args)
    method = (table_for(target) or {}).get(name)
    if method is None:
        return None
    try:
        return method(target, *args)
    except TypeError:
        return None  # no overload with that many arguments: Velocity finds no method
    except (IndexError, KeyError, ValueError, OverflowError) as problem:
        raise TemplateError(f"{name}() failed: {problem}") from None


def get_property(target: object, name: str) -> object:
    """`$target.name`: a map's key, a host object's property, else Velocity's getters.
    `class` is getClass() even on a map: Velocity tries a getter before the map's key."""
    if target is None:
        return None
    if isinstance(target, dict):
        return JavaClass(java_class(target) or "") if name == "class" else target.get(name)
    if isinstance(target, HostObject):
        found = target.property(name)
        if found is not None or name != "class":
            return found
    if name == "class":
        return JavaClass(java_class(target) or "")
    capital = name[:1].upper() + name[1:]
    for getter in ("get" + capital, "is" + capital):
        if (table_for(target) or {}).get(getter):
            return call_method(target, getter, [])
    return None
