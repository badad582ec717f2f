"""Secrets Manager's rules: secrets found by name or ARN (full, or without its 6-character
suffix), versions moved between the staging labels AWSCURRENT / AWSPREVIOUS / AWSPENDING as
AWS moves them, values sealed by KMS (encryption context `{"SecretARN": <arn>}`), deletion
with a recovery window, tags and a stored resource policy.

KMS is called for the caller (`caller`, a `types.KeyCaller`): Secrets Manager "acts on behalf
of the user who is creating or changing the secret value", who needs `kms:GenerateDataKey`
on the secret's key to write a value and `kms:Decrypt` to read one (a retried write compares
its value with the version's, which reads it) ("Permissions for the KMS key", Secrets Manager
User Guide). A refusal answers AccessDeniedException `Access to KMS is not allowed`.
"""

from __future__ import annotations

import base64
import json
import secrets as random
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from overcast.aws import tags as aws_tags
from overcast.aws.arn import arn
from overcast.aws.errors import AccessDeniedException, ServiceError
from overcast.services.secretsmanager.errors import (
    DecryptionFailure,
    EncryptionFailure,
    InvalidParameterException,
    InvalidRequestException,
    MalformedPolicyDocumentException,
    ResourceExistsException,
    ResourceNotFoundException,
    kms_refused,
)
from overcast.services.secretsmanager.store import SqliteSecretStore
from overcast.types import KeyCaller, Keys

DEFAULT_KEY = "alias/aws/secretsmanager"
CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
DAY_S = 86_400
MAX_VERSIONS = 100
NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = "You can't perform this operation on the secret because it was marked for deletion."


