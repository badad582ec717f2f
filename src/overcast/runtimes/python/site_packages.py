"""What a Python function may import besides its own code, its layers and the standard
library: the AWS SDK and its dependencies, which Lambda's Python runtime ships, and nothing
else of the host's installed packages.

Without this, a function whose zip lacks a dependency would work here (the host happens to
have it) and fail on Lambda. The zygote calls `restrict` once: every sys.path entry outside
the standard library leaves sys.path, and a finder at the end of sys.meta_path serves the
SDK's top-level packages from those entries. A function's own copy of boto3 still wins: its
paths come first on sys.path.

Stdlib only, and importable on every Python from 3.9 on.
"""

import importlib.machinery
import os
import sys
import sysconfig

# The top-level packages of boto3 and its dependencies; `overcast` for the runtime's own
# modules (the zygote has imported what it needs, but lazy imports must still resolve).
RUNTIME_PACKAGES = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3", "overcast"}
)


class RuntimePackages:
    """A meta path finder for RUNTIME_PACKAGES alone, searched in the host's package dirs."""

    def __init__(self, paths):
        self.paths = paths

    def find_spec(self, name, path=None, target=None):
        if path is not None or name not in RUNTIME_PACKAGES:
            return None  # submodules are found through their package's own __path__
        return importlib.machinery.PathFinder.find_spec(name, self.paths)

    def invalidate_caches(self):
        pass


def restrict():
    """Leave only the standard library on sys.path; the SDK stays importable."""
    roots = _stdlib_roots()
    hidden = [entry for entry in sys.path if entry and not _is_stdlib(entry, roots)]
    sys.path[:] = [entry for entry in sys.path if entry and _is_stdlib(entry, roots)]
    sys.meta_path.append(RuntimePackages(hidden))


def _stdlib_roots():
    paths = sysconfig.get_paths()
    zipped = os.path.join(sys.base_prefix, "lib", "python%d%d.zip" % sys.version_info[:2])
    return {os.path.realpath(p) for p in (paths["stdlib"], paths["platstdlib"], zipped)}


def _is_stdlib(entry, roots):
    """Under the standard library's directories, and not a packages dir (pyenv and other
    builds keep site-packages inside the standard library's directory)."""
    real = os.path.realpath(entry)
    parts = real.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return any(real == root or real.startswith(root + os.sep) for root in roots)
