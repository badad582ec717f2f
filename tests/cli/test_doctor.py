"""`overcast doctor`: what environments get on this machine, said plainly."""

from __future__ import annotations

import io

import pytest

from overcast.cli.main import main
from overcast.sandbox import seccomp_policy


def doctor() -> str:
    out = io.StringIO()
    assert main(["doctor"], out=out) == 0
    return out.getvalue()


def test_doctor_lists_what_the_seccomp_filter_refuses() -> None:
    try:
        seccomp_policy.compile_programs()
    except (ImportError, OSError, RuntimeError):
        pytest.skip("no libseccomp here: doctor says the filter is off")
    text = doctor()
    assert "on   seccomp" in text
    for line in seccomp_policy.describe():
        assert line in text
