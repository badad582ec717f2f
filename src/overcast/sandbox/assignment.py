"""What a spare environment is told when it becomes an environment of one function version."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from overcast.model.function import FunctionVersion
from overcast.runtimes.python import protocol
from overcast.sandbox.zygote import run_main

RUNTIME_DIR = str(Path(protocol.__file__).parent)
NODE_BOOTSTRAP = str(Path(protocol.__file__).parents[1] / "node" / "bootstrap.mjs")
# A Python function with extensions runs on the Runtime API through Overcast's own client.
PYTHON_CLIENT = run_main("overcast.runtimes.python.api_client")


@dataclass(frozen=True)
class Roots:
    """Where an environment finds its code and its layers (/var/task and /opt when isolated,
    the host folders when not)."""

    task: str
    opt: str


def stream_name(version: str) -> str:
    """Lambda's log stream name: one per environment."""
    return f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{version}]{uuid.uuid4().hex}"


def assignment(
    function: FunctionVersion,
    roots: Roots,
    stream: str,
    endpoint: str,
    initialization_type: str = "on-demand",
    program: str | None = None,
    extensions: bool = False,
) -> dict:
    """The ASSIGN message: environment, working directory, import path and handler, and for
    runtimes served through the Runtime API the command that runs their loop."""
    env = environment_variables(function, roots, stream, endpoint, initialization_type)
    python = function.runtime if function.runtime.startswith("python") else "python3"
    return {
        "env": env,
        "cwd": roots.task,
        # Where Lambda's Python runtime looks: the code, then the layers' two places.
        "path": [
            roots.task,
            f"{roots.opt}/python/lib/{python}/site-packages",
            f"{roots.opt}/python",
            RUNTIME_DIR,
        ],
        "handler": function.handler,
        # Python runs on the framed fast path unless extensions need the Runtime API.
        "runtime_api": not function.runtime.startswith("python") or extensions,
        "extensions": f"{roots.opt}/extensions",
        "command": _command(function, program),
    }


def _command(function: FunctionVersion, program: str | None) -> list[str] | None:
    """What runs the function's loop beside the Runtime API (None: its own `bootstrap`)."""
    if function.runtime.startswith("nodejs"):
        return [program, NODE_BOOTSTRAP]
    if function.runtime.startswith("python"):
        return [program, "-I", "-c", PYTHON_CLIENT]
    return None


def environment_variables(
    function: FunctionVersion,
    roots: Roots,
    stream: str,
    endpoint: str,
    initialization_type: str,
) -> dict[str, str]:
    # Lambda's reserved variables win over the user's, as Lambda refuses to let them be set.
    user = function.environment
    task_root = roots.task
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin") + f":{roots.opt}/bin",
        "NODE_PATH": f"{roots.opt}/nodejs/node_modules:{task_root}",
        "LANG": "en_US.UTF-8",
        **user,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "_HANDLER": function.handler,
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
        "TZ": ":UTC",
        # Code that calls AWS from inside a function reaches this Overcast, not AWS.
        "AWS_ENDPOINT_URL": user.get("AWS_ENDPOINT_URL", endpoint),
        "AWS_ACCESS_KEY_ID": user.get("AWS_ACCESS_KEY_ID", "overcast"),
        "AWS_SECRET_ACCESS_KEY": user.get("AWS_SECRET_ACCESS_KEY", "overcast"),
    }
