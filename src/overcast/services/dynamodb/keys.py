"""An item's key as DynamoDB checks it: a `Key` parameter must name exactly the table's key
attributes ("The provided key element does not match the schema"), an item must carry them
with the defined types, key strings and binaries may not be empty, and key sizes are limited
(2048 bytes a hash key, 1024 a range key). Secondary index keys are checked on writes too.

Wordings: dynalite's getItem / putItem validation tests (recorded against DynamoDB) and
moto's DynamoDB errors.
"""

from __future__ import annotations

from overcast.services.dynamodb.changes import Key, key_of
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import (
    MAX_HASH_KEY_BYTES,
    MAX_RANGE_KEY_BYTES,
    Item,
    invalid,
    key_size,
    kind_of,
    validate_item,
)

NO_MATCH = "The provided key element does not match the schema"


def key_param(table: Table, key: object) -> Key:
    """The Key parameter of GetItem, DeleteItem, BatchGetItem...: validated, normalised."""
    values = validate_item(key)
    names = table.keys.names
    if set(values) != set(names) or len(values) != len(names):
        raise ValidationException(NO_MATCH)
    for name in names:
        if kind_of(values[name]) != table.attribute_type(name):
            raise ValidationException(NO_MATCH)
        _not_empty(values[name], name, "One or more parameter values were invalid: ")
    _sizes(table, values)
    return key_of(table, values)


def item_key(table: Table, item: Item) -> Key:
    """The key of a (validated) item PutItem writes, and its index keys checked."""
    for name in table.keys.names:
        value = item.get(name)
        if value is None:
            raise invalid(f"Missing the key {name} in the item")
        expected = table.attribute_type(name)
        if kind_of(value) != expected:
            raise invalid(
                f"Type mismatch for key {name} expected: {expected} actual: {kind_of(value)}"
            )
        _not_empty(value, name, "One or more parameter values are not valid. ")
    _sizes(table, item)
    check_index_keys(table, item)
    return key_of(table, item)


def check_index_keys(table: Table, item: Item) -> None:
    """An item may lack a secondary index's key (it is then not in the index), but may not
    give it another type, or an empty string or binary."""
    for index in table.indexes.values():
        for name in index.keys.names:
            value = item.get(name)
            if value is None or name in table.keys.names:
                continue
            expected = table.attribute_type(name)
            if kind_of(value) != expected:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {expected} "
                    f"Actual: {kind_of(value)} IndexName: {index.name}"
                )
            if value.get(expected) == "":
                raise ValidationException(
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    f"attribute cannot contain an empty {'string' if expected == 'S' else 'binary'}"
                    f" value. IndexName: {index.name}, IndexKey: {name}"
                )


def _not_empty(value: dict, name: str, prefix: str) -> None:
    kind = kind_of(value)
    if value[kind] == "":
        noun = "string" if kind == "S" else "binary"
        raise ValidationException(
            f"{prefix}The AttributeValue for a key attribute cannot contain an empty {noun} "
            f"value. Key: {name}"
        )


def _sizes(table: Table, values: Item) -> None:
    if key_size(values[table.keys.hash]) > MAX_HASH_KEY_BYTES:
        raise invalid(
            f"Size of hashkey has exceeded the maximum size limit of{MAX_HASH_KEY_BYTES} bytes"
        )
    if table.keys.range is not None and key_size(values[table.keys.range]) > MAX_RANGE_KEY_BYTES:
        raise invalid(
            "Aggregated size of all range keys has exceeded the size limit of "
            f"{MAX_RANGE_KEY_BYTES} bytes"
        )
