"""`overcast deploy` of a folder with a requirements.txt: pip installs what it names into the
package, for the function's runtime, and keeps the result for the next deploy.

No network: the package pip installs is a wheel built here, found with --no-index
--find-links (written in requirements.txt, as a user would for a private package).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from overcast.cli.errors import CommandError
from overcast.deploy.builds.pip import Pip, cache_folder, installed, pip_for, server_interpreter
from overcast.deploy.builds.requirements import names_local_files, of_folder
from support import make_wheel

from .test_e2e import cli_env

APP = """\
import tinydep

def handler(event, context):
    return {"greeting": tinydep.GREETING, "from": tinydep.__file__}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinydep", "1.0", 'GREETING = "hello from a wheel"\n')
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text(
        f"--no-index\n--find-links {wheels}\ntinydep==1.0  # pinned\n"
    )
    return root


# --- choosing pip -------------------------------------------------------------------------


def test_pip_runs_on_the_servers_interpreter_when_this_machine_has_it() -> None:
    assert pip_for("python3.12", sys.executable) == Pip(sys.executable)


def test_pip_asks_for_the_runtimes_wheels_when_the_interpreter_is_elsewhere(
    tmp_path: Path,
) -> None:
    for elsewhere in (str(tmp_path / "no-such-python"), None):
        pip = pip_for("python3.12", elsewhere)
        assert pip.python == sys.executable
        assert pip.options == ("--python-version", "3.12", "--only-binary=:all:")
    command = pip.command(Path("r.txt"), Path("out"))
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-3:] == ["--python-version", "3.12", "--only-binary=:all:"]


def test_server_interpreter_of_no_server_is_unknown() -> None:
    assert server_interpreter("http://127.0.0.1:1", "python3.12") is None


def test_cache_folder_follows_xdg() -> None:
    assert cache_folder({"XDG_CACHE_HOME": "/c"}) == Path("/c/overcast/requirements")
    home = Path(os.path.expanduser("~"))
    assert cache_folder({}) == home / ".cache" / "overcast" / "requirements"


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("requests==2.32.3\n--find-links /wheels\n# -r not really\n", False),
        ("-r base.txt\n", True),
        ("-rbase.txt\n", True),
        ("--requirement=base.txt\n", True),
        ("-c constraints.txt\n", True),
        ("-e .\n", True),
        ("./libs/mine\n", True),
        ("file:///src/pkg\n", True),
    ],
)
def test_files_that_name_other_files_are_not_cached(text: str, local: bool) -> None:
    assert names_local_files(text) is local


# --- installing ---------------------------------------------------------------------------


def test_installed_once_then_from_the_cache(project: Path, tmp_path: Path) -> None:
    cache, log = tmp_path / "cache", io.StringIO()
    pip = Pip(sys.executable)

    with installed(of_folder(project), "python3.12", pip, cache, log) as folder:
        assert (folder / "tinydep" / "__init__.py").is_file()
    assert folder.parent == cache and folder.is_dir()  # kept
    assert "installing for python3.12" in log.getvalue()

    with installed(of_folder(project), "python3.12", pip, cache, log) as again:
        assert again == folder
    assert "installed for python3.12 already" in log.getvalue()
    assert [p.name for p in cache.iterdir()] == [folder.name]  # no leftovers


def test_a_file_naming_local_files_is_installed_afresh(project: Path, tmp_path: Path) -> None:
    (project / "base.txt").write_text((project / "requirements.txt").read_text())
    (project / "requirements.txt").write_text("-r base.txt\n")
    cache = tmp_path / "cache"

    with installed(
        of_folder(project), "python3.12", Pip(sys.executable), cache, io.StringIO()
    ) as folder:
        assert (folder / "tinydep" / "__init__.py").is_file()
    assert not folder.exists() and list(cache.iterdir()) == []


def test_pips_failure_is_one_clear_error(project: Path, tmp_path: Path) -> None:
    (project / "requirements.txt").write_text("--no-index\nno-such-package-here==9\n")
    cache = tmp_path / "cache"
    with pytest.raises(CommandError, match="pip could not install requirements.txt") as raised:
        with installed(of_folder(project), "python3.12", Pip(sys.executable), cache, io.StringIO()):
            pass
    assert "no-such-package-here" in str(raised.value)
    assert list(cache.iterdir()) == []


# --- end to end ---------------------------------------------------------------------------


def overcast(server, cache: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(server, XDG_CACHE_HOME=str(cache)),
    )


def test_deploy_installs_requirements_into_the_package(
    server, project: Path, tmp_path: Path, function_name: str
) -> None:
    cache = tmp_path / "cache"
    deploy = ["deploy", str(project), "--name", function_name]
    created = overcast(
        server, cache, *deploy, "--runtime", "python3.12", "--handler", "app.handler"
    )
    assert created.returncode == 0, created.stderr
    assert "requirements.txt: installing for python3.12" in created.stderr
    try:
        invoked = overcast(server, cache, "invoke", function_name)
        assert invoked.returncode == 0, invoked.stdout + invoked.stderr
        answer = json.loads(invoked.stdout)
        assert answer == {"greeting": "hello from a wheel", "from": "/var/task/tinydep/__init__.py"}

        updated = overcast(server, cache, *deploy)  # the runtime comes from the function
        assert updated.returncode == 0, updated.stderr
        assert "requirements.txt: installed for python3.12 already" in updated.stderr
    finally:
        overcast(server, cache, "rm", function_name)


def test_deploy_of_a_non_python_function_says_requirements_are_not_installed(
    server, project: Path, tmp_path: Path, function_name: str
) -> None:
    (project / "index.mjs").write_text("export const handler = async () => 'ok';\n")
    deploy = ["deploy", str(project), "--name", function_name, "--runtime", "nodejs20.x"]
    created = overcast(server, tmp_path / "cache", *deploy, "--handler", "index.handler")
    try:
        assert created.returncode == 0, created.stderr
        assert "requirements.txt: not installed: nodejs20.x is not a Python runtime" in (
            created.stderr
        )
        assert not (tmp_path / "cache").exists()
    finally:
        overcast(server, tmp_path / "cache", "rm", function_name)
