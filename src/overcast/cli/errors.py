"""The errors an `overcast` command reports as one line (no traceback) before it exits.

`overcast server`'s own failures (a port in use, a data dir held by another server) are raised
where they are found (`http/server.py`, `store/data_dir.py`) and reported by `cli/main.py`.
"""

from __future__ import annotations

from overcast.deploy.errors import ProjectError

# Raised when an `overcast` command cannot go on (a missing file, a malformed option). One class
# with deploy/'s root, so a build's failure (deploy/builds' BuildError) is a CommandError too,
# though deploy/ sits below cli/ and never imports it.
CommandError = ProjectError


class PortUnavailable(CommandError):
    """Raised when `overcast server` cannot listen on its address (the port is in use...)."""


class DataDirInUse(CommandError):
    """Raised when `overcast server` finds its data dir held by another running server."""
