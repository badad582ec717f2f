"""The root of the errors a user fixes in their own project or command line.

It lives here, below `cli/`, so that what `deploy/` raises (a `BuildError`, ...) is reported by
`overcast` as one line without `deploy/` importing `cli/`: `cli/errors.py` names this class
`CommandError`, and `cli/main.py` prints any of them as its message, never a traceback.
"""

from __future__ import annotations

from overcast.aws.errors import OvercastError


class ProjectError(OvercastError):
    """Raised when a command cannot go on for a reason the user can fix (a missing file, a
    malformed option, a build that fails): its message is the one line `overcast` prints."""
