"""The README's tour, run as a user would paste it: its shell blocks (and its Python block) in
order, in one shell, in an empty folder, against a fresh server. Only the server's address is
changed (the tour's is the default port), and `overcast env` finds the server's data dir (and
so its root key) through OVERCAST_DATA_DIR, as `overcast server` would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .aws_cli import AWS, needs_aws_cli

README = Path(__file__).parents[2] / "README.md"
TOUR = "## A five-minute tour"
TOUR_ENDPOINT = "http://127.0.0.1:9000"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def tour_blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the tour section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(TOUR)
    end = text.index("\n## ", start + len(TOUR))
    return BLOCK.findall(text[start:end])


def tour_script(blocks: list[tuple[str, str]], endpoint: str) -> str:
    """One bash script: stops at the first command that fails, names each block it starts."""
    lines = ["set -euo pipefail"]
    for number, (language, text) in enumerate(blocks, 1):
        lines.append(f"echo '### block {number}' | tee /dev/stderr")
        text = text.replace(TOUR_ENDPOINT, endpoint)
        text = text.replace("overcast env)", f"overcast env --port {port_of(endpoint)})")
        if language == "python":
            text = f"\"$TOUR_PYTHON\" - <<'TOUR_PYTHON'\n{text}TOUR_PYTHON\n"
        lines.append(text)
    return "\n".join(lines)


def port_of(endpoint: str) -> int:
    port = urlsplit(endpoint).port
    assert port is not None
    return port


def tools(folder: Path) -> Path:
    """A bin folder with `overcast` (this checkout's, on this interpreter) and `aws`."""
    folder.mkdir()
    overcast = folder / "overcast"
    overcast.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m overcast.cli.main "$@"\n')
    overcast.chmod(0o755)
    (folder / "aws").symlink_to(AWS)
    return folder


def test_the_tour_is_found_in_the_readme() -> None:
    blocks = tour_blocks()
    assert [language for language, _ in blocks].count("python") == 1
    assert len(blocks) >= 8  # exports, function, overcast CLI, AWS CLI, boto3, versions, ...
    assert 'eval "$(overcast env)"' in blocks[0][1]  # the tour signs with the real root key


@needs_aws_cli
@pytest.mark.skipif(not (shutil.which("zip") and shutil.which("curl")), reason="needs zip, curl")
@pytest.mark.timeout(600)
def test_every_step_of_the_tour_works_as_written(launch, tmp_path: Path) -> None:
    server = launch(tmp_path / "data")
    folder = tmp_path / "tour"
    folder.mkdir()
    bin_folder = tools(tmp_path / "bin")
    env = {
        **os.environ,
        "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
        "TOUR_PYTHON": sys.executable,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OVERCAST_DATA_DIR": str(server.data_dir),
    }
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_ACCESS_KEY_ID"):
        env.pop(name, None)

    ran = subprocess.run(
        ["bash", "-c", tour_script(tour_blocks(), server.endpoint)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )

    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, f"the tour stopped:\n{output[-4000:]}"
    expected = [
        "created hello",
        '"message": "hello ada"',  # overcast invoke
        '"message": "hello grace"',  # overcast invoke --payload @event.json
        "greeting grace",  # the log tail of --logs, and the AWS CLI's --log-type Tail
        "REPORT RequestId:",
        "hello2",  # the function the AWS CLI made
        "hello eve",  # boto3
        "version:    1",
        "version:    2",
        "queued hello",  # --async
        '"message": "hi web"',  # the function URL, with ?name=web
        '"message": "hi api"',  # the HTTP API
        "deleted hello",
        "event source mapping",  # what rm says is left
        "EventBridge rule every-minute",
        "HTTP API web",
    ]
    missing = [text for text in expected if text not in output]
    assert not missing, f"not in the tour's output: {missing}\n{output[-4000:]}"
