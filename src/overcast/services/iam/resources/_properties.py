"""Template property values as IAM's API takes them: a policy document as text, lists of
names, tags."""

from __future__ import annotations

import json


def document(value: object) -> str:
    """A policy document as a template gives it (an object, or JSON text) as IAM takes it."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def names(value: object) -> list[str]:
    """A template's list of names or ARNs (Roles, Users, Groups, ManagedPolicyArns)."""
    return [str(item) for item in value] if isinstance(value, list) else []


def iam_tags(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]
