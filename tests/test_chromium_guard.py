"""The print-test guard (conftest ``chromium`` fixture) finds Chromium under the names `preview` uses."""
import os

import pytest

from cmo_workbook.delivery import preview
from cmo_workbook.errors import SettingsError


@pytest.mark.parametrize("name", ["chromium", "chromium-browser", "google-chrome"])
def test_each_binary_name_of_preview_is_found(tmp_path, monkeypatch, name):
    exe = tmp_path / name
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert preview.chromium() == str(exe)


def test_without_chromium_the_reason_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SettingsError, match=r"Chromium not found; install it with `apt-get install chromium`"):
        preview.chromium()


def test_the_fixture_gives_an_executable(chromium):
    assert os.access(chromium, os.X_OK)
