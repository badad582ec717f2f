"""Overcast's Node runtime trusts the HTTPS listener's CA on first use (runtimes/node/trust.mjs):
fetch and node:https reach a server whose certificate the data dir's CA signed, a caller's own
`ca` is left alone, and Node without the hook refuses the server."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from overcast.http.certificates import LocalCa, Trust

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

TRUST_MJS = Path(__file__).parents[2] / "src/overcast/runtimes/node/trust.mjs"

SCRIPT = """
import https from "node:https";
import { trustCa } from %(module)s;

if (process.argv[2]) trustCa(process.argv[2]);
const url = process.argv[3];
const seen = {};
try { seen.fetch = await (await fetch(url)).text(); } catch (e) { seen.fetch = e.cause?.code; }
const get = (options) => new Promise((resolve) => {
  https.get(url, options, (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => (body += chunk));
    res.on("end", () => resolve(body));
  }).on("error", (e) => resolve(e.code));
});
seen.https = await get({});
seen.ownCa = await get({ ca: [], agent: false });
console.log(JSON.stringify(seen));
"""


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Trust]]:
    ca = LocalCa(tmp_path / "data")
    trust = ca.publish()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.socket = ca.server_context("127.0.0.1").wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/", trust
    finally:
        server.shutdown()
        server.server_close()


def node(tmp_path: Path, *args: str) -> dict:
    script = tmp_path / "probe.mjs"
    script.write_text(SCRIPT % {"module": json.dumps(TRUST_MJS.as_uri())})
    ran = subprocess.run(
        ["node", str(script), *args], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(ran.stdout)


def test_fetch_and_https_trust_the_ca(https_server, tmp_path: Path) -> None:
    url, trust = https_server
    seen = node(tmp_path, str(trust.ca_file), url)
    assert seen == {"fetch": "ok", "https": "ok", "ownCa": "UNABLE_TO_VERIFY_LEAF_SIGNATURE"}


def test_without_the_hook_node_refuses_the_server(https_server, tmp_path: Path) -> None:
    url, _ = https_server
    seen = node(tmp_path, "", url)
    assert seen["fetch"] == seen["https"] == "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
