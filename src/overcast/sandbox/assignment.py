"""What a spare environment is told when it becomes an environment of one function version."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

from overcast.config import TRUST_BUNDLE_FILE, TRUST_CA_FILE
from overcast.function import FunctionVersion
from overcast.sandbox.lambda_layout import LANG, PACKAGE_ROOT, RUNTIME, TRUST, run_main

# Below the folder that holds the `overcast` package (PACKAGE_ROOT on the host, /var/runtime
# inside an isolated environment).
RUNTIME_SUBDIR = "overcast/runtimes/python"
NODE_BOOTSTRAP = "overcast/runtimes/node/bootstrap.mjs"
NODE_CA_VARIABLE = "OVERCAST_CA_FILE"  # read and removed by the Node runtime (node/trust.mjs)
API_CLIENT = "overcast.runtimes.python.api_client"
# Lambda's PATH: the language runtime's bin first, then the system's, then the layers'
# (custom runtimes have no /var/lang).
SYSTEM_PATH = "/usr/local/bin:/usr/bin/:/bin"
# The custom runtimes whose PATH on Lambda has no /var/lang/bin.
OWN_PATH_RUNTIMES = frozenset({"provided", "provided.al2"})
# Where the X-Ray SDKs send a sampled trace's segments (UDP), as AWS_XRAY_DAEMON_ADDRESS says.
XRAY_DAEMON_HOST = "127.0.0.1"
XRAY_DAEMON_PORT = "2000"


@dataclass(frozen=True)
class Roots:
    """Where an environment finds its code, its layers, Overcast's runtime and the language
    runtime: Lambda's /var/task, /opt, /var/runtime and /var/lang when isolated, the host
    folders when not (`lang` None: the runtime program's own folder). `node_modules`: the
    Node.js runtime's AWS SDK (Lambda's /var/runtime/node_modules; runtimes/node_sdk.py).
    `trust`: the folder of the HTTPS listener's CA files (None: no listener)."""

    task: str
    opt: str
    runtime: str = PACKAGE_ROOT
    lang: str | None = None
    node_modules: str | None = None
    trust: str | None = None

    @classmethod
    def isolated(cls, trust: bool = False) -> Roots:
        modules = f"{RUNTIME}/node_modules"
        return cls("/var/task", "/opt", RUNTIME, LANG, modules, TRUST if trust else None)

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


def has_extensions(function: FunctionVersion) -> bool:
    """Whether the function's layers bring external extensions (/opt/extensions)."""
    return bool(function.opt_dir) and os.path.isdir(os.path.join(function.opt_dir, "extensions"))


def uses_runtime_api(function: FunctionVersion, extensions: bool) -> bool:
    """Whether the function's environment serves the Runtime API (runtime_api.py). Python runs
    on the framed fast path (bootstrap.py) unless extensions need the Runtime API."""
    return not function.runtime.startswith("python") or extensions


def assignment(
    function: FunctionVersion,
    roots: Roots,
    stream: str,
    endpoint: str,
    initialization_type: str = "on-demand",
    program: str | None = None,
    extensions: bool = False,
    credentials: dict[str, str] | None = None,
) -> dict:
    """The ASSIGN message: environment, working directory, import path and handler, and for
    runtimes served through the Runtime API the command that runs their loop."""
    env = environment_variables(function, roots, stream, endpoint, initialization_type, program)
    if credentials is not None:  # its role's session (Lambda's are reserved: never the user's)
        env.update(credentials)
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
        "runtime_api": uses_runtime_api(function, extensions),
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
    """The environment Lambda gives a function (as recorded on AWS, runtime by runtime, in
    LocalStack's validated `test_introspection_invoke` snapshots), with Overcast's paths."""
    # Lambda's reserved variables win over the user's, as Lambda refuses to let them be set;
    # the unreserved ones (PATH, LANG, TZ, LD_LIBRARY_PATH, the X-Ray ones...) may be replaced.
    user = function.environment
    task_root = roots.task
    runtime_dir = roots.runtime if roots.lang else roots.runtime_dir()
    return {
        **_unreserved(function.runtime, roots, runtime_dir, program),
        # the function's own settings win
        **(trust_variables(roots.trust, function.runtime) if roots.trust else {}),
        **user,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        **_execution_env(function.runtime, task_root),
        "_HANDLER": function.handler,
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        # Code that calls AWS from inside a function reaches this Overcast, not AWS.
        "AWS_ENDPOINT_URL": user.get("AWS_ENDPOINT_URL", endpoint),
        "AWS_ACCESS_KEY_ID": user.get("AWS_ACCESS_KEY_ID", "overcast"),
        "AWS_SECRET_ACCESS_KEY": user.get("AWS_SECRET_ACCESS_KEY", "overcast"),
    }


