"""Saved files turned into work: a full deploy for configuration, UpdateFunctionCode for code,
only for the functions built from the saved files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from overcast.deploy.dev.project import WatchedFunction
from overcast.deploy.dev.reloader import Reloader, code_sha256


class FakeProject:
    """Two functions in their own folders; the template beside them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stack_name = "app"
        self.deploys = 0
        self.packages = {"Api": b"api-1", "Worker": b"worker-1"}
        self.fail_build: set[str] = set()

    def config_paths(self) -> frozenset[Path]:
        return frozenset({self.root / "template.yaml", self.root / "layer"})

    def deploy(self) -> None:
        self.deploys += 1

    def functions(self) -> list[WatchedFunction]:
        return [self._function("Api"), self._function("Worker")]

    def remove(self) -> None:
        raise AssertionError("not called")

    def _function(self, key: str) -> WatchedFunction:
        def rebuild() -> bytes:
            if key in self.fail_build:
                raise RuntimeError(f"{key}/app.py: line 3: invalid syntax")
            return self.packages[key]

        return WatchedFunction(key, f"app-{key}-X1", self.root / key.lower(), rebuild)


class FakeLambda:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.code: dict[str, str] = {}

    def update_function_code(self, FunctionName: str, ZipFile: bytes) -> dict:
        self.sent.append((FunctionName, ZipFile))
        self.code[FunctionName] = code_sha256(ZipFile)
        return {}

    def get_function_configuration(self, FunctionName: str) -> dict:
        return {"CodeSha256": self.code.get(FunctionName, "deployed")}


@pytest.fixture
def project(tmp_path: Path) -> FakeProject:
    return FakeProject(tmp_path)


def started(project: FakeProject) -> tuple[Reloader, FakeLambda, io.StringIO]:
    client, out = FakeLambda(), io.StringIO()
    reloader = Reloader(project, client, out, str)
    reloader.start()
    return reloader, client, out


def test_a_saved_code_file_updates_only_its_function(project: FakeProject) -> None:
    reloader, client, out = started(project)
    plan = reloader.apply([project.root / "api" / "handlers" / "get.py"])
    assert not plan.redeploy
    assert [f.key for f in plan.functions] == ["Api"]
    assert client.sent == [("app-Api-X1", b"api-1")]
    assert project.deploys == 1  # the first deploy only: no stack update for code
    assert "Api: code updated" in out.getvalue()


def test_a_saved_template_or_layer_file_deploys_again(project: FakeProject) -> None:
    reloader, client, _ = started(project)
    assert reloader.apply([project.root / "template.yaml"]).redeploy
    assert reloader.apply([project.root / "layer" / "python" / "shared.py"]).redeploy
    assert project.deploys == 3
    assert client.sent == []


def test_a_file_no_function_is_built_from_changes_nothing(project: FakeProject) -> None:
    reloader, client, _ = started(project)
    plan = reloader.apply([project.root / "README.md", project.root / "apiary" / "x.py"])
    assert plan.functions == () and not plan.redeploy
    assert client.sent == []


def test_an_unchanged_package_is_not_sent_again(project: FakeProject) -> None:
    reloader, client, _ = started(project)
    reloader.apply([project.root / "worker" / "app.py"])
    reloader.apply([project.root / "worker" / "app.py"])  # saved, same bytes
    project.packages["Worker"] = b"worker-2"
    reloader.apply([project.root / "worker" / "app.py"])
    assert client.sent == [("app-Worker-X1", b"worker-1"), ("app-Worker-X1", b"worker-2")]


def test_a_failed_build_is_reported_and_the_next_save_goes_on(project: FakeProject) -> None:
    reloader, client, out = started(project)
    project.fail_build.add("Api")
    reloader.apply([project.root / "api" / "app.py"])
    assert "Api: not updated: Api/app.py: line 3: invalid syntax" in out.getvalue()
    project.fail_build.clear()
    reloader.apply([project.root / "api" / "app.py"])
    assert client.sent == [("app-Api-X1", b"api-1")]


def test_a_redeploy_puts_back_the_files_code_where_the_stack_kept_other_code(
    project: FakeProject,
) -> None:
    reloader, client, _ = started(project)
    project.packages["Api"] = b"api-hot"
    reloader.apply([project.root / "api" / "app.py"])
    # The function runs api-hot; the files now say api-1 again, which the stack deployed
    # first (its template unchanged for Api): the redeploy alone would leave api-hot.
    project.packages["Api"] = b"api-1"
    client.code["app-Api-X1"] = code_sha256(b"api-hot")
    reloader.apply([project.root / "template.yaml"])
    assert client.sent[-1] == ("app-Api-X1", b"api-1")


def test_watched_paths_are_the_root_and_function_folders_outside_it(
    project: FakeProject, tmp_path: Path
) -> None:
    reloader, _, _ = started(project)
    assert reloader.watched_paths() == [project.root]
    outside = tmp_path.parent / f"{tmp_path.name}-shared"
    outside.mkdir()
    inside = project.root / "api"
    reloader.functions.append(WatchedFunction("Shared", "app-Shared", outside, bytes))
    reloader.functions.append(WatchedFunction("Inner", "app-Inner", inside, bytes))
    assert sorted(reloader.watched_paths()) == sorted([project.root, outside])


def test_a_function_built_from_known_files_depends_only_on_them(tmp_path: Path) -> None:
    entry = tmp_path / "src" / "create.ts"
    function = WatchedFunction("Create", "c", tmp_path, bytes, files=frozenset({entry}))
    assert function.depends_on(entry)
    assert not function.depends_on(tmp_path / "src" / "other.ts")


def test_functions_sharing_one_package_build_it_once_a_save(tmp_path: Path) -> None:
    builds: list[int] = []

    def service_zip() -> bytes:
        builds.append(1)
        return b"service"

    class OnePackage(FakeProject):
        def functions(self) -> list[WatchedFunction]:
            return [WatchedFunction(k, f"svc-dev-{k}", self.root, service_zip) for k in "ab"]

    reloader, client, _ = started(OnePackage(tmp_path))
    reloader.apply([tmp_path / "handler.py"])
    assert builds == [1]
    assert [name for name, _ in client.sent] == ["svc-dev-a", "svc-dev-b"]
