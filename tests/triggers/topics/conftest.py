"""The in-process topics world (topics_world.py) as a fixture."""

from topics_world import world  # noqa: F401 (a fixture)
