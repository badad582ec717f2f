"""What a spare environment is told when it becomes an environment of one function version."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

from overcast.function import FunctionVersion
from overcast.sandbox.lambda_layout import LANG, PACKAGE_ROOT, RUNTIME, run_main

# Below the folder that holds the `overcast` package (PACKAGE_ROOT on the host, /var/runtime
# inside an isolated environment).
RUNTIME_SUBDIR = "overcast/runtimes/python"
NODE_BOOTSTRAP = "overcast/runtimes/node/bootstrap.mjs"
API_CLIENT = "overcast.runtimes.python.api_client"
# Lambda's PATH: the language runtime's bin first, then the system's, then the layers'
# (custom runtimes have no /var/lang).
SYSTEM_PATH = "/usr/local/bin:/usr/bin/:/bin"


@dataclass(frozen=True)
class Roots:
    """Where an environment finds its code, its layers, Overcast's runtime and the language
    runtime: Lambda's /var/task, /opt, /var/runtime and /var/lang when isolated, the host
    folders when not (`lang` None: the runtime program's own folder)."""

    task: str
    opt: str
    runtime: str = PACKAGE_ROOT
    lang: str | None = None

    @classmethod
    def isolated(cls) -> Roots:
        return cls("/var/task", "/opt", RUNTIME, LANG)

    def runtime_dir(self) -> str:
        return f"{self.runtime}/{RUNTIME_SUBDIR}"

    def lang_bin(self, program: str | None) -> str | None:
        """Where the runtime's own program is: /var/lang/bin isolated, else its folder."""
        if self.lang is not None:
            return f"{self.lang}/bin"
        return os.path.dirname(program) if program else None


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
    env = environment_variables(function, roots, stream, endpoint, initialization_type, program)
    python = function.runtime if function.runtime.startswith("python") else "python3"
    return {
        "env": env,
        "cwd": roots.task,
        # Where Lambda's Python runtime looks: the code, then the layers' two places.
        "path": [
            roots.task,
            f"{roots.opt}/python/lib/{python}/site-packages",
            f"{roots.opt}/python",
            roots.runtime_dir(),
        ],
        "handler": function.handler,
        # Python runs on the framed fast path unless extensions need the Runtime API.
        "runtime_api": not function.runtime.startswith("python") or extensions,
        "extensions": f"{roots.opt}/extensions",
        "command": _command(function, roots, program),
    }


def _command(function: FunctionVersion, roots: Roots, program: str | None) -> list | None:
    """What runs the function's loop beside the Runtime API (None: its own `bootstrap`).
    Python's client runs on the environment's own interpreter (None: sys.executable there);
    node from /var/lang/bin when isolated (its folder is bound there)."""
    if function.runtime.startswith("nodejs"):
        node = program
        if program and roots.lang is not None:
            node = f"{roots.lang_bin(program)}/{os.path.basename(program)}"
        return [node, f"{roots.runtime}/{NODE_BOOTSTRAP}"]
    if function.runtime.startswith("python"):
        return [None, "-I", "-c", run_main(API_CLIENT, roots.runtime)]
    return None


def environment_variables(
    function: FunctionVersion,
    roots: Roots,
    stream: str,
    endpoint: str,
    initialization_type: str,
    program: str | None = None,
) -> dict[str, str]:
    # Lambda's reserved variables win over the user's, as Lambda refuses to let them be set.
    user = function.environment
    task_root = roots.task
    return {
        "PATH": lambda_path(function.runtime, roots, program),
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
        "LAMBDA_RUNTIME_DIR": roots.runtime if roots.lang else roots.runtime_dir(),
        "TZ": ":UTC",
        # Code that calls AWS from inside a function reaches this Overcast, not AWS.
        "AWS_ENDPOINT_URL": user.get("AWS_ENDPOINT_URL", endpoint),
        "AWS_ACCESS_KEY_ID": user.get("AWS_ACCESS_KEY_ID", "overcast"),
        "AWS_SECRET_ACCESS_KEY": user.get("AWS_SECRET_ACCESS_KEY", "overcast"),
    }


def lambda_path(runtime: str, roots: Roots, program: str | None) -> str:
    """PATH as Lambda sets it: /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin (custom
    runtimes: no /var/lang/bin). Not isolated, the runtime program's own folder stands for
    /var/lang/bin and the layers' folder for /opt."""
    lang_bin = None if runtime.startswith("provided") else roots.lang_bin(program)
    return ":".join(filter(None, (lang_bin, SYSTEM_PATH, f"{roots.opt}/bin")))
