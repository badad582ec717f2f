"""The framework's variables: `${source:address, fallback}` resolved through a project, as the
Serverless Framework (v4's sf-core src/lib/resolvers; v3 reads the same) resolves them.

A string that is one variable takes the value's type (`memorySize: ${self:custom.mem}` is a
number, `environment: ${file(./env.yml)}` a mapping); variables inside a longer string are
written in as text (`arn:aws:sqs:${aws:region}:${aws:accountId}:jobs`). A variable may hold
variables (`${self:custom.${sls:stage}.table}`), its fallbacks are tried in order and may be
variables too (`${env:A, ${env:B, 'x'}}`), and a value that holds variables (a file's, another
key's) has them resolved in turn. `${self:...}` reads the project as resolved, so keys may refer
to each other in any order; a loop among them is an error naming it.

Where the framework resolves a nested variable before knowing whether its fallback is needed,
Overcast resolves fallbacks lazily: `${env:SET, ${env:UNSET}}` is the value of SET here.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from overcast.deploy.serverless import variable_sources as answers
from overcast.deploy.serverless import variable_syntax as syntax
from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variable_files import MISSING, FileProblem, FileSource, ModuleCalls
from overcast.deploy.serverless.variable_sources import UNSUPPORTED, SourceProblem, VariableSources

__all__ = ["VariableSources", "resolve", "where"]

# Bounds a hostile project cannot get past (a file that includes itself, keys that double)
MAX_VARIABLES = 20_000  # variables resolved in one project
MAX_CHAIN = 40  # variables waiting on one another (self -> self -> ...)
MAX_ROUNDS = 10  # times one value may resolve to yet another variable
MAX_DEPTH = 100  # nesting of the resolved project (the template loader's own limit)
MAX_TEXT = 1_000_000  # characters of a string built from variables

ConfigPath = tuple[str | int, ...]


def resolve(config: dict[str, Any], sources: VariableSources) -> dict[str, Any]:
    """A copy of `config` with every variable replaced by its value. Raises TranslationError
    naming the key at fault."""
    resolver = _Resolver(copy.deepcopy(config), sources)
    resolver.settle(())
    return resolver.config


def where(path: ConfigPath) -> str:
    """`("functions", "hello", "events", 0)` -> `functions.hello.events[0]`."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif key.startswith("\0"):
            text = "(a variable a JS file asked for)"
        else:
            text += f".{key}" if text else key
    return text or "(the whole file)"


