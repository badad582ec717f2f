"""`overcast doctor`: what this machine lets Overcast do, and what is off and why.

Runs locally, with the server's own flags for what it reports on (--python, --node,
--no-isolation, and the same environment variables), and says: how environments are isolated,
what the seccomp filter refuses, what each runtime really runs on, what a function can reach
on the network, and whether API requests are authenticated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass

from overcast.cli.client import CliContext
from overcast.cli.server import add_runtime_options, with_runtime_overrides
from overcast.config import Settings
from overcast.runtimes.node_sdk import PINNED, NodeSdk

VERSION_TIMEOUT_S = 10.0
PYTHON_VERSION = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check what environments get on this machine: isolation, runtimes, network, auth",
    )
    add_runtime_options(parser)
    parser.set_defaults(command=run)


@dataclass(frozen=True)
class Program:
    """A runtime's program as found: its path and version, or why it cannot run."""

    path: str
    version: str | None
    problem: str | None = None


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    # Imported here: probing forks and touches cgroups, which other commands never need.
    from overcast.sandbox.protections import detect

    settings = with_runtime_overrides(Settings(isolation=not args.no_isolation), args, os.environ)
    protections = detect(settings.isolation, owner="overcast-doctor")
    if protections.cgroups is not None:
        protections.cgroups.close()
    write = ctx.out.write
    _isolation(write, protections)
    _runtimes(write, settings, isolated=protections.namespaces)
    _network(write, settings, protections)
    _authentication(write, args.auth == "on")
    return 0


def _isolation(write, protections) -> None:
    from overcast.sandbox import seccomp_policy

    write("Isolation of execution environments:\n")
    for line in protections.describe():
        write(f"  {line}\n")
    for note in protections.notes:
        write(f"  - {note}\n")
    if protections.seccomp is not None:
        write("Refused by the seccomp filter (EPERM), in every environment:\n")
        for line in seccomp_policy.describe():
            write(f"  {line}\n")


def _runtimes(write, settings: Settings, isolated: bool) -> None:
    where = "seen at /var/lang inside environments" if isolated else "run from the host's paths"
    write(f"Runtimes (what each really runs on; {where}):\n")
    found: dict[tuple[str, str], Program] = {}

    def program(kind: str, path: str) -> Program:
        if (kind, path) not in found:
            found[kind, path] = _probe(kind, path)
        return found[kind, path]

    for runtime, interpreter in settings.interpreters.items():
        python = program("python", interpreter)
        if runtime.startswith("python"):
            line = _describe("Python", python)
            wanted = runtime.removeprefix("python")
            if python.version and not python.version.startswith(wanted + "."):
                line += f"  (not {wanted}: map one with --python {runtime}=PATH)"
        elif runtime.startswith("nodejs"):
            node = program("node", settings.node_binaries.get(runtime, ""))
            line = _describe("Node.js", node) + f"; its Runtime API on Python {python.version}"
            wanted = runtime.removeprefix("nodejs").removesuffix(".x")
            if node.version and not node.version.startswith(wanted + "."):
                line += f"  (not {wanted}: map one with --node {runtime}=PATH)"
        else:
            line = f"the function's own bootstrap; its Runtime API on {_describe('Python', python)}"
        write(f"  {runtime:<16} {line}\n")
    _node_sdk(write, isolated)


def _node_sdk(write, isolated: bool) -> None:
    """The AWS SDK for JavaScript v3 that Node.js functions import without shipping it."""
    sdk = NodeSdk.default()
    if not sdk.installed():
        write(
            "  AWS SDK for JavaScript v3 (Lambda's Node.js runtimes include it): not installed,"
            " so a Node.js function that imports @aws-sdk/* without shipping it fails with"
            ' "Cannot find package"; install it once with `overcast node-sdk install` (npm)\n'
        )
        return
    where = "at /var/runtime/node_modules inside environments" if isolated else "on NODE_PATH"
    write(f"  AWS SDK for JavaScript v3: {sdk.node_modules} ({where}; pinned set: {PINNED})\n")


def _describe(name: str, found: Program) -> str:
    if found.problem:
        return f"{name} at {found.path or '(none)'}: cannot run ({found.problem})"
    return f"{name} {found.version}  {found.path}"


def _probe(kind: str, path: str) -> Program:
    if not path:
        return Program(path, None, "not installed")
    command = [path, "-I", "-S", "-c", PYTHON_VERSION] if kind == "python" else [path, "--version"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=VERSION_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Program(path, None, str(exc))
    if done.returncode != 0:
        return Program(path, None, (done.stderr.strip() or f"exit {done.returncode}")[:200])
    return Program(path, done.stdout.strip().removeprefix("v"))


def _network(write, settings: Settings, protections) -> None:
    write("Network (what a function can reach):\n")
    if protections.loopback:
        write(
            "  - the outside network, and of the host's own ports (loopback and its addresses)"
            " only Overcast's endpoint, DNS and its own environment's: others refuse it\n"
        )
    else:
        write(
            "  - every function shares the host's network: the internet, and every service on"
            " the host's loopback, Overcast's API included (see the notes above for why)\n"
        )
    write(
        f"    (AWS_ENDPOINT_URL={settings.endpoint} by default, so boto3 inside a function"
        " calls this Overcast)\n"
    )
    if protections.namespaces:
        write(
            "  - a function with VpcConfig.SubnetIds gets a network namespace of its own:"
            " loopback only, no internet, no Overcast API\n"
        )
    else:
        write("  - no network namespaces here: VpcConfig changes nothing\n")


def _authentication(write, enabled: bool) -> None:
    """What the server's `--auth` (taken as the server takes it) does to API requests."""
    write("API authentication:\n")
    if enabled:
        write(
            "  on   every request's SigV4 signature is verified (the root key in the data dir,"
            " IAM users' keys, STS and function sessions) and authorized by IAM policies;"
            " a function can do what its execution role allows\n"
        )
        return
    write(
        "  off  any credentials are accepted (SigV4 signatures are not verified): anything"
        " that reaches the port, a function included, can call every API\n"
    )
