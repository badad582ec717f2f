"""serverless.yml's packages built as `serverless package` builds them: which files (defaults,
patterns, individually, artifacts), layers, Python requirements (serverless-python-requirements:
into the zip, or a layer, slimmed) and TypeScript bundles, with the handlers checked."""

from __future__ import annotations

import io
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.pip import PythonInstaller
from overcast.deploy.serverless import bundling
from overcast.deploy.serverless import plugins as plugin_list
from overcast.deploy.serverless.model import Service, TranslationError
from overcast.deploy.serverless.packaging import package
from support import make_wheel

needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def service(root: Path, **config: Any) -> Service:
    config = {"service": "notes", "provider": {"name": "aws", "runtime": "python3.12"}, **config}
    return Service(root=root, config=config, stage="dev", region="us-east-1")


def installer(tmp_path: Path) -> PythonInstaller:
    # No server to ask: pip runs on this interpreter; its cache is the test's own.
    return PythonInstaller(None, io.StringIO(), cache=tmp_path / "pip-cache")


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_one_service_zip_with_the_defaults_and_patterns(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {
        "handler.py": HANDLER, "lib/util.py": "", "tests/test_x.py": "", "README.md": "",
        "docs/keep.md": "", ".git/HEAD": "", ".serverless/old.zip": "", "serverless.yml": "",
        ".env": "", "__pycache__/handler.cpython-311.pyc": "",
    })  # fmt: skip
    functions = {"create": {"handler": "handler.handler"}, "list": {"handler": "handler.handler"}}
    config = {
        "functions": functions,
        "package": {"patterns": ["!tests/**", "!**/*.md", "docs/*.md"]},
    }
    built = package(service(root, **config), io.StringIO(), installer(tmp_path))
    assert built.functions["create"] == built.functions["list"] == root / ".serverless/notes.zip"
    # Later patterns win: docs/keep.md is excluded by **/*.md, then included again.
    assert names(built.functions["create"]) == [".env", "docs/keep.md", "handler.py", "lib/util.py"]


def test_individually_with_function_patterns_and_a_prebuilt_artifact(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {"a.py": HANDLER, "b.py": HANDLER, "big/data.bin": ""})
    with zipfile.ZipFile(root / "prebuilt.zip", "w") as prebuilt:
        prebuilt.writestr("c.py", HANDLER)
    shutil.copyfile(Path(__file__), root / "other.txt")
    functions = {
        "a": {"handler": "a.handler", "package": {"patterns": ["!big/**"]}},
        "b": {"handler": "b.handler"},
        "c": {"handler": "c.handler", "package": {"artifact": "prebuilt.zip"}},
    }
    config = {"functions": functions, "package": {"individually": True, "patterns": ["!other.txt"]}}
    built = package(service(root, **config), io.StringIO(), installer(tmp_path))
    assert names(built.functions["a"]) == ["a.py", "b.py", "prebuilt.zip"]
    assert names(built.functions["b"]) == ["a.py", "b.py", "big/data.bin", "prebuilt.zip"]
    assert built.functions["c"] == (root / "prebuilt.zip").resolve()
    assert built.functions["a"].name == "a.zip" and built.functions["b"].name == "b.zip"
    again = package(service(root, **config), io.StringIO(), installer(tmp_path))
    assert again.functions["a"].read_bytes() == built.functions["a"].read_bytes()  # same bytes


def test_layers_are_zipped_from_their_path_and_left_out_of_functions(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {"app.py": HANDLER, "layer/python/shared.py": "X = 1\n", "layer/notes.txt": ""})
    layers = {"shared": {"path": "layer", "package": {"patterns": ["!notes.txt"]}}}
    config = {"functions": {"f": {"handler": "app.handler"}}, "layers": layers}
    built = package(service(root, **config), io.StringIO(), installer(tmp_path))
    assert names(built.layers["shared"]) == ["python/shared.py"]
    assert names(built.functions["f"]) == ["app.py"]


def test_handlers_and_settings_at_fault_are_named(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {"app.py": "def other(event, context):\n    pass\n"})
    with pytest.raises(BuildError, match="handler app.handler: .* defines no 'handler'"):
        package(
            service(root, functions={"f": {"handler": "app.handler"}}),
            io.StringIO(),
            installer(tmp_path),
        )
    with pytest.raises(TranslationError, match="functions.f.image: container images"):
        package(service(root, functions={"f": {"image": "x"}}), io.StringIO(), installer(tmp_path))
    missing = {"f": {"handler": "app.other", "package": {"artifact": "nope.zip"}}}
    with pytest.raises(TranslationError, match="functions.f.package.artifact: no such file"):
        package(service(root, functions=missing), io.StringIO(), installer(tmp_path))


