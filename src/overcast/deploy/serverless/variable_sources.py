"""Where variables' values come from (`VariableSources`), and the sources that need nothing of
the project itself to answer: the server's (`${cf:}`, `${ssm:}`, `${aws:accountId}`) and
`${strToBool(...)}`, as the framework's providers answer them (sf-core
src/lib/resolvers/providers/aws/{cf,ssm,aws}.js, str-to-bool/str-to-bool.js)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variable_files import MISSING
from overcast.deploy.serverless.variable_syntax import Address

# Sources the framework has and Overcast does not answer: said by name, not "unrecognized"
UNSUPPORTED = {
    "git": "git information is not read",
    "s3": "S3 objects are not read as variables",
    "output": "Serverless Dashboard outputs need the Dashboard",
    "doppler": "Doppler needs its own service",
    "vault": "HashiCorp Vault needs its own service",
    "terraform": "Terraform state is not read",
}


@dataclass
class VariableSources:
    """Where variables' values come from. The callables reach the server (lazily: a project
    that names no `${aws:accountId}` makes no STS call)."""

    root: Path  # the service folder: `${file(...)}` paths are relative to it
    options: Mapping[str, str] = field(default_factory=dict)  # CLI: stage, region (`${opt:}`)
    params: Mapping[str, str] = field(default_factory=dict)  # --param k=v (`${param:}`)
    env: Mapping[str, str] = field(default_factory=dict)  # `${env:}`
    account_id: Callable[[], str] = lambda: "000000000000"  # `${aws:accountId}`
    # (stack name, output key, region or None) -> the output's value, None if there is none
    # (`${cf:stack.key}`, `${cf(region):stack.key}`)
    stack_output: Callable[[str, str, str | None], Any] | None = None
    # (parameter name, decrypt) -> None if there is none, else GetParameter's `Parameter`
    # ({"Type", "Value", ...}: a StringList is then split and a JSON SecureString read, as the
    # framework does, `raw` aside) or just its value (`${ssm:/path}`, `${ssm(raw):/path}`)
    ssm_parameter: Callable[[str, bool], Any] | None = None
    # the same in a region a variable names (`${ssm(eu-west-1):/path}`); without it such a
    # variable is an error rather than a read of the wrong region's parameter
    ssm_parameter_in: Callable[[str, bool, str], Any] | None = None
    instance_id: str = ""  # `${sls:instanceId}`; "" for one made per resolution, as v4 does


class SourceProblem(Exception):
    """Raised by a source that cannot answer; the resolver adds the key at fault."""


def stack_output(sources: VariableSources, address: Address) -> Any:
    """`${cf:stack.Output}` / `${cf(region):stack.Output}` (cf.js: the first two parts)."""
    stack, _, output = address.key.partition(".")
    if not stack or not output:
        raise SourceProblem('a "cf" variable names "<stack>.<output>"')
    if sources.stack_output is None:
        raise SourceProblem("stack outputs cannot be read here")
    region = address.params[0] if address.params else None
    value = ask(sources.stack_output, stack, output.split(".")[0], region)
    return MISSING if value is None else value


def ssm_parameter(sources: VariableSources, address: Address) -> Any:
    """`${ssm:/path}`, `${ssm(raw):/path}`, `${ssm(region, noDecrypt):/path}` (ssm.js)."""
    region, mode = (list(address.params) + [None, None])[:2]
    if region in ("raw", "noDecrypt"):  # placeholders.js processSsm: ssm(raw):/path
        region, mode = None, region
    name = address.key
    if name.endswith(("~true", "~false")):  # the framework's v1 `~true` (decrypt) suffix
        name = name.rpartition("~")[0]
    decrypt = mode != "noDecrypt"
    if region:
        if sources.ssm_parameter_in is None:
            raise SourceProblem("SSM parameters of another region cannot be read here")
        found = ask(sources.ssm_parameter_in, name, decrypt, region)
    elif sources.ssm_parameter is None:
        raise SourceProblem("SSM parameters cannot be read here")
    else:
        found = ask(sources.ssm_parameter, name, decrypt)
    return MISSING if found is None else _parameter_value(found, raw=mode == "raw")


def _parameter_value(found: Any, raw: bool) -> Any:
    """ssm.js: a StringList is a list (unless raw), a SecureString holding JSON its data."""
    if not isinstance(found, dict) or "Value" not in found:
        return found
    kind, value = found.get("Type"), found["Value"]
    if kind == "StringList" and not raw:
        return value.split(",")
    if kind == "SecureString" and not raw and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def partition(region: str) -> str:
    """`${aws:partition}`: the partition a region belongs to (aws.js resolvePartition)."""
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def str_to_bool(address: Address) -> bool:
    """`${strToBool(true)}`: "true"/"1" and "false"/"0", any case."""
    text = (",".join(address.params) if address.params else address.key).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise SourceProblem(  # str-to-bool.js's words
        f'Invalid "strToBool" input: Expected either "true", "false", "0", or "1". Received: {text}'
    )


def ask(source: Callable[..., Any], *args: Any) -> Any:
    """A callable that reaches the server; its failure becomes the variable's error."""
    try:
        return source(*args)
    except TranslationError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a lookup is the user's to see
        raise SourceProblem(f"Failed to resolve variable: {error}") from None