class _Resolver:
    """Resolves `config` in place, key by key, each on first need."""

    def __init__(self, config: dict[str, Any], sources: VariableSources) -> None:
        self.config = config
        self.sources = sources
        self._active: list[tuple[ConfigPath, str]] = []  # strings being resolved, outermost 1st
        self._count = 0
        self._stage: str | None = None
        self._account: str | None = None
        self._scratch = 0
        self._files = FileSource(sources.root)
        self._instance_id = sources.instance_id or str(int(time.time() * 1000))
        self._sources: dict[str, Callable[[syntax.Address, ConfigPath], Any]] = {
            "self": lambda address, _: self._lookup(syntax.property_path(address.key)),
            "opt": lambda address, _: self._option(address.key),
            "env": lambda address, _: sources.env.get(address.key, MISSING),
            "sls": lambda address, _: self._sls(address.key),
            "param": lambda address, _: self._param(address.key),
            "aws": lambda address, _: self._aws(address.key),
            "strToBool": lambda address, _: answers.str_to_bool(address),
            "file": self._file,
            "cf": lambda address, _: answers.stack_output(sources, address),
            "ssm": lambda address, _: answers.ssm_parameter(sources, address),
        }

    # -- walking the project ------------------------------------------------------------

    def settle(self, path: ConfigPath) -> None:
        """Resolve every variable at and under `path`."""
        pending = [path]
        while pending:
            at = pending.pop()
            if len(at) > MAX_DEPTH:
                raise TranslationError(f"{where(at)}: nested deeper than {MAX_DEPTH} levels")
            value = self._get(at)
            if isinstance(value, str):
                value = self._resolve_at(at)
            if isinstance(value, dict):
                pending.extend(at + (key,) for key in reversed(list(value)))
            elif isinstance(value, list):
                pending.extend(at + (index,) for index in reversed(range(len(value))))

    def _get(self, path: ConfigPath) -> Any:
        node: Any = self.config
        for key in path:
            node = node[key]
        return node

    def _set(self, path: ConfigPath, value: Any) -> None:
        self._get(path[:-1])[path[-1]] = value

    def _resolve_at(self, path: ConfigPath) -> Any:
        """The string at `path` resolved and written back; again while its value is a string
        holding variables (a file's text, an environment variable's)."""
        for _ in range(MAX_ROUNDS):
            text = self._get(path)
            if not isinstance(text, str) or not self._holds_variables(text, path):
                return text
            self._enter(path, text)
            try:
                value = self._interpolate(text, path, keep_type=True)
            finally:
                self._active.pop()
            self._set(path, value)
        raise TranslationError(
            f"{where(path)}: its variables still resolve to variables after {MAX_ROUNDS} rounds"
        )

    @staticmethod
    def _holds_variables(text: str, path: ConfigPath) -> bool:
        try:
            return bool(syntax.placeholders(text))
        except syntax.SyntaxProblem as problem:
            raise TranslationError(f"{where(path)}: {problem}") from None

    def _enter(self, path: ConfigPath, text: str) -> None:
        for index, (active, _) in enumerate(self._active):
            if active == path:
                chain = [f"{where(p)} ({t})" for p, t in self._active[index:]] + [where(path)]
                raise TranslationError(
                    f"{where(path)}: Cyclic reference found: {' -> '.join(chain)}"
                )
        if len(self._active) >= MAX_CHAIN:
            raise TranslationError(f"{where(path)}: more than {MAX_CHAIN} variables deep")
        self._count += 1
        if self._count > MAX_VARIABLES:
            raise TranslationError(f"{where(path)}: more than {MAX_VARIABLES} variables")
        self._active.append((path, text))

    # -- one string ---------------------------------------------------------------------

    def _interpolate(self, text: str, path: ConfigPath, keep_type: bool) -> Any:
        """`text` with its variables' values in; a string that is one variable becomes its
        value where `keep_type`."""
        spans = syntax.placeholders(text)
        if keep_type and spans == [(0, len(text))]:
            return self._placeholder(text, path)
        parts, last = [], 0
        for start, end in spans:
            placeholder = text[start:end]
            value = self._placeholder(placeholder, path)
            parts += [text[last:start], _as_text(value, placeholder, path)]
            last = end
        parts.append(text[last:])
        result = "".join(parts)
        if len(result) > MAX_TEXT:
            raise TranslationError(f"{where(path)}: a string of more than {MAX_TEXT} characters")
        return result

    def _placeholder(self, placeholder: str, path: ConfigPath, required: bool = True) -> Any:
        """The value of `${...}`: its first fallback that has one."""
        try:
            for fallback in syntax.fallbacks(placeholder):
                if isinstance(fallback, syntax.Literal):
                    return fallback.value
                if fallback.nested:
                    value = self._placeholder(fallback.text, path, required=False)
                else:
                    text = self._interpolate(fallback.text, path, keep_type=False)
                    value = self._source(syntax.address(text, placeholder), placeholder, path)
                if value is not MISSING and value is not None:
                    return value
        except syntax.SyntaxProblem as problem:
            raise TranslationError(f"{where(path)}: {problem}") from None
        if not required:
            return MISSING
        # manager.js resolve(): the framework's words
        raise TranslationError(
            f"Cannot resolve '{placeholder}' variable at '{where(path)}'. No value is available "
            "for this variable, and no default value was provided. Please check your variable "
            "definitions or provide a default value."
        )

    def _source(self, address: syntax.Address, placeholder: str, path: ConfigPath) -> Any:
        answer = self._sources.get(address.source)
        if answer is None:
            if address.source in UNSUPPORTED:
                raise TranslationError(
                    f'{where(path)}: the "{address.source}" variable source ({placeholder}) is '
                    f"not supported by Overcast: {UNSUPPORTED[address.source]}"
                )
            # the framework (v3)'s words
            raise TranslationError(
                f'{where(path)}: Unrecognized configuration variable sources: "{address.source}"'
            )
        try:
            return answer(address, path)
        except (SourceProblem, FileProblem) as problem:
            raise TranslationError(f"{where(path)}: {placeholder}: {problem}") from None

    # -- the sources --------------------------------------------------------------------

    def _lookup(self, segments: list[str]) -> Any:
        """`${self:a.b.0}`: the project's value there, resolved (MISSING where none)."""
        path: ConfigPath = ()
        for segment in segments:
            node = self._resolve_at(path) if path else self.config
            if isinstance(node, dict):
                key = _key_in(node, segment)
                if key is MISSING:
                    return MISSING
                path += (key,)
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                path += (int(segment),)
            else:
                return MISSING
        self.settle(path)
        value = self._get(path)
        return MISSING if value is None else copy.deepcopy(value)

    def _option(self, name: str) -> Any:
        options = self.sources.options
        value = options.get(name)
        if value is None:  # the framework's short flags: -s, -r
            value = options.get({"stage": "s", "region": "r"}.get(name, ""))
        return MISSING if value is None else value

    def _current_stage(self) -> str:
        """sls.js: --stage, else provider.stage (itself maybe a variable), else dev."""
        if self._stage is None:
            stage = self._option("stage")
            if stage is MISSING:
                stage = self._lookup(["provider", "stage"])
            self._stage = "dev" if stage is MISSING or stage == "" else str(stage)
        return self._stage

    def _region(self) -> str:
        """--region, else provider.region, else us-east-1 (the deploy's own region: the
        framework's resolver also reads AWS_REGION, which would not be where it deploys)."""
        region = self._option("region")
        if region is MISSING:
            region = self._lookup(["provider", "region"])
        return "us-east-1" if region is MISSING or region == "" else str(region)

    def _sls(self, key: str) -> Any:
        if key == "stage":
            return self._current_stage()
        if key == "instanceId":
            return self._instance_id
        raise SourceProblem('the "sls" source has "stage" and "instanceId" only')

    def _param(self, name: str) -> Any:
        """param.js: --param, else stages.<stage>.params, params.<stage>,
        stages.default.params, params.default."""
        if name in self.sources.params:
            return self.sources.params[name]
        stage = self._current_stage()
        for section in (
            ["stages", stage, "params"],
            ["params", stage],
            ["stages", "default", "params"],
            ["params", "default"],
        ):
            value = self._lookup([*section, name])
            if value is not MISSING:
                return value
        return MISSING

    def _aws(self, key: str) -> Any:
        if key == "region":
            return self._region()
        if key == "partition":
            return answers.partition(self._region())
        if key == "accountId":
            if self._account is None:
                self._account = answers.ask(self.sources.account_id)
            return self._account
        raise SourceProblem('the "aws" source has "region", "accountId" and "partition" only')

    def _file(self, address: syntax.Address, path: ConfigPath) -> Any:
        # file.js: `file(<path>):<property>`, and `file:<path>` read as a path
        name, prop = ",".join(address.params), address.key
        if not address.params:
            name, prop = address.key, ""
        calls = ModuleCalls(
            variable=lambda text: self._free_variable(text),
            property=lambda keys: _none_if_missing(self._lookup([str(k) for k in keys])),
            options=dict(self.sources.options),
            env=dict(self.sources.env),
        )
        return self._files.value(name, prop, calls)

    def _free_variable(self, text: str) -> Any:
        """A JS file's `resolveVariable("self:x")`: resolved as a key of the project would be
        (the framework adds it to the project under a temporary name, as here)."""
        key = f"\0{self._scratch}"
        self._scratch += 1
        self.config[key] = "${" + text + "}"
        try:
            self.settle((key,))
            return self.config[key]
        finally:
            del self.config[key]


def _key_in(node: dict[Any, Any], segment: str) -> Any:
    """The key of `node` that `segment` names (YAML may have read `1:` as the number 1)."""
    if segment in node:
        return segment
    for key in node:
        if not isinstance(key, str) and str(key) == segment:
            return key
    return MISSING


def _none_if_missing(value: Any) -> Any:
    return None if value is MISSING else value


def _as_text(value: Any, placeholder: str, path: ConfigPath) -> str:
    """A value written into a longer string, as JavaScript's `'' + value` writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return ",".join("" if v is None else _as_text(v, placeholder, path) for v in value)
    raise TranslationError(
        f"{where(path)}: {placeholder} is part of a string but its value is "
        f"{'null' if value is None else type(value).__name__ + ' ' + repr(value)[:80]}, "
        "not a string"
    )
