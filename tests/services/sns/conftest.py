"""Fixtures of the topic tests: the in-process world (topics_world.py) and a client of the
session's `fast_server` (sns_server.py)."""

from sns_server import sns  # noqa: F401 (a fixture)
from topics_world import world  # noqa: F401 (a fixture)
