"""A REST API's resources: the tree of path parts (`/pets/{petId}`, `/{proxy+}`), as
CreateResource, GetResource(s), UpdateResource and DeleteResource see it. Functions on a
REST API's record (record.py): the caller holds it for changing."""

from __future__ import annotations

import re

from overcast.services.apigateway.errors import BadRequestException, ConflictException
from overcast.services.apigateway.patch import patch_operations
from overcast.services.apigateway.record import resource
from overcast.services.apigateway.registry import fresh_id

RESOURCE_ID_LENGTH = 6
# API Gateway's rule for a path part: a literal, `{name}` or a greedy `{name+}`.
PATH_PART = re.compile(r"[a-zA-Z0-9._:-]+|\{[a-zA-Z0-9._-]+\+?\}")


def create(record: dict, parent_id: str, path_part: str) -> dict:
    parent = resource(record, parent_id)
    _check_part(record, parent, path_part, None)
    resource_id = fresh_id(RESOURCE_ID_LENGTH, record["resources"].__contains__)
    created = {
        "id": resource_id,
        "parentId": parent_id,
        "pathPart": path_part,
        "path": _joined(parent["path"], path_part),
    }
    record["resources"][resource_id] = created
    return created


def shown(found: dict, embed_methods: bool) -> dict:
    """A resource as GetResource(s) answers: its methods in full with `embed=methods`,
    else only their names (`{"GET": {}}`)."""
    methods = found.get("resourceMethods")
    if not methods:
        return {k: v for k, v in found.items() if k != "resourceMethods"}
    if embed_methods:
        return found
    return {**found, "resourceMethods": {name: {} for name in methods}}


def ordered(record: dict) -> list[dict]:
    """The API's resources, by path (the root first)."""
    return sorted(record["resources"].values(), key=lambda r: r["path"])


def update(record: dict, resource_id: str, params: dict) -> dict:
    found = resource(record, resource_id)
    path_part, parent_id = found.get("pathPart"), found.get("parentId")
    for operation in patch_operations(params):
        name = operation.path
        if operation.op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{name}' specified for op '{operation.op}'. "
                "Please choose supported operations"
            )
        if name not in ("/pathPart", "/parentId"):
            raise BadRequestException(
                f"Invalid patch path  '{name}' specified for op 'replace'. "
                "Must be one of: [/parentId, /pathPart]"
            )
        if "parentId" not in found:
            raise BadRequestException(f"Root resource cannot update its {name[1:]}.")
        if name == "/pathPart":
            path_part = operation.value or ""
        else:
            parent_id = operation.value or ""
    parent = resource(record, parent_id)
    if _descends_from(record, parent, resource_id):
        raise BadRequestException("Resources cannot be cyclical.")
    _check_part(record, parent, path_part, resource_id)
    found.update(parentId=parent_id, pathPart=path_part)
    _repath(record, found, parent["path"])
    return found


def delete(record: dict, resource_id: str) -> None:
    """Delete the resource and everything under it (the root cannot be deleted)."""
    found = resource(record, resource_id)
    if "parentId" not in found:
        raise BadRequestException("Cannot delete root resource")
    doomed = [
        r["id"] for r in record["resources"].values() if _descends_from(record, r, resource_id)
    ]
    for each in [resource_id, *doomed]:
        record["resources"].pop(each, None)


def _check_part(record: dict, parent: dict, path_part: str, own_id: str | None) -> None:
    if not PATH_PART.fullmatch(path_part or ""):
        raise BadRequestException(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
            "and the end and an optional plus sign before the closing brace."
        )
    if parent.get("pathPart", "").endswith("+}"):
        raise BadRequestException(
            f"Cannot create a child of a resource with a greedy path variable: {parent['pathPart']}"
        )
    for sibling in record["resources"].values():
        if sibling.get("parentId") != parent["id"] or sibling["id"] == own_id:
            continue
        if sibling["pathPart"] == path_part:
            raise ConflictException(
                f"Another resource with the same parent already has this name: {path_part}"
            )
        if path_part.startswith("{") and sibling["pathPart"].startswith("{"):
            raise BadRequestException(
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable "
                "path part -- only one is allowed"
            )


def _joined(parent_path: str, path_part: str) -> str:
    return f"{parent_path.rstrip('/')}/{path_part}"


def _descends_from(record: dict, found: dict, ancestor_id: str) -> bool:
    seen = set()
    parent_id = found.get("parentId")
    if found["id"] == ancestor_id:
        return True
    while parent_id and parent_id not in seen:
        if parent_id == ancestor_id:
            return True
        seen.add(parent_id)
        parent_id = record["resources"].get(parent_id, {}).get("parentId")
    return False


def _repath(record: dict, found: dict, parent_path: str) -> None:
    found["path"] = _joined(parent_path, found["pathPart"])
    for child in record["resources"].values():
        if child.get("parentId") == found["id"]:
            _repath(record, child, found["path"])