@dataclass
class SecretVault:
    store: SqliteSecretStore
    keys: Keys
    account_id: str
    clock: Callable[[], float] = field(default=time.time)

    # --- finding --------------------------------------------------------------------

    def find(self, region: str, secret_id: str, *, deleted_ok: bool = False) -> dict:
        """The secret `secret_id` names: its name, its ARN, or its ARN without the suffix."""
        now = self.clock()
        for doc in self.store.all(region):
            if doc["deleted"] is not None and doc["deleted"] + doc["window_s"] <= now:
                self.store.delete(region, doc["arn"])  # its recovery window has passed
                continue
            if secret_id in (doc["name"], doc["arn"], doc["arn"][:-7]):
                if doc["deleted"] is not None and not deleted_ok:
                    raise InvalidRequestException(MARKED)
                return doc
        raise ResourceNotFoundException(NOT_FOUND)

    def all(self, region: str) -> list[dict]:
        now = self.clock()
        return [
            doc
            for doc in self.store.all(region)
            if doc["deleted"] is None or doc["deleted"] + doc["window_s"] > now
        ]

    # --- writes ---------------------------------------------------------------------

    def create(
        self, region: str, p: dict, caller: KeyCaller | None = None
    ) -> tuple[dict, str | None]:
        name = p["Name"]
        with self.store.transaction():
            existing = [d for d in self.store.all(region) if d["name"] == name]
            if existing:
                doc = existing[0]
                token = p.get("ClientRequestToken")
                retried = token and token in doc["versions"]
                if retried and self._same(region, doc, token, p, caller):
                    return doc, token  # a retried CreateSecret (idempotent by its token)
                raise ResourceExistsException(
                    f"The operation failed because the secret {name} already exists."
                )
            suffix = "".join(random.choice(string.ascii_letters) for _ in range(6))
            now = self.clock()
            doc = {
                "name": name,
                "arn": arn("secretsmanager", region, self.account_id, f"secret:{name}-{suffix}"),
                "description": p.get("Description"),
                "kms_key_id": p.get("KmsKeyId"),
                "tags": _tags(p.get("Tags")),
                "policy": None,
                "created": now,
                "changed": now,
                "accessed": None,
                "deleted": None,
                "window_s": 0,
                "rotation": None,
                "versions": {},
            }
            version_id = None
            if _has_value(p):
                version_id = self._add_version(region, doc, p, [CURRENT], caller)
            self.store.put(region, doc)
        return doc, version_id

    def put_value(
        self, region: str, secret_id: str, p: dict, caller: KeyCaller | None = None
    ) -> tuple[dict, str, list[str]]:
        stages = p.get("VersionStages") or [CURRENT]
        with self.store.transaction():
            doc = self.find(region, secret_id)
            token = p.get("ClientRequestToken")
            if token and token in doc["versions"]:
                if not self._same(region, doc, token, p, caller):
                    raise ResourceExistsException(
                        f"You can't modify an existing version, you can only create a new "
                        f"version. VersionId: {token}"
                    )
                return doc, token, doc["versions"][token]["stages"]
            version_id = self._add_version(region, doc, p, stages, caller)
            doc["changed"] = self.clock()
            self.store.put(region, doc)
        return doc, version_id, stages

    def update(
        self, region: str, secret_id: str, p: dict, caller: KeyCaller | None = None
    ) -> tuple[dict, str | None]:
        with self.store.transaction():
            doc = self.find(region, secret_id)
            if "Description" in p:
                doc["description"] = p["Description"]
            if "KmsKeyId" in p:
                doc["kms_key_id"] = p["KmsKeyId"]
            version_id = None
            if _has_value(p):
                token = p.get("ClientRequestToken")
                if token and token in doc["versions"]:
                    raise ResourceExistsException(
                        f"You can't modify an existing version, you can only create a new "
                        f"version. VersionId: {token}"
                    )
                version_id = self._add_version(region, doc, p, [CURRENT], caller)
            doc["changed"] = self.clock()
            self.store.put(region, doc)
        return doc, version_id

    def move_stage(self, region: str, secret_id: str, p: dict) -> dict:
        stage, source, target = (
            p["VersionStage"],
            p.get("RemoveFromVersionId"),
            p.get("MoveToVersionId"),
        )
        with self.store.transaction():
            doc = self.find(region, secret_id)
            versions = doc["versions"]
            holder = next((v for v, ver in versions.items() if stage in ver["stages"]), None)
            for named in (source, target):
                if named is not None and named not in versions:
                    raise InvalidParameterException(f"Not a valid version: {named}")
            if holder is not None and target is not None and source != holder:
                raise InvalidParameterException(
                    f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} "
                    f"is currently attached to version {holder}, so you must explicitly "
                    "reference that version in RemoveFromVersionId."
                )
            if source is not None and stage not in versions[source]["stages"]:
                raise InvalidParameterException(
                    f"Version stage {stage} not found in version {source}"
                )
            if target is not None:
                _attach(versions, target, [stage])
            elif source is not None:
                versions[source]["stages"].remove(stage)
            self.store.put(region, doc)
        return doc

    def delete(self, region: str, secret_id: str, p: dict) -> dict:
        window = p.get("RecoveryWindowInDays")
        force = p.get("ForceDeleteWithoutRecovery")
        if window is not None and force:
            raise InvalidParameterException(
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
            )
        if window is not None and not 7 <= window <= 30:
            raise InvalidParameterException(
                "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
            )
        with self.store.transaction():
            doc = self.find(region, secret_id, deleted_ok=bool(force))
            if doc["deleted"] is not None and not force:
                raise InvalidRequestException(MARKED)
            doc["deleted"] = self.clock()
            doc["window_s"] = 0 if force else (window or 30) * DAY_S
            if force:
                self.store.delete(region, doc["arn"])
            else:
                self.store.put(region, doc)
        return doc

    def restore(self, region: str, secret_id: str) -> dict:
        with self.store.transaction():
            doc = self.find(region, secret_id, deleted_ok=True)
            doc["deleted"], doc["window_s"] = None, 0
            self.store.put(region, doc)
        return doc

    def change(self, region: str, secret_id: str, edit: Callable[[dict], None]) -> dict:
        """Apply `edit` to the secret's document (tags, policy, rotation) and keep it."""
        with self.store.transaction():
            doc = self.find(region, secret_id)
            edit(doc)
            self.store.put(region, doc)
        return doc

    def set_policy(self, region: str, secret_id: str, policy: str | None) -> dict:
        if policy is not None:
            try:
                document = json.loads(policy)
            except ValueError as exc:
                raise MalformedPolicyDocumentException(
                    "This resource policy contains an unsupported operation."
                ) from exc
            if not isinstance(document, dict):
                raise MalformedPolicyDocumentException("This resource policy is not valid.")
        return self.change(region, secret_id, lambda doc: doc.update(policy=policy))

    # --- reads ----------------------------------------------------------------------

    def value(
        self,
        region: str,
        secret_id: str,
        version_id: str | None,
        stage: str | None,
        caller: KeyCaller | None = None,
    ):
        """(doc, version id, version, plaintext bytes) of the version asked for."""
        doc = self.find(region, secret_id)
        versions = doc["versions"]
        if version_id is not None:
            if version_id not in versions:
                raise ResourceNotFoundException(
                    f"Secrets Manager can't find the specified secret value for VersionId: "
                    f"{version_id}"
                )
            if stage is not None and stage not in versions[version_id]["stages"]:
                raise InvalidRequestException(
                    "You provided a VersionStage that is not associated to the provided VersionId."
                )
        else:
            stage = stage or CURRENT
            version_id = next((v for v, ver in versions.items() if stage in ver["stages"]), None)
            if version_id is None:
                raise ResourceNotFoundException(
                    f"Secrets Manager can't find the specified secret value for staging label: "
                    f"{stage}"
                )
        version = versions[version_id]
        context = {"SecretARN": doc["arn"], "SecretVersionId": version_id}
        try:
            blob = base64.b64decode(version["blob"])
            plain, _ = self.keys.decrypt(region, blob, context, caller)
        except AccessDeniedException as refused:
            raise kms_refused() from refused
        except ServiceError as exc:
            raise DecryptionFailure(
                f"Secrets Manager can't decrypt the protected secret text using the provided "
                f"KMS key. {exc.message}"
            ) from exc
        return doc, version_id, version, plain

    # --- versions -------------------------------------------------------------------

    def _add_version(
        self, region: str, doc: dict, p: dict, stages: list[str], caller: KeyCaller | None
    ) -> str:
        version_id = p.get("ClientRequestToken") or str(uuid.uuid4())
        if "SecretString" in p and "SecretBinary" in p:
            raise InvalidParameterException(
                "You can't specify both a binary secret value and a string secret value in the "
                "same secret."
            )
        binary = "SecretBinary" in p
        if not _has_value(p):  # a PutSecretValue with neither (AWS's wording unknown)
            raise InvalidParameterException("You must provide a SecretString or a SecretBinary.")
        plain = p["SecretBinary"] if binary else p["SecretString"].encode()
        key = doc["kms_key_id"] or DEFAULT_KEY
        context = {"SecretARN": doc["arn"], "SecretVersionId": version_id}
        try:
            sealer = replace(caller, envelope=True) if caller is not None else None
            blob, _ = self.keys.encrypt(region, key, plain, context, sealer)
        except AccessDeniedException as refused:
            raise kms_refused() from refused
        except ServiceError as exc:
            raise EncryptionFailure(
                f"Secrets Manager can't encrypt the protected secret text using the provided "
                f"KMS key. {exc.message}"
            ) from exc
        versions = doc["versions"]
        versions[version_id] = {
            "blob": base64.b64encode(blob).decode(),
            "binary": binary,
            "stages": [],
            "created": self.clock(),
        }
        _attach(versions, version_id, stages)
        _prune(versions)
        return version_id

    def _same(
        self, region: str, doc: dict, version_id: str, p: dict, caller: KeyCaller | None
    ) -> bool:
        """Whether a retried request's value is the version's (ClientRequestToken idempotency)."""
        if not _has_value(p):
            return True
        _, _, version, plain = self.value(region, doc["arn"], version_id, None, caller)
        asked = p["SecretBinary"] if "SecretBinary" in p else p["SecretString"].encode()
        return plain == asked and version["binary"] == ("SecretBinary" in p)


