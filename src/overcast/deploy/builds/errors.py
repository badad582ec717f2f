"""The one error builds raise."""

from __future__ import annotations

from overcast.deploy.errors import ProjectError


class BuildError(ProjectError):
    """Raised when a function's package cannot be built: a missing handler file or function, a
    handler module that does not compile, a pip / npm / esbuild / make failure (its last lines
    shown). A ProjectError (cli's CommandError), so `overcast` prints it as one line, whichever
    command built."""
