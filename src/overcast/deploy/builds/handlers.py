"""The file and function a handler names, checked before anything is uploaded.

A deploy that would only fail at the first invocation (`Runtime.ImportModuleError`,
`Runtime.HandlerNotFound`) fails here instead, with the file at fault. User code is never run:
a Python module is parsed (`ast`), not imported, and a name it binds at the top level (a `def`,
an assignment, an import) counts as defined; a module that may bind names this check cannot see
(`from x import *`, a module `__getattr__`) is given the benefit of the doubt.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Collection, Iterable
from pathlib import Path

from overcast.deploy.builds.errors import BuildError

# Lambda's Node.js runtime looks for the handler's module with these extensions, in order.
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
# The framework's esbuild plugin looks for a handler's source with these, in order.
SOURCE_EXTENSIONS = (".js", ".ts", ".cjs", ".mjs", ".cts", ".mts", ".jsx", ".tsx")
TYPESCRIPT = (".ts", ".cts", ".mts", ".tsx")
COMPOUND_FIELDS = ("body", "orelse", "finalbody", "handlers")  # if/for/while/with/try
# What Lambda's Python runtimes can import beside the standard library and the package: the AWS
# SDK for Python with what it needs, and the runtime interface client.
RUNTIME_MODULES = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six", "awslambdaric"}
)


def split(handler: str) -> tuple[str, str]:
    """`src/handlers/create.handler` -> (`src/handlers/create`, `handler`)."""
    module, dot, function = handler.rpartition(".")
    if not dot or not module or not function:
        raise BuildError(f"handler {handler!r}: expected MODULE.FUNCTION (e.g. app.handler)")
    return module, function


def source_of(root: Path, handler: str, extensions: Iterable[str] = SOURCE_EXTENSIONS) -> Path:
    """The file a Node.js handler's module is, in the order the framework looks."""
    module, _ = split(handler)
    for extension in extensions:
        candidate = root / f"{module}{extension}"
        if candidate.is_file():
            return candidate
    tried = "|".join(e.lstrip(".") for e in extensions)
    raise BuildError(f"handler {handler}: no {module}.{{{tried}}} in {root}")


def check_node(root: Path, handler: str) -> None:
    """The module a Node.js handler names exists (as the runtime will look for it) and parses
    (`node --check`: a syntax check that runs nothing, where Node.js is installed)."""
    path = source_of(root, handler, NODE_EXTENSIONS)
    node = shutil.which("node")
    if node is None:
        return
    done = subprocess.run(
        [node, "--check", str(path)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        where = lines[0] if lines and lines[0].startswith(str(path)) else str(path)
        error = next((line for line in reversed(lines) if "Error" in line), "does not parse")
        raise BuildError(f"{where}: {error.strip()}")


def check_python(
    root: Path,
    handler: str,
    runtime: str | None = None,
    elsewhere: Iterable[Path] = (),
    packaged: Collection[str] | None = None,
) -> None:
    """The module a Python handler names exists (in `root`, or in `elsewhere`: installed
    dependencies), compiles, and defines the function; with `packaged` (the package's
    top-level names: package_names), its unconditional imports can be found too."""
    module, function = split(handler)
    # awslambdaric imports `modname.replace("/", ".")`: dots and slashes both separate packages.
    relative = module.replace("/", ".").replace(".", "/")
    path = _module_file(root, relative)
    if path is None:
        if any(_module_file(folder, relative) for folder in elsewhere):
            return  # a dependency's function: installed code, not checked
        raise BuildError(f"handler {handler}: no {relative}.py in {root}")
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as error:
        if _newer_than_here(runtime):
            return  # may be syntax this interpreter does not know yet
        where = f"{path}:{error.lineno}" if error.lineno else str(path)
        raise BuildError(f"{where}: SyntaxError: {error.msg}") from None
    except ValueError as error:  # null bytes
        raise BuildError(f"{path}: {error}") from None
    names = top_level_names(tree)
    if names is not None and function not in names:
        raise BuildError(f"handler {handler}: {path} defines no {function!r}")
    if packaged is not None:
        _check_imports(path, tree, packaged)


def package_names(paths: Iterable[str]) -> set[str]:
    """The top-level module names a package's files (paths relative to its root, `/`-separated)
    make importable from /var/task: `app.py` -> app, `lib/x.py` -> lib, `m.cpython-312.so` -> m."""
    found = set()
    for path in paths:
        first, slash, _ = path.partition("/")
        found.add(first if slash else first.split(".")[0])
    return found


def _check_imports(path: Path, tree: ast.Module, packaged: Collection[str]) -> None:
    """The module's imports at its top level (not inside try/if, where a failure may be
    handled), each found in the package, the standard library or the runtime: otherwise the
    function would only fail at its first invocation with Runtime.ImportModuleError."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in RUNTIME_MODULES or top in packaged:
                continue
            raise BuildError(
                f"{path}:{node.lineno}: imports {top!r}, which is neither in the package nor "
                "in Lambda's runtime (add it to requirements.txt): the function would fail "
                "with Runtime.ImportModuleError"
            )


def _stored(node: ast.AST) -> set[str]:
    return {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store)
    }


def _module_file(root: Path, relative: str) -> Path | None:
    for candidate in (root / f"{relative}.py", root / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _newer_than_here(runtime: str | None) -> bool:
    try:
        major, minor = (int(n) for n in (runtime or "").removeprefix("python").split(".")[:2])
    except ValueError:
        return False
    return (major, minor) > sys.version_info[:2]


def top_level_names(tree: ast.Module) -> set[str] | None:
    """Names the module binds at its top level (inside if/try/with/for too); None when it may
    bind names that cannot be seen without running it."""
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
            continue
        bodies = [getattr(node, field, None) or [] for field in COMPOUND_FIELDS]
        if not any(bodies):  # a simple statement: what it assigns
            names.update(_stored(node))
            continue
        targets = [getattr(node, "target", None)]  # for x in ...
        targets += [item.optional_vars for item in getattr(node, "items", [])]  # with ... as x
        for target in targets:
            if target is not None:
                names.update(_stored(target))
        for body in bodies:
            for child in body:
                pending.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
    return None if "__getattr__" in names else names
