"""A handler's file and function checked before deploying, without running the user's code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.handlers import check_node, check_python, source_of


def test_a_python_handler_defined_in_many_ways_passes(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "app.py").write_text(
        "import json\nfrom x import y as handler\ntry:\n    import z\nexcept ImportError:\n"
        "    def other(e, c): pass\n"
    )
    check_python(tmp_path, "pkg/app.handler")
    check_python(tmp_path, "pkg.app.other")
    check_python(tmp_path, "pkg.app.json")


def test_a_missing_python_module_or_function_is_named(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handle(event, context):\n    return 1\n")
    with pytest.raises(BuildError, match=r"handler app.handler: .*app.py defines no 'handler'"):
        check_python(tmp_path, "app.handler")
    with pytest.raises(BuildError, match="handler src/main.handler: no src/main.py in"):
        check_python(tmp_path, "src/main.handler")
    with pytest.raises(BuildError, match="expected MODULE.FUNCTION"):
        check_python(tmp_path, "app")


def test_a_star_import_gets_the_benefit_of_the_doubt(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from impl import *\n")
    check_python(tmp_path, "app.handler")


def test_a_handler_from_installed_dependencies_is_not_checked(tmp_path: Path) -> None:
    deps = tmp_path / "deps"
    (deps / "mangum_app").mkdir(parents=True)
    (deps / "mangum_app" / "__init__.py").write_text("")
    check_python(tmp_path, "mangum_app.handler", elsewhere=[deps])


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\n\ndef handler(event, context)\n    return 1\n")
    with pytest.raises(BuildError, match=r"app.py:3: SyntaxError: expected ':'"):
        check_python(tmp_path, "app.handler", "python3.11")
    # A runtime newer than this interpreter may use syntax it does not know: not refused.
    check_python(tmp_path, "app.handler", "python3.99")


def test_node_handlers_resolve_as_the_runtime_and_the_framework_look(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "create.ts").write_text("export const handler = async () => 1;\n")
    (tmp_path / "index.mjs").write_text("export const handler = async () => 1;\n")
    assert source_of(tmp_path, "src/create.handler") == tmp_path / "src" / "create.ts"
    check_node(tmp_path, "index.handler")
    with pytest.raises(BuildError, match=r"handler src/create.handler: no src/create.\{js|mjs"):
        check_node(tmp_path, "src/create.handler")  # TypeScript the runtime cannot load


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_a_node_module_that_does_not_parse_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "index.mjs").write_text("export const handler = async () => {\n  return 1 +;\n};\n")
    with pytest.raises(BuildError, match=r"index.mjs:2: SyntaxError: Unexpected token"):
        check_node(tmp_path, "index.handler")
