"""Fixtures of the topic tests: the in-process world (topics_world.py) and a real server
(sns_server.py)."""

from sns_server import fast_server, sns  # noqa: F401 (fixtures)
from topics_world import world  # noqa: F401 (a fixture)
