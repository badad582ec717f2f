"""SSM parameters and Secrets Manager secrets in templates, read from Overcast's services as
the stack's caller through the kernels' parameter readers (parameter_readers.py; no service
imports another):

- parameters of the types `AWS::SSM::Parameter::Value<String>`, `<List<String>>`,
  `<CommaDelimitedList>`, ...: the value given is a parameter's name; the stack gets the
  parameter's value when the operation is planned. A missing parameter is refused
  ("Parameters: [name] cannot be found."), a SecureString too: "CloudFormation doesn't
  support" SecureString for these types (User Guide, "Specify existing resources at
  runtime with CloudFormation-supplied parameter types").
- dynamic references `{{resolve:ssm:name}}` and `{{resolve:ssm:name:version}}` in resource
  properties, resolved when the resource's provider is called: the stack keeps the
  reference, not the value, as CloudFormation does.
- `{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`
  (all but the secret's name or ARN optional): the secret's text, or the value of one key
  of its JSON, resolved the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.credentials import Identity
from overcast.parameter_readers import ParameterReaders, ParameterUnreadable
from overcast.services.cloudformation.errors import TemplateError

# "{{resolve:ssm:parameter-name:version}}" (the version optional); names are SSM's
# characters: a-zA-Z0-9_.-/ (and a leading slash for hierarchies).
_REFERENCE = re.compile(r"\{\{resolve:ssm:([a-zA-Z0-9_./-]+)(?::(\d+))?\}\}")
SSM_SECURE = "Overcast does not resolve {{resolve:ssm-secure:...}} references"
_SECRET = re.compile(r"\{\{resolve:secretsmanager:([^{}]+)\}\}")


@dataclass
class DynamicReferences:
    """Reads SSM parameters for one server: `readers` is the kernels' ParameterReaders."""

    readers: ParameterReaders

    def for_parameters(self, region: str, caller: Identity | None) -> Callable[[str], str | None]:
        """`resolve_ssm` for template/parameters.py: a parameter's value by name, as
        `caller` reads it, or None when it does not exist."""

        def resolve(name: str) -> str | None:
            found = self._read(region, name, caller)
            if found is not None and found.type == "SecureString":
                raise TemplateError(
                    f"Parameters [{name}] referenced by template have types not supported by "
                    "CloudFormation."
                )
            return None if found is None else found.value

        return resolve

    def resolve(self, value: object, region: str, caller: Identity | None) -> object:
        """`value` (resource properties) with each `{{resolve:ssm:...}}` replaced by the
        parameter's value."""
        if isinstance(value, dict):
            return {k: self.resolve(v, region, caller) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, region, caller) for item in value]
        if isinstance(value, str) and "{{resolve:" in value:
            if "{{resolve:ssm-secure:" in value:
                # Refused rather than passed on as text: a SecureString's value is never
                # read here (CloudFormation takes it only in the properties that support it).
                raise TemplateError(SSM_SECURE)
            value = _REFERENCE.sub(lambda m: self._reference(m, region, caller), value)
            return _SECRET.sub(lambda m: self._secret(m[1], region, caller), value)
        return value

    def _secret(self, reference: str, region: str, caller: Identity | None) -> str:
        parts = reference.split(":")
        # A secret named by ARN: arn:aws:secretsmanager:region:account:secret:name-AbCdEf
        cut = 7 if reference.startswith("arn:") else 1
        secret_id, rest = ":".join(parts[:cut]), parts[cut:] + [""] * 4
        kind, key, stage, version_id = rest[:4]
        if kind not in ("", "SecretString") or (stage and version_id) or len(parts) > cut + 4:
            raise TemplateError(
                f"Invalid dynamic reference {{{{resolve:secretsmanager:{reference}}}}}"
            )
        try:
            text = self.readers.secret(region, secret_id, stage or None, version_id or None, caller)
        except ParameterUnreadable as error:
            raise TemplateError(error.message) from None
        if not key:
            return text
        try:
            found = json.loads(text)
        except ValueError:
            found = None
        if not isinstance(found, dict) or key not in found:
            raise TemplateError(f"Could not find SecretString JSON key {key} in secret {secret_id}")
        value = found[key]
        return value if isinstance(value, str) else json.dumps(value)

    def _reference(self, match: re.Match[str], region: str, caller: Identity | None) -> str:
        name, version = match[1], match[2]
        found = self._read(region, f"{name}:{version}" if version else name, caller)
        if found is None:
            raise TemplateError(
                f"Unable to fetch parameters [{name}] from parameter store for this account."
            )
        if found.type == "SecureString":
            raise TemplateError(
                f"Parameters [{name}] referenced by template have types not supported by "
                "CloudFormation."
            )
        return found.value

    def _read(self, region: str, name: str, caller: Identity | None):  # noqa: ANN202
        try:
            return self.readers.read(region, name, caller)
        except ParameterUnreadable as error:
            raise TemplateError(error.message) from None
