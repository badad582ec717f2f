"""The zygote runs the runtime of the server's own checkout, whatever else is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from overcast.sandbox.zygote import start_code


def test_the_runtime_comes_from_the_given_root_and_that_root_goes_last(tmp_path: Path) -> None:
    """With `-I`, site-packages still loads (an editable install puts another checkout's
    `overcast` there): the given root must answer for `overcast` anyway, and be searched last
    afterwards so a function's own modules win."""
    package = tmp_path / "overcast"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(
        "import sys\n"
        "import overcast\n"
        "def main():\n"
        "    print(overcast.__file__)\n"
        "    print(sys.path[-1])\n"
    )
    code = start_code("overcast.probe", str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    imported_from, last_path = result.stdout.splitlines()
    assert imported_from == str(package / "__init__.py")
    assert last_path == str(tmp_path)