def _attach(versions: dict, version_id: str, stages: list[str]) -> None:
    """Move `stages` to `version_id`. AWSCURRENT moving leaves AWSPREVIOUS on the version
    that had it (AWSPREVIOUS leaving the one before)."""
    for stage in stages:
        holder = next((v for v, ver in versions.items() if stage in ver["stages"]), None)
        if holder == version_id:
            continue
        if holder is not None:
            versions[holder]["stages"].remove(stage)
        if stage == CURRENT and holder is not None:
            for ver in versions.values():
                if PREVIOUS in ver["stages"]:
                    ver["stages"].remove(PREVIOUS)
            versions[holder]["stages"].append(PREVIOUS)
        versions[version_id]["stages"].append(stage)


def _prune(versions: dict) -> None:
    """Past 100 versions, the oldest without a staging label go, as Secrets Manager does."""
    spare = len(versions) - MAX_VERSIONS
    for version_id in sorted(versions, key=lambda v: versions[v]["created"]):
        if spare <= 0:
            break
        if not versions[version_id]["stages"]:
            del versions[version_id]
            spare -= 1


def _has_value(p: dict) -> bool:
    return "SecretString" in p or "SecretBinary" in p


def tag_pairs(pairs: list[dict] | None) -> list[tuple[str, str]]:
    """(key, value) of each Tag; both are optional in the model: a tag without a key is
    refused (AWS's wording for it is not documented), one without a value has an empty one."""
    found = []
    for tag in pairs or []:
        if not isinstance(tag, dict) or tag.get("Key") is None:
            raise InvalidParameterException("You must specify a key for each tag.")
        found.append((tag["Key"], tag.get("Value") or ""))
    return found


def _tags(pairs: list[dict] | None) -> dict[str, str]:
    try:
        return aws_tags.tag_map(tag_pairs(pairs))
    except aws_tags.TagError as exc:
        raise InvalidParameterException(f"Duplicate tag key: {exc.key}") from exc
