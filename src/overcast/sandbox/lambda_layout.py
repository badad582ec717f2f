"""Lambda's file layout for a zygote: its interpreter at /var/lang, the runtime at /var/runtime.

On Lambda a Python runtime is /var/lang/bin/python3.x with its standard library under
/var/lang/lib, the runtime's own code is in /var/runtime, and that is what tracebacks,
sys.executable and PATH show. A zygote of isolated environments starts through `main`: in a
mount namespace of its own it binds the interpreter's installation at /var/lang and the folder
that holds the `overcast` package at /var/runtime (both read-only), then execs the interpreter
from /var/lang, so every module, the zygote's and each function's, is loaded from Lambda's
paths. The host's paths stay where they were (the zygote still reads code and layers there);
an environment sees only what HostView binds into its root.

The two mount points are made on the host once (empty folders, as root). Stdlib only, and
importable on every Python from 3.9 on.
"""

import os
import sys
import sysconfig

from overcast.sandbox import isolation

LANG = "/var/lang"
RUNTIME = "/var/runtime"
TRUST = "/var/overcast/trust"  # the HTTPS listener's public CA files (http/certificates.py)
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_main(module, root=PACKAGE_ROOT):
    """Python code (for `-I -c`) that runs `module.main()` from the package under `root`.

    The package's folder goes first while `module` is imported, so this Overcast's own code
    runs even where the interpreter has another copy installed (an editable install of
    another checkout, say): `-I` ignores PYTHONPATH. It then moves last, so a function's own
    modules always win over ours; `overcast`'s later imports follow the package's __path__.
    """
    quoted = repr(root)
    return (
        f"import sys; sys.path.insert(0, {quoted}); from {module} import main; "
        f"sys.path.remove({quoted}); sys.path.append({quoted}); main()"
    )


ZYGOTE = "overcast.runtimes.python.zygote"


def main():
    """Make the layout and exec the zygote from it; never returns. Where the interpreter is
    not inside its own installation (a venv made with --copies), it runs where it is."""
    prefix = os.path.realpath(sys.base_prefix)
    executable = os.path.realpath(sys.executable)
    if not executable.startswith(prefix + os.sep):
        os.execv(sys.executable, [sys.executable, "-I", "-c", run_main(ZYGOTE)])
    isolation.unshare(isolation.CLONE_NEWNS)
    isolation.make_private("/")
    for target, source in ((LANG, prefix), (RUNTIME, PACKAGE_ROOT)):
        os.makedirs(target, exist_ok=True)
        isolation.bind_read_only(source, target)
    os.environ["OVERCAST_SYS_PATH"] = os.pathsep.join(
        translate(entry, prefix) for entry in sys.path if entry
    )
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        # libpython is found through the host path built into the binary (RUNPATH).
        os.environ["OVERCAST_HOST_PREFIX"] = prefix
    inside = LANG + executable[len(prefix) :]
    os.execv(inside, [inside, "-I", "-c", run_main(ZYGOTE, RUNTIME)])


def translate(path, prefix):
    """`path` as the zygote sees it once it runs from the layout."""
    real = os.path.realpath(path)
    for source, target in ((prefix, LANG), (PACKAGE_ROOT, RUNTIME)):
        if real == source or real.startswith(source + os.sep):
            return target + real[len(source) :]
    return path


def restore_path():
    """In the zygote, after the exec: the import path the interpreter had on the host (a
    venv's packages, .pth entries), translated; the host prefix for HostView to bind."""
    paths = os.environ.pop("OVERCAST_SYS_PATH", "")
    if paths:
        sys.path[:] = paths.split(os.pathsep)
    host_prefix = os.environ.pop("OVERCAST_HOST_PREFIX", "")
    return [host_prefix] if host_prefix else []


if __name__ == "__main__":
    main()
