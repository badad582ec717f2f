"""plugins.py: which listed plugins Overcast acts on."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast.deploy.serverless import plugins
from overcast.deploy.serverless.model import TranslationError

from .compiling import service


def test_both_forms_of_the_list(tmp_path: Path):
    listed = plugins.of(service(tmp_path, plugins=["serverless-esbuild"]))
    assert listed.enabled("serverless-esbuild") and not listed.enabled("serverless-offline")
    modules = plugins.of(service(tmp_path, plugins={"modules": ["serverless-python-requirements"]}))
    assert modules.enabled("serverless-python-requirements")
    assert plugins.of(service(tmp_path)).names == ()


def test_built_in_plugins_need_no_note_and_others_get_one(tmp_path: Path):
    listed = plugins.Plugins(("serverless-esbuild", "serverless-offline", "x-plugin"))
    notes = listed.notes()
    assert len(notes) == 2
    assert notes[1] == "plugin x-plugin is not built into Overcast: ignored"


def test_a_wrong_list_is_refused(tmp_path: Path):
    with pytest.raises(TranslationError, match="^plugins: expected a list"):
        plugins.of(service(tmp_path, plugins="serverless-offline"))
