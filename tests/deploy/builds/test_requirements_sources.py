"""Python dependency lists read from requirements.txt, a Poetry pyproject.toml, a Pipfile (its
lock's pins first) and PEP 621, as serverless-python-requirements exports them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.requirements import of_folder, poetry_constraint

POETRY = """\
[tool.poetry]
name = "svc"
[tool.poetry.dependencies]
python = "^3.12"
requests = "^2.31.0"
pydantic = {version = "~2.5", extras = ["email"]}
boto3 = "*"
attrs = "23.1.0"
legacy = {version = ">=1,<2", markers = "python_version < '3.13'"}
extra-only = {version = "1.0", optional = true}
"""


@pytest.mark.parametrize(
    ("spec", "pip"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        ("*", ""),
        (">=1.0,<3", ">=1.0,<3"),
    ],
)
def test_poetry_constraints_as_pip_reads_them(spec: str, pip: str) -> None:
    assert poetry_constraint(spec) == pip


def test_a_poetry_project_comes_before_requirements_txt(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(POETRY)
    (tmp_path / "requirements.txt").write_text("ignored==1\n")
    found = of_folder(tmp_path, poetry=True, pipenv=True)
    assert found is not None and found.source == "pyproject.toml" and found.file is None
    assert found.text.splitlines() == [
        "requests>=2.31.0,<3.0.0",
        "pydantic[email]>=2.5,<2.6",
        "boto3",
        "attrs==23.1.0",
        "legacy>=1,<2 ; python_version < '3.13'",
    ]  # python is the interpreter; an optional dependency is not installed
    plain = of_folder(tmp_path)  # without the plugin: requirements.txt only
    assert plain is not None and plain.text == "ignored==1\n" and plain.file is not None


def test_a_pipfile_and_its_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text(
        '[packages]\nrequests = "*"\nflask = "==3.0.0"\n'
        'rich = {version = ">=13", extras = ["jupyter"]}\n[dev-packages]\npytest = "*"\n'
    )
    found = of_folder(tmp_path, pipenv=True)
    assert found is not None and found.source == "Pipfile"
    assert found.text == "requests\nflask==3.0.0\nrich[jupyter]>=13\n"
    lock = {"default": {"requests": {"version": "==2.32.3"}}, "develop": {"pytest": {}}}
    (tmp_path / "Pipfile.lock").write_text(json.dumps(lock))
    locked = of_folder(tmp_path, pipenv=True)
    assert locked is not None and locked.text == "requests==2.32.3\n"


def test_pep_621_dependencies_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["httpx>=0.27"]\n')
    found = of_folder(tmp_path, poetry=True)
    assert found is not None and found.text == "httpx>=0.27\n"
    assert of_folder(tmp_path) is None  # read only where the plugin reads pyproject.toml
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(BuildError, match="pyproject.toml: not TOML"):
        of_folder(tmp_path, poetry=True)
