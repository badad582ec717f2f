"""The environment's uid has a passwd entry, as Lambda's sbx_user1051 has: home resolves."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from overcast.sandbox import passwd
from overcast.sandbox.uids import LOCK_DIR
from support import deploy

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="own uids need root")

# Lambda sets no HOME; its passwd entry names /home/sbx_user1051 (which does not exist).
HOME = "/home/sbx_user1051"

NODE = """
const os = require("os");
exports.handler = async () => ({
  home: os.homedir(),
  user: os.userInfo(),
  uid: process.getuid(),
  HOME: process.env.HOME ?? null,
});
"""

PYTHON = """
import os, pwd

def handler(event, context):
    entry = pwd.getpwuid(os.getuid())
    try:
        open("/etc/passwd", "a").close()
        writable = True
    except OSError:
        writable = False
    return {"home": os.path.expanduser("~"), "name": entry.pw_name, "HOME": os.environ.get("HOME"),
            "writable": writable}
"""


def invoke(client, name: str) -> dict:
    return json.loads(client.invoke(FunctionName=name)["Payload"].read())


@root_only
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_resolves_its_home_and_user(lambda_client, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        "",
        ZipFiles={"index.js": NODE},
        Runtime="nodejs20.x",
        Handler="index.handler",
    )
    seen = invoke(lambda_client, function_name)
    assert "home" in seen, seen
    assert seen["home"] == HOME and seen["HOME"] is None
    assert seen["user"]["username"] == "sbx_user1051"
    assert seen["user"]["uid"] == seen["uid"] != 0
    assert seen["user"]["homedir"] == HOME


@root_only
def test_python_resolves_its_home_and_cannot_edit_passwd(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    seen = invoke(lambda_client, function_name)
    assert seen == {"home": HOME, "name": "sbx_user1051", "HOME": None, "writable": False}


def test_a_passwd_file_is_made_once_per_uid(tmp_path) -> None:
    path = passwd.file_for(tmp_path / "passwd", 20001)
    assert Path(path).read_text().splitlines()[-1] == (
        "sbx_user1051:x:20001:20001::/home/sbx_user1051:/sbin/nologin"
    )
    assert Path(path).stat().st_mode & 0o777 == 0o644
    assert passwd.file_for(tmp_path / "passwd", 20001) == path


def test_passwd_files_are_host_wide_and_looked_up_once(tmp_path) -> None:
    # Beside the host-wide uid locks, not in a data dir: two servers share the files.
    assert passwd.DIR.parent == LOCK_DIR.parent
    one = passwd.PasswdFiles(tmp_path)
    made = one.path(20002)
    inode = os.stat(made).st_ino
    assert passwd.PasswdFiles(tmp_path).path(20002) == made  # another server: not remade
    assert os.stat(made).st_ino == inode


def test_a_folder_others_could_write_is_refused_not_trusted(tmp_path) -> None:
    import pytest

    shared = tmp_path / "shared"
    shared.mkdir()
    planted = shared / "20003"
    planted.write_text("root:x:0:0::/:/bin/sh\nsbx_user1051:x:0:0::/:/bin/sh\n")  # uid 0
    shared.chmod(0o777)  # anyone could have put that file there
    with pytest.raises(PermissionError, match="writable by it alone"):
        passwd.file_for(shared, 20003)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(PermissionError):
        passwd.file_for(link, 20003)
