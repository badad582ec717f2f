"""The zygote runs this very checkout's runtime code, whatever else the interpreter has."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from overcast.sandbox.lambda_layout import PACKAGE_ROOT, RUNTIME, run_main
from support import deploy

WHERE = """
import overcast

def handler(event, context):
    return overcast.__file__
"""


def test_environments_run_the_servers_own_package(lambda_client, function_name) -> None:
    # An editable install of another checkout (or an older installed copy) must not win.
    # Isolated, the package's folder shows at Lambda's /var/runtime (lambda_layout.py).
    deploy(lambda_client, function_name, WHERE)
    response = lambda_client.invoke(FunctionName=function_name)
    root = RUNTIME if os.geteuid() == 0 else PACKAGE_ROOT
    assert json.loads(response["Payload"].read()) == os.path.join(root, "overcast", "__init__.py")
    assert (Path(PACKAGE_ROOT) / "overcast" / "__init__.py").exists()


def test_run_main_leaves_the_package_last_on_the_path(tmp_path) -> None:
    (tmp_path / "probe_main.py").write_text(
        "import sys\ndef main():\n    print(sys.path[-1], 'overcast' in sys.modules)\n"
    )
    code = run_main("probe_main").replace(repr(PACKAGE_ROOT), repr(str(tmp_path)))
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == [str(tmp_path), "False"]
