"""A Python function's dependency list, read from the file that declares it.

`requirements.txt` is what `sam build` and `overcast deploy DIR` read. The Serverless
Framework's serverless-python-requirements plugin also reads a Poetry project's
`pyproject.toml` (what `poetry export` writes) and a `Pipfile` (what `pipenv requirements`
writes: `Pipfile.lock`'s pins when there is one), in that order, before requirements.txt
(lib/pip.js generateRequirementsFile). Neither tool is needed here: their files are TOML, and the
list pip installs is made from them directly. A PEP 621 `[project] dependencies` list is read
last, where nothing else declares the dependencies (the plugin does not read it; users expect it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from overcast.deploy.builds.errors import BuildError

REQUIREMENTS = "requirements.txt"
PIPFILE = "Pipfile"
PIPFILE_LOCK = "Pipfile.lock"
PYPROJECT = "pyproject.toml"
# Lines of a requirements file that point at other files on this machine.
SHORT_OPTIONS = ("-r", "-c", "-e")  # also written joined to their value: -rbase.txt
LONG_OPTIONS = ("--requirement", "--constraint", "--editable")
LOCAL_STARTS = (".", "/", "~", "file:")
VERSION = re.compile(r"\d+(\.\d+)*")


@dataclass(frozen=True)
class Requirements:
    """What pip installs: requirements-file `text`, from `source` (a file in `folder`, where pip
    runs, so relative paths in the text name the user's files)."""

    text: str
    folder: Path
    source: str  # the file it came from, for messages: requirements.txt, Pipfile...

    @property
    def file(self) -> Path | None:
        """The user's own requirements file, when the text is that file's (pip reads it, so
        its `-r other.txt` lines resolve beside it)."""
        return self.folder / REQUIREMENTS if self.source == REQUIREMENTS else None

    def names_local_files(self) -> bool:
        return names_local_files(self.text)


def of_folder(folder: Path, *, poetry: bool = False, pipenv: bool = False) -> Requirements | None:
    """The folder's requirements: a Poetry pyproject.toml (`poetry`), a Pipfile (`pipenv`), then
    requirements.txt, then (`poetry`) a PEP 621 pyproject.toml; None when it declares none."""
    if poetry and (folder / PYPROJECT).is_file():
        found = _poetry(folder)
        if found is not None:
            return found
    if pipenv and (folder / PIPFILE).is_file():
        return _pipenv(folder)
    if (folder / REQUIREMENTS).is_file():
        text = (folder / REQUIREMENTS).read_text(encoding="utf-8", errors="replace")
        return Requirements(text, folder, REQUIREMENTS)
    if poetry and (folder / PYPROJECT).is_file():
        listed = _toml(folder / PYPROJECT).get("project", {}).get("dependencies")
        if listed:
            return Requirements(_lines(listed, PYPROJECT), folder, PYPROJECT)
    return None


def names_local_files(text: str) -> bool:
    """Whether a requirements file refers to other files here (their contents may change
    while the file stays the same)."""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        option = line.replace("=", " ").split(" ", 1)[0]
        if (
            line.startswith(LOCAL_STARTS)
            or line.startswith(SHORT_OPTIONS)
            or option in LONG_OPTIONS
        ):
            return True
    return False


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildError(f"{path}: not TOML: {error}") from None


def _lines(listed: object, source: str) -> str:
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        raise BuildError(f"{source}: dependencies must be a list of strings")
    return "".join(f"{item}\n" for item in listed)


def _poetry(folder: Path) -> Requirements | None:
    """`[tool.poetry.dependencies]` as `poetry export --only main` lists them (Poetry 2's
    `[project] dependencies` too); None for a pyproject.toml that is not Poetry's."""
    document = _toml(folder / PYPROJECT)
    tool = document.get("tool", {}).get("poetry")
    if not isinstance(tool, dict):
        return None
    lines = list(document.get("project", {}).get("dependencies") or [])
    for name, spec in (tool.get("dependencies") or {}).items():
        if name.lower() == "python":  # the interpreter's version, not a package
            continue
        line = _poetry_line(name, spec)
        if line:  # an optional dependency (an extra's) is not installed
            lines.append(line)
    return Requirements(_lines(lines, PYPROJECT), folder, PYPROJECT)


def _poetry_line(name: str, spec: object) -> str:
    extras, markers = "", ""
    if isinstance(spec, dict):
        if spec.get("optional"):
            return ""
        if spec.get("extras"):
            extras = f"[{','.join(spec['extras'])}]"
        if spec.get("markers"):
            markers = f" ; {spec['markers']}"
        if "git" in spec or "path" in spec or "url" in spec:
            source = spec.get("url") or spec.get("path") or f"git+{spec['git']}"
            return f"{name}{extras} @ {source}{markers}"
        spec = spec.get("version", "*")
    if not isinstance(spec, str):
        raise BuildError(f"{PYPROJECT}: tool.poetry.dependencies.{name}: not a version")
    return f"{name}{extras}{poetry_constraint(spec)}{markers}"


def poetry_constraint(spec: str) -> str:
    """Poetry's version constraint as pip's: `^1.2.3` -> `>=1.2.3,<2.0.0`, `~1.2` ->
    `>=1.2,<1.3`, `1.2.3` -> `==1.2.3`, `*` -> any (Poetry's documented meanings)."""
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    converted = [_one_constraint(part) for part in parts if part != "*"]
    return ",".join(item for item in converted if item)


def _one_constraint(part: str) -> str:
    if part.startswith("^") and VERSION.fullmatch(part[1:]):
        numbers = [int(n) for n in part[1:].split(".")]
        # The first non-zero number is the one that may not grow (^0.2.3 -> <0.3.0).
        bump = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
        return f">={part[1:]},<{_bumped(numbers, bump)}"
    if part.startswith("~") and not part.startswith("~=") and VERSION.fullmatch(part[1:]):
        numbers = [int(n) for n in part[1:].split(".")]
        return f">={part[1:]},<{_bumped(numbers, 0 if len(numbers) == 1 else 1)}"
    if VERSION.fullmatch(part) or (part.endswith(".*") and VERSION.fullmatch(part[:-2])):
        return f"=={part}"
    return part  # >=, <, !=, ==, ~= mean the same to pip


def _bumped(numbers: list[int], index: int) -> str:
    kept = [*numbers[:index], numbers[index] + 1]
    return ".".join(str(n) for n in kept + [0] * (len(numbers) - len(kept)))


def _pipenv(folder: Path) -> Requirements:
    """`Pipfile.lock`'s default pins when there is a lock, else `Pipfile`'s [packages]."""
    lock = folder / PIPFILE_LOCK
    if lock.is_file():
        import json

        try:
            pins = json.loads(lock.read_text(encoding="utf-8")).get("default") or {}
        except ValueError as error:
            raise BuildError(f"{lock}: not JSON: {error}") from None
        lines = [_pipenv_line(name, spec) for name, spec in pins.items()]
        return Requirements("".join(lines), folder, PIPFILE_LOCK)
    packages = _toml(folder / PIPFILE).get("packages") or {}
    lines = [_pipenv_line(name, spec) for name, spec in packages.items()]
    return Requirements("".join(lines), folder, PIPFILE)


def _pipenv_line(name: str, spec: object) -> str:
    extras, markers = "", ""
    if isinstance(spec, dict):
        if spec.get("extras"):
            extras = f"[{','.join(spec['extras'])}]"
        if spec.get("markers"):
            markers = f" ; {spec['markers']}"
        if "git" in spec:
            return f"{name}{extras} @ git+{spec['git']}{markers}\n"
        spec = spec.get("version", "*")
    version = "" if spec in ("*", "", None) else str(spec)
    return f"{name}{extras}{version}{markers}\n"