def trust_variables(folder: str, runtime: str) -> dict[str, str]:
    """The variables that make a function's HTTP clients trust Overcast's HTTPS listener
    (http/certificates.py), so that `https://` + domainName + `/` + stage reaches the
    `@connections` API as AWS's WebSocket samples build it. botocore (AWS_CA_BUNDLE),
    requests (REQUESTS_CA_BUNDLE) and OpenSSL's default store (SSL_CERT_FILE: Python's ssl,
    Go, curl) take the bundle instead of their own, so it holds the public CAs too; each is
    read when a client first opens a TLS connection, as its own would be. Overcast's Node
    runtime adds the CA itself on first use (OVERCAST_CA_FILE: node/trust.mjs), where
    NODE_EXTRA_CA_CERTS would cost every cold start. Lambda sets none of them by default."""
    bundle = f"{folder}/{TRUST_BUNDLE_FILE}"
    variables = {"AWS_CA_BUNDLE": bundle, "REQUESTS_CA_BUNDLE": bundle, "SSL_CERT_FILE": bundle}
    if runtime.startswith("nodejs"):
        variables[NODE_CA_VARIABLE] = f"{folder}/{TRUST_CA_FILE}"
    return variables


def _unreserved(runtime: str, roots: Roots, runtime_dir: str, program: str | None) -> dict:
    """Lambda's variables that a function's configuration may replace."""
    task, opt = roots.task, roots.opt
    lang_lib = [f"{roots.lang}/lib"] if roots.lang else []
    variables = {
        "PATH": lambda_path(runtime, roots, program),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",  # Lambda's; a function may set its own TZ, as on Lambda
        "LD_LIBRARY_PATH": ":".join(
            [*lang_lib, "/lib64", "/usr/lib64", runtime_dir, f"{runtime_dir}/lib"]
            + [task, f"{task}/lib", f"{opt}/lib"]
        ),
        # The X-Ray SDKs' settings. Lambda's daemon listens on a link-local address; here it
        # is loopback, where a developer's own X-Ray daemon may listen (none by default: the
        # datagrams of a sampled trace are then dropped, and Overcast samples none).
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": f"{XRAY_DAEMON_HOST}:{XRAY_DAEMON_PORT}",
        "_AWS_XRAY_DAEMON_ADDRESS": XRAY_DAEMON_HOST,
        "_AWS_XRAY_DAEMON_PORT": XRAY_DAEMON_PORT,
    }
    if runtime.startswith("python"):
        variables["PYTHONPATH"] = runtime_dir
    elif runtime.startswith("nodejs"):  # nodejs20.x: node20
        major = runtime.removeprefix("nodejs").split(".")[0]
        # Lambda's order: the layers' folders, then the runtime's SDK (CommonJS reads it as
        # is, and Overcast's runtime searches it for `import` too: node/node_path.mjs).
        variables["NODE_PATH"] = ":".join(
            (
                f"{opt}/nodejs/node{major}/node_modules",
                f"{opt}/nodejs/node_modules",
                roots.node_modules or f"{runtime_dir}/node_modules",
                runtime_dir,
                task,
            )
        )
    return variables


def _execution_env(runtime: str, task_root: str) -> dict[str, str]:
    """AWS_EXECUTION_ENV, and what Lambda's bootstrap shell script leaves behind (it runs the
    managed runtimes from the task root); custom runtimes (`provided.*`) have neither."""
    if runtime.startswith("provided"):
        return {}
    return {"AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}", "PWD": task_root, "SHLVL": "0"}


def lambda_path(runtime: str, roots: Roots, program: str | None) -> str:
    """PATH as Lambda sets it: /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin (no
    /var/lang/bin for `provided.al2`, but for `provided.al2023`). Not isolated, the runtime
    program's own folder stands for /var/lang/bin and the layers' folder for /opt."""
    lang_bin = None if runtime in OWN_PATH_RUNTIMES else roots.lang_bin(program)
    return ":".join(filter(None, (lang_bin, SYSTEM_PATH, f"{roots.opt}/bin")))
