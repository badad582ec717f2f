"""Parameter Store's rules: versions (at most 100 kept), labels, tiers and their size limits,
AllowedPattern, SecureString values sealed by KMS under the encryption context
`{"PARAMETER_ARN": <arn>}` as SSM does, and tags.

KMS is called for the caller (`caller`, a `types.KeyCaller`): writing a SecureString needs
the caller's `kms:Encrypt` on its key (`kms:GenerateDataKey` for an advanced parameter, which
Parameter Store seals with a data key), reading one WithDecryption its `kms:Decrypt`,
whichever operation reads it ("Restricting decryption of SecureString parameter values").

A parameter is one document: `versions` (newest last, each with its value, type, key, labels
...) and `tags`. Read-modify-write happens inside the store's transaction.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from overcast.aws import tags as aws_tags
from overcast.aws.errors import AccessDeniedException, ServiceError
from overcast.services.ssm.errors import (
    InvalidAllowedPatternException,
    InvalidKeyId,
    InvalidResourceId,
    InvalidResourceType,
    ParameterAlreadyExists,
    ParameterMaxVersionLimitExceeded,
    ParameterNotFound,
    ParameterPatternMismatchException,
    ParameterVersionLabelLimitExceeded,
    ParameterVersionNotFound,
    TooManyTagsError,
    ValidationException,
    kms_refused,
)
from overcast.services.ssm.filters import Match
from overcast.services.ssm.names import candidates, check_name, parameter_arn
from overcast.services.ssm.store import SqliteParameterStore
from overcast.types import KeyCaller, Keys

DEFAULT_KEY = "alias/aws/ssm"
MAX_VERSIONS = 100
MAX_LABELS = 10
LIMITS = {"Standard": 4096, "Advanced": 8192}  # bytes of a value, per tier
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
_LABEL = re.compile(r"[A-Za-z_.\-][A-Za-z0-9_.\-]{0,99}")


@dataclass
class ParameterService:
    store: SqliteParameterStore
    keys: Keys
    account_id: str
    clock: Callable[[], float] = field(default=time.time)

    # --- writes ---------------------------------------------------------------------

    def put(self, region: str, p: dict, user: str, caller: KeyCaller | None = None) -> dict:
        name = p["Name"].strip()
        check_name(name)
        if p.get("Overwrite") and p.get("Tags"):
            raise ValidationException(
                "Invalid request: tags and overwrite can't be used together. To create a "
                "parameter with tags, please remove overwrite flag. To update tags for an "
                "existing parameter, please use AddTagsToResource or RemoveTagsFromResource."
            )
        with self.store.transaction():
            doc = self.store.get(region, name)
            if doc is not None and not p.get("Overwrite"):
                raise ParameterAlreadyExists(
                    "The parameter already exists. To overwrite this value, set the overwrite "
                    "option in the request to true."
                )
            previous = doc["versions"][-1] if doc else {}
            version = self._version(region, name, p, previous, user, caller)
            doc = doc or {"versions": [], "tags": _tags(p.get("Tags"))}
            if len(doc["versions"]) >= MAX_VERSIONS:
                _drop_oldest(name, doc)
            doc["versions"].append(version)
            self.store.put(region, name, doc)
        return {"Version": version["version"], "Tier": version["tier"]}

    def _version(
        self, region: str, name: str, p: dict, previous: dict, user: str, caller: KeyCaller | None
    ) -> dict:
        kind = p.get("Type") or previous.get("type")
        if kind is None:
            raise ValidationException("A parameter type is required when you create a parameter.")
        value = p["Value"]
        if not value:
            raise ValidationException(
                "1 validation error detected: Value '' at 'value' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1."
            )
        pattern = p.get("AllowedPattern", previous.get("allowed_pattern"))
        _check_pattern(pattern, value)
        data_type = p.get("DataType") or previous.get("data_type") or "text"
        if data_type not in DATA_TYPES:
            raise ValidationException(
                f"The following data type is not supported: {data_type} (Data type names are "
                "all lowercase.)"
            )
        tier = _tier(p.get("Tier"), previous.get("tier"), value, p.get("Policies"))
        key_id = None
        if kind == "SecureString":
            key_id = (
                p.get("KeyId")
                or (previous.get("key_id") if previous.get("type") == kind else None)
                or DEFAULT_KEY
            )
            if caller is not None:
                caller = replace(caller, envelope=tier == "Advanced")
            value = self._seal(region, name, key_id, value, caller)
        return {
            "version": previous.get("version", 0) + 1,
            "type": kind,
            "value": value,
            "key_id": key_id,
            "description": p.get("Description", previous.get("description")),
            "allowed_pattern": pattern,
            "tier": tier,
            "policies": p.get("Policies", previous.get("policies")),
            "data_type": data_type,
            "modified": self.clock(),
            "user": user,
            "labels": [],
        }

    def _seal(
        self, region: str, name: str, key_id: str, value: str, caller: KeyCaller | None
    ) -> str:
        context = {"PARAMETER_ARN": self.arn(region, name)}
        try:
            blob, _ = self.keys.encrypt(region, key_id, value.encode(), context, caller)
        except AccessDeniedException as refused:
            raise kms_refused(refused.message) from refused
        except ServiceError as exc:
            raise InvalidKeyId(exc.message) from exc
        return base64.b64encode(blob).decode()

    def _open(self, region: str, name: str, value: str, caller: KeyCaller | None) -> str:
        context = {"PARAMETER_ARN": self.arn(region, name)}
        try:
            plain, _ = self.keys.decrypt(region, base64.b64decode(value), context, caller)
        except AccessDeniedException as refused:
            raise kms_refused(refused.message) from refused
        except ServiceError as exc:
            raise InvalidKeyId(exc.message) from exc
        return plain.decode()

    def delete(self, region: str, name: str) -> None:
        if not self.store.delete(region, name):
            raise ParameterNotFound(f"Parameter {name} not found.")

    def label(self, region: str, name: str, number: int | None, labels: list[str]) -> dict:
        with self.store.transaction():
            doc = self._doc(region, name)
            version = self._numbered(doc, name, number)
            invalid = [label for label in labels if not _valid_label(label)]
            wanted = [label for label in dict.fromkeys(labels) if label not in invalid]
            added = [label for label in wanted if label not in version["labels"]]
            if len(version["labels"]) + len(added) > MAX_LABELS:
                raise ParameterVersionLabelLimitExceeded(
                    "A parameter version can have maximum 10 labels.Move one or more labels to "
                    "another version and try again."
                )
            for other in doc["versions"]:  # a label names one version: it moves
                other["labels"] = [label for label in other["labels"] if label not in added]
            version["labels"] += added
            self.store.put(region, name, doc)
        return {"InvalidLabels": invalid or None, "ParameterVersion": version["version"]}

    def unlabel(self, region: str, name: str, number: int, labels: list[str]) -> dict:
        with self.store.transaction():
            doc = self._doc(region, name)
            version = self._numbered(doc, name, number)
            removed = [label for label in labels if label in version["labels"]]
            invalid = [label for label in labels if label not in removed]
            version["labels"] = [label for label in version["labels"] if label not in removed]
            self.store.put(region, name, doc)
        return {"RemovedLabels": removed, "InvalidLabels": invalid}

    def tag(self, region: str, kind: str, name: str, added: dict[str, str]) -> None:
        with self.store.transaction():
            doc = self._tagged(region, kind, name)
            try:
                doc["tags"] = aws_tags.merged(doc["tags"], added, aws_tags.MAX_TAGS)
            except aws_tags.TagError as exc:
                raise TooManyTagsError("You exceeded the maximum number of tags.") from exc
            self.store.put(region, name, doc)

    def untag(self, region: str, kind: str, name: str, keys: list[str]) -> None:
        with self.store.transaction():
            doc = self._tagged(region, kind, name)
            doc["tags"] = aws_tags.removed(doc["tags"], keys)
            self.store.put(region, name, doc)

    def tags(self, region: str, kind: str, name: str) -> dict[str, str]:
        return self._tagged(region, kind, name)["tags"]

    # --- reads ----------------------------------------------------------------------

    def resolve(self, region: str, named: str) -> tuple[str, str | None]:
        """The parameter's name `named` means (a name, `name:selector` or an ARN), and its
        selector; the first name a one-level ARN may mean when neither exists."""
        names, selector = candidates(named)
        found = next((name for name in names if self.store.get(region, name) is not None), None)
        return found or names[0], selector

    def get(self, region: str, named: str, decrypt: bool, caller: KeyCaller | None = None) -> dict:
        name, selector = self.resolve(region, named)
        doc = self._doc(region, name)
        version = doc["versions"][-1]
        if selector is not None:
            version = self._selected(doc, name, selector)
        shown = self.shown(region, name, version, decrypt, caller)
        return {**shown, "Selector": f":{selector}" if selector is not None else None}

    def history(
        self, region: str, name: str, decrypt: bool, caller: KeyCaller | None = None
    ) -> list[dict]:
        doc = self._doc(region, name)
        return [
            {
                **self.shown(region, name, version, decrypt, caller),
                **self.metadata(region, name, version),
                "Labels": version["labels"],
            }
            for version in doc["versions"]
        ]

    def find(self, region: str, matches: list[Match]) -> list[tuple[str, dict]]:
        """Each parameter (its newest version) that every filter keeps, by name."""
        return [
            (name, doc)
            for name, doc in self.store.all(region)
            if all(match(name, doc["versions"][-1], doc) for match in matches)
        ]

    def shown(
        self,
        region: str,
        name: str,
        version: dict,
        decrypt: bool,
        caller: KeyCaller | None = None,
    ) -> dict:
        """A version as GetParameter shows it (a SecureString's ciphertext unless `decrypt`)."""
        value = version["value"]
        if version["type"] == "SecureString" and decrypt:
            value = self._open(region, name, value, caller)
        return {
            "Name": name,
            "Type": version["type"],
            "Value": value,
            "Version": version["version"],
            "LastModifiedDate": version["modified"],
            "ARN": self.arn(region, name),
            "DataType": version["data_type"],
        }

    def metadata(self, region: str, name: str, version: dict) -> dict:
        """A version's fields as DescribeParameters and GetParameterHistory show them."""
        policies = version.get("policies")
        return {
            "Name": name,
            "ARN": self.arn(region, name),
            "Type": version["type"],
            "KeyId": version["key_id"],
            "LastModifiedDate": version["modified"],
            "LastModifiedUser": version["user"],
            "Description": version["description"],
            "AllowedPattern": version["allowed_pattern"],
            "Version": version["version"],
            "Tier": version["tier"],
            "Policies": [{"PolicyText": policies}] if policies else [],
            "DataType": version["data_type"],
        }

    def arn(self, region: str, name: str) -> str:
        return parameter_arn(region, self.account_id, name)

    def _doc(self, region: str, name: str) -> dict:
        doc = self.store.get(region, name)
        if doc is None:
            raise ParameterNotFound(f"Parameter {name} not found.")
        return doc

    def _tagged(self, region: str, kind: str, name: str) -> dict:
        if kind != "Parameter":
            raise InvalidResourceType("The resource type isn't valid.")
        doc = self.store.get(region, name)
        if doc is None:
            raise InvalidResourceId("The resource ID isn't valid.")
        return doc

    def _numbered(self, doc: dict, name: str, number: int | None) -> dict:
        if number is None:
            return doc["versions"][-1]
        for version in doc["versions"]:
            if version["version"] == number:
                return version
        raise ParameterVersionNotFound(
            f"Systems Manager could not find version {number} of {name}. Verify the version "
            "and try again."
        )

    def _selected(self, doc: dict, name: str, selector: str) -> dict:
        if selector.isdigit():
            return self._numbered(doc, name, int(selector))
        for version in doc["versions"]:
            if selector in version["labels"]:
                return version
        raise ParameterVersionNotFound(
            f"Systems Manager could not find version {selector} of {name}. Verify the version "
            "and try again."
        )


def _tags(pairs: list[dict] | None) -> dict[str, str]:
    try:
        tags = aws_tags.tag_map((t["Key"], t["Value"]) for t in pairs or [])
        aws_tags.check_count(tags)
    except aws_tags.TagError as exc:
        raise TooManyTagsError("You exceeded the maximum number of tags.") from exc
    return tags


def _check_pattern(pattern: str | None, value: str) -> None:
    if not pattern:
        return
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InvalidAllowedPatternException(
            f"The request doesn't meet the regular expression requirement: {exc}"
        ) from exc
    if not compiled.search(value):
        raise ParameterPatternMismatchException(
            f"Parameter value, cannot be validated against allowedPattern: {pattern}"
        )


def _tier(asked: str | None, previous: str | None, value: str, policies: str | None) -> str:
    """Standard (the account's default tier) or Advanced: an Advanced parameter stays
    Advanced; Intelligent-Tiering picks Standard unless the value or policies need Advanced."""
    size = len(value.encode())
    if asked == "Intelligent-Tiering":
        tier = "Advanced" if size > LIMITS["Standard"] or policies else "Standard"
        tier = "Advanced" if previous == "Advanced" else tier
    else:
        tier = asked or previous or "Standard"
    if previous == "Advanced" and tier == "Standard":
        raise ValidationException(
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter "
            "from the advanced-parameter tier to the standard-parameter tier. If necessary, you "
            "can delete the advanced parameter and recreate it as a standard parameter."
        )
    if size > LIMITS[tier]:
        if tier == "Standard":
            raise ValidationException(
                "Standard tier parameters support a maximum parameter value of 4096 "
                "characters. To create a larger parameter value, upgrade the parameter to use "
                "the advanced-parameter tier."
            )
        raise ValidationException(
            "1 validation error detected: Value at 'value' failed to satisfy constraint: "
            f"Member must have length less than or equal to {LIMITS['Advanced']}"
        )
    return tier


def _valid_label(label: str) -> bool:
    """A label: letters, digits and `_.-`, not starting with a digit, `aws` or `ssm`."""
    return bool(_LABEL.fullmatch(label)) and not label.lower().startswith(("aws", "ssm"))


def _drop_oldest(name: str, doc: dict) -> None:
    oldest = doc["versions"][0]
    if oldest["labels"]:
        raise ParameterMaxVersionLimitExceeded(
            f"You attempted to create a new version of {name} by calling the PutParameter API "
            f"with the overwrite flag. Version {oldest['version']}, the oldest version, can't be "
            "deleted because it has a label associated with it. Move the label to another "
            "version of the parameter, and try again."
        )
    doc["versions"].pop(0)
