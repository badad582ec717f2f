"""`overcast dev`: from a saved handler to the next request running the new code, against the
same change made live by a full `overcast deploy` and by a bare UpdateFunctionCode call, in the
same run, on a SAM project of three Python functions (and a TypeScript one, bundled with
esbuild, where the builds can bundle it).

    python bench/dev_reload.py [--rounds 10] [--requirements FILE]

Each round writes a new version of one function's handler, starts the clock, and invokes the
function until it answers the new version. `overcast dev` runs as a user runs it (a
subprocess watching the folder). Baselines: `overcast deploy DIR` run in this process right
after the save (build, upload, change set, stack update); UpdateFunctionCode with a zip made
in memory (no build, no watcher: the floor). `--requirements FILE` gives the changed function
that requirements.txt (installed once by the first deploy, then reused from the cache): every
package then carries them, as Lambda's do.
Targets (issue 20): <= 1 s for a Python function without new requirements, <= 2 s for a
TypeScript function.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _harness import client, overcast_process, zip_of

PYTHON = """\
def handler(event, context):
    return {"version": VERSION}
"""
TYPESCRIPT = """\
export const handler = async (): Promise<{ version: number }> => ({ version: VERSION });
"""
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: app.handler, Timeout: 10}
Resources:
  One: {Type: AWS::Serverless::Function, Properties: {CodeUri: one/}}
  Two: {Type: AWS::Serverless::Function, Properties: {CodeUri: two/}}
  Three: {Type: AWS::Serverless::Function, Properties: {CodeUri: three/}}
"""
TYPESCRIPT_RESOURCE = """\
  Typed:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: typed/, Runtime: nodejs20.x}
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {EntryPoints: [app.ts], Format: esm, OutExtension: [.js=.mjs]}
"""
DEADLINE_S = 60
SETTLE_S = 0.3  # between rounds, so one round's writes are not batched with the next's


def can_bundle() -> bool:
    """Whether `overcast deploy` runs esbuild for a SAM function (the builds work landed)."""
    from overcast.cli import artifacts

    return "esbuild" not in getattr(artifacts, "UNBUILT", ())


def project(root: Path, typescript: bool, requirements: Path | None) -> None:
    for folder in ("one", "two", "three"):
        (root / folder).mkdir()
        (root / folder / "app.py").write_text(PYTHON.replace("VERSION", "0"))
    if requirements is not None:
        (root / "two" / "requirements.txt").write_text(requirements.read_text())
    template = TEMPLATE
    if typescript:
        (root / "typed").mkdir()
        (root / "typed" / "app.ts").write_text(TYPESCRIPT.replace("VERSION", "0"))
        template += TYPESCRIPT_RESOURCE
    (root / "template.yaml").write_text(template)


def live_after(lam, name: str, version: int, change) -> float:
    """Seconds from `change()` to the first invocation that answers `version`."""
    started = time.perf_counter()
    change()
    deadline = started + DEADLINE_S
    while time.perf_counter() < deadline:
        answer = json.load(lam.invoke(FunctionName=name)["Payload"])
        if isinstance(answer, dict) and answer.get("version") == version:
            return time.perf_counter() - started
    raise SystemExit(f"{name} never answered version {version}")


def overcast_deploy(endpoint: str, root: Path) -> None:
    from overcast.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["deploy", str(root), "--stack-name", "bench-dev", "--endpoint-url", endpoint],
        client_factory=lambda service, endpoint_url, region: client(endpoint_url, service),
        out=out,
        err=err,
    )
    if status != 0:
        raise SystemExit(f"overcast deploy failed:\n{out.getvalue()}{err.getvalue()}")


def physical_names(endpoint: str) -> dict[str, str]:
    listed = client(endpoint, "cloudformation").list_stack_resources(StackName="bench-dev")
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in listed["StackResourceSummaries"]
        if r["ResourceType"] == "AWS::Lambda::Function"
    }


class Dev:
    """`overcast dev` on the project, its output kept to show if it fails."""

    def __init__(self, endpoint: str, data_dir: str, root: Path) -> None:
        env = {**os.environ, "OVERCAST_ENDPOINT": endpoint, "OVERCAST_DATA_DIR": data_dir,
               "PYTHONUNBUFFERED": "1"}  # fmt: skip
        command = [sys.executable, "-m", "overcast.cli.main", "dev", str(root)]
        command += ["--stack-name", "bench-dev"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.output: list[str] = []
        self.watching = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.watching.wait(DEADLINE_S):
            self.stop()
            raise SystemExit("overcast dev did not start:\n" + "".join(self.output))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("watching "):
                self.watching.set()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=DEADLINE_S)


def rounds(lam, name: str, source: Path, template: str, count: int, after=None) -> list[float]:
    """Times of `count` saves of new versions of `source` (then `after()`, a deploy)."""
    taken = []
    for _ in range(count):
        version = int(time.time() * 1000) % 1_000_000_000  # new in every round and run

        def change(version: int = version) -> None:
            source.write_text(template.replace("VERSION", str(version)))
            if after is not None:
                after()

        taken.append(live_after(lam, name, version, change))
        time.sleep(SETTLE_S)
    return taken


def summary(label: str, taken: list[float]) -> str:
    p50, worst = statistics.median(taken) * 1000, max(taken) * 1000
    return f"{label:<34} p50 {p50:7.0f} ms  max {worst:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requirements", type=Path, help="the changed function's requirements")
    options = parser.parse_args()
    count = options.rounds
    typescript = can_bundle()
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as scratch:
        with overcast_process(data_dir=data_dir) as (endpoint, _):
            root = Path(scratch)
            project(root, typescript, options.requirements)
            overcast_deploy(endpoint, root)
            names = physical_names(endpoint)
            lam = client(endpoint, "lambda")
            source = root / "two" / "app.py"
            deploy = rounds(lam, names["Two"], source, PYTHON, max(3, count // 3),
                            after=lambda: overcast_deploy(endpoint, root))  # fmt: skip

            def bare() -> list[float]:
                taken = []
                for version in range(10**9, 10**9 + count):
                    code = zip_of({"app.py": PYTHON.replace("VERSION", str(version))})
                    send = lambda code=code: lam.update_function_code(  # noqa: E731
                        FunctionName=names["Two"], ZipFile=code
                    )
                    taken.append(live_after(lam, names["Two"], version, send))
                return taken

            floor = bare()
            dev = Dev(endpoint, data_dir, root)
            try:
                python = rounds(lam, names["Two"], source, PYTHON, count)
                typed = None
                if typescript:
                    ts_source = root / "typed" / "app.ts"
                    typed = rounds(lam, names["Typed"], ts_source, TYPESCRIPT, count)
            finally:
                dev.stop()
    extra = f", its requirements: {options.requirements}" if options.requirements else ""
    print(f"save -> next request on the new code ({count} rounds; a 3-function SAM app{extra})")
    print(summary("overcast deploy (full), Python", deploy))
    print(summary("UpdateFunctionCode (bare), Python", floor))
    print(summary("overcast dev, Python", python) + "  (target <= 1000 ms)")
    dev_p50 = statistics.median(python)
    print(f"  ratio: dev / full deploy {dev_p50 / statistics.median(deploy):.2f}x"
          f"  dev / bare call {dev_p50 / statistics.median(floor):.2f}x")  # fmt: skip
    if typed is None:
        print("overcast dev, TypeScript: skipped (this build does not bundle SAM's esbuild yet)")
    else:
        print(summary("overcast dev, TypeScript (esbuild)", typed) + "  (target <= 2000 ms)")


if __name__ == "__main__":
    main()