@pytest.fixture
def python_project(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinydep", "1.0", 'GREETING = "hi"\n')
    root = tmp_path / "svc"
    write(root, {"app.py": "import tinydep\n" + HANDLER})
    (root / "requirements.txt").write_text(f"--no-index\n--find-links {wheels}\ntinydep==1.0\n")
    return root


def test_requirements_go_into_the_package_slimmed(python_project: Path, tmp_path: Path) -> None:
    config = {
        "functions": {"f": {"handler": "app.handler"}},
        "plugins": ["serverless-python-requirements"],
        "custom": {"pythonRequirements": {"slim": True, "dockerizePip": True}},
        "provider": {"name": "aws", "runtime": f"python3.{sys.version_info.minor}"},
    }
    log = io.StringIO()
    built = package(service(python_project, **config), log, installer(tmp_path))
    assert names(built.functions["f"]) == ["app.py", "requirements.txt", "tinydep/__init__.py"]
    assert "custom.pythonRequirements.dockerizePip is ignored" in log.getvalue()
    assert built.requirements_layer is None


def test_requirements_as_a_layer(python_project: Path, tmp_path: Path) -> None:
    layer = {"Ref": "PythonRequirementsLambdaLayer"}  # the plugin's docs: functions name it
    config = {
        "functions": {"f": {"handler": "app.handler", "layers": [layer]}},
        "plugins": {"modules": ["serverless-python-requirements"]},
        "custom": {"pythonRequirements": {"layer": True}},
        "provider": {"name": "aws", "runtime": f"python3.{sys.version_info.minor}"},
    }
    built = package(service(python_project, **config), io.StringIO(), installer(tmp_path))
    assert built.requirements_layer == python_project / ".serverless/pythonRequirements.zip"
    layer = names(built.requirements_layer)
    assert "python/tinydep/__init__.py" in layer
    assert any(name.startswith("python/tinydep-1.0.dist-info/") for name in layer)  # not slim
    assert names(built.functions["f"]) == ["app.py", "requirements.txt"]


TS_HANDLER = """\
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { shape } from "../lib/shape";

export const handler = async (event: { id: string }) => shape(event.id, typeof DynamoDBClient);
"""


@needs_npm
def test_typescript_handlers_are_bundled_in_place_of_their_sources(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {
        "src/handlers/create.ts": TS_HANDLER, "src/handlers/get.ts": TS_HANDLER,
        "src/lib/shape.ts": "export const shape = (id: string, c: string) => ({ id, c });\n",
        "package.json": '{"name": "notes", "devDependencies": {"typescript": "5"}}',
        "node_modules/typescript/index.js": "", "assets/template.html": "<p/>",
    })  # fmt: skip
    functions = {
        "create": {"handler": "src/handlers/create.handler"},
        "get": {"handler": "src/handlers/get.handler"},
    }
    config = {
        "functions": functions,
        "provider": {"name": "aws", "runtime": "nodejs20.x"},
        "package": {"patterns": ["assets/**"]},
    }
    built = package(service(root, **config), io.StringIO(), installer(tmp_path))
    listed = names(built.functions["create"])
    assert listed == [
        "assets/template.html",
        "src/handlers/create.js", "src/handlers/create.js.map",
        "src/handlers/get.js", "src/handlers/get.js.map",
    ]  # fmt: skip
    with zipfile.ZipFile(built.functions["create"]) as archive:
        bundle = archive.read("src/handlers/create.js").decode()
    assert 'require("@aws-sdk/client-dynamodb")' in bundle and "shape = (id, c)" in bundle


@needs_npm
def test_node_dependencies_replace_the_projects_node_modules(tmp_path: Path) -> None:
    dependency = tmp_path / "greet"
    write(dependency, {"package.json": '{"name": "greet", "version": "1.0.0"}', "index.js": ""})
    root = tmp_path / "svc"
    manifest = {"name": "svc", "dependencies": {"greet": "file:../greet"}}
    write(root, {
        "handler.js": "exports.hello = async () => 1;\n",
        "package.json": json.dumps(manifest),
        "node_modules/jest/index.js": "",  # a dev dependency: not packaged
    })  # fmt: skip
    config = {
        "functions": {"hello": {"handler": "handler.hello"}},
        "provider": {"name": "aws", "runtime": "nodejs20.x"},
    }
    built = package(service(root, **config), io.StringIO(), installer(tmp_path))
    listed = names(built.functions["hello"])
    assert "handler.js" in listed and "package.json" in listed
    assert "node_modules/greet/index.js" in listed
    assert not any(name.startswith("node_modules/jest") for name in listed)


def test_which_functions_are_bundled(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write(root, {"a.ts": "", "b.js": "", "c.py": ""})
    functions = {
        "a": {"handler": "a.h"},
        "b": {"handler": "b.h"},
        "c": {"handler": "c.h", "runtime": "python3.12"},
    }
    node = {"name": "aws", "runtime": "nodejs20.x"}

    def bundled(**config: Any) -> list[str]:
        svc = service(root, functions=functions, provider=node, **config)
        every = bundling.settings(svc, plugin_list.of(svc).names)
        return [
            key
            for key in functions
            if bundling.bundled(svc, key, svc.functions[key].get("runtime", "nodejs20.x"), every)
        ]

    assert bundled() == ["a"]  # TypeScript always
    assert bundled(build={"esbuild": {"minify": True}}) == ["a", "b"]
    assert bundled(build={"esbuild": False}) == []
    assert bundled(plugins=["serverless-esbuild"]) == ["a", "b"]
    assert bundled(plugins={"modules": ["serverless-plugin-typescript"]}) == ["a", "b"]


def test_an_import_neither_packaged_nor_in_the_runtime_is_named(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    source = "import json\nimport boto3\nfrom helpers import x\nimport requests\n" + HANDLER
    write(root, {"app.py": source, "helpers.py": "x = 1\n"})
    runtime = {"name": "aws", "runtime": f"python3.{sys.version_info.minor}"}
    functions = {"f": {"handler": "app.handler"}}
    with pytest.raises(BuildError, match=r"app.py:4: imports 'requests', which is neither"):
        package(
            service(root, functions=functions, provider=runtime), io.StringIO(), installer(tmp_path)
        )
    # Guarded imports, and functions with layers (which may hold the module), are not refused.
    guarded = "try:\n    import requests\nexcept ImportError:\n    requests = None\n"
    write(root, {"app.py": guarded + HANDLER})
    package(
        service(root, functions=functions, provider=runtime), io.StringIO(), installer(tmp_path)
    )
    write(root, {"app.py": source})
    layered = {"f": {"handler": "app.handler", "layers": ["arn:aws:lambda:us-east-1:1:layer:x:1"]}}
    package(service(root, functions=layered, provider=runtime), io.StringIO(), installer(tmp_path))
