"""`overcast logs` against a stub logs client, following with an injected clock and sleep."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from overcast.cli import logs
from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.cli.main import build_parser

from .stubs import Clients, StubLambda, StubLogs, run

GROUP = "/aws/lambda/f"
NOW_S = 1_800_000_000.0
NOW_MS = int(NOW_S * 1000)


def test_prints_every_page_in_time_order() -> None:
    stub = StubLogs(page_size=2)
    for i, message in enumerate(["START RequestId: 1\n", "hello\n", "multi\nline\n", "END\n"]):
        stub.add(GROUP, NOW_MS + i, message)

    result = run(["logs", "f"], Clients(logs=stub))

    assert result.code == 0
    assert result.out.splitlines() == [
        "2027-01-15T08:00:00.000Z START RequestId: 1",
        "2027-01-15T08:00:00.001Z hello",
        "2027-01-15T08:00:00.002Z multi",
        "line",
        "2027-01-15T08:00:00.003Z END",
    ]
    assert len(stub.calls) == 2  # followed nextToken to the last page


def test_an_arn_names_the_function() -> None:
    stub = StubLogs()
    stub.add(GROUP, NOW_MS, "x")
    run(["logs", "arn:aws:lambda:us-east-1:000000000000:function:f:live"], Clients(logs=stub))
    assert stub.calls[0]["logGroupName"] == GROUP


def test_a_function_without_logs() -> None:
    result = run(["logs", "f"], Clients())
    assert result.code == 1
    assert result.err == f"error: no logs for f (log group {GROUP} does not exist yet)\n"


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("10m", 600), ("2h", 7200), ("1.5d", 129600)]
)
def test_since_durations(text: str, seconds: float) -> None:
    assert logs.duration(text) == seconds


def test_a_bad_since_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["logs", "f", "--since", "yesterday"])
    assert exited.value.code == 2


class Scripted:
    """Clock and sleep for --follow: each sleep runs the next step, then time moves on."""

    def __init__(self, steps: list) -> None:
        self.now = NOW_S
        self.steps = steps

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if not self.steps:
            raise KeyboardInterrupt  # what Ctrl-C does to the sleeping loop
        self.steps.pop(0)()
        self.now += seconds


def follow(argv: list[str], clients: Clients, script: Scripted) -> tuple[int, str]:
    args: argparse.Namespace = build_parser().parse_args(argv)
    out = io.StringIO()
    ctx = CliContext(
        "http://x", "us-east-1", out, io.StringIO(), clients, script.sleep, script.clock
    )
    return args.command(args, ctx), out.getvalue()


def test_follow_prints_new_events_once_and_stops_cleanly_on_ctrl_c() -> None:
    stub = StubLogs()
    lambda_ = StubLambda(functions={"f": {"FunctionName": "f", "Timeout": 3}})
    stub.add(GROUP, NOW_MS - 60_000, "old\n")
    script = Scripted(
        [
            lambda: stub.add(GROUP, NOW_MS + 100, "new\n"),
            # A late event: written when its long invocation ended, stamped before "new".
            lambda: stub.add(GROUP, NOW_MS + 50, "late\n"),
            lambda: None,
        ]
    )

    code, out = follow(["logs", "f", "--follow"], Clients(lambda_, stub), script)

    assert code == 0
    assert [line.split(" ", 1)[1] for line in out.splitlines()] == ["old", "new", "late"]
    # After the first poll, each asks only for the look-back window: timeout + margin.
    windows = [call.get("startTime") for call in stub.calls]
    assert windows[0] is None
    assert windows[1] == NOW_MS - (3 + logs.LATE_MARGIN_S) * 1000


def test_follow_waits_for_a_group_that_does_not_exist_yet() -> None:
    stub = StubLogs()
    script = Scripted([lambda: stub.add(GROUP, NOW_MS, "first\n")])

    code, out = follow(["logs", "f", "-f", "--since", "1m"], Clients(StubLambda(), stub), script)

    assert code == 0
    assert out.endswith(" first\n")
    assert stub.calls[0]["startTime"] == NOW_MS - 60_000


SERVICE = "service: svc\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: app.hello\n"
SERVICE_GROUP = "/aws/lambda/svc-dev-hello"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVICE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_f_key_prints_the_last_ten_minutes_and_stops(service: Path) -> None:
    stub = StubLogs()
    stub.add(SERVICE_GROUP, NOW_MS - 5 * 60_000, "recent\n")
    script = Scripted([lambda: None])  # a follow would poll twice

    code, out = follow(["logs", "-f", "hello"], Clients(logs=stub), script)

    assert (code, out.split(" ", 1)[1]) == (0, "recent\n")
    assert stub.calls == [{"logGroupName": SERVICE_GROUP, "startTime": NOW_MS - 600_000}]


def test_f_key_with_tail_follows_from_15_seconds_ago(service: Path) -> None:
    stub = StubLogs()
    script = Scripted([lambda: stub.add(SERVICE_GROUP, NOW_MS, "new\n")])

    code, out = follow(["logs", "-f", "hello", "--tail"], Clients(logs=stub), script)

    assert (code, out.split(" ", 1)[1]) == (0, "new\n")
    assert stub.calls[0] == {"logGroupName": SERVICE_GROUP, "startTime": NOW_MS - 15_000}
    assert len(stub.calls) == 2


def test_f_with_a_name_that_is_no_key_still_follows(service: Path) -> None:
    stub = StubLogs()
    stub.add(GROUP, NOW_MS, "x\n")
    script = Scripted([lambda: None])

    code, _ = follow(["logs", "-f", "f"], Clients(logs=stub), script)

    assert code == 0
    assert [call["logGroupName"] for call in stub.calls] == [GROUP, GROUP]
    assert "startTime" not in stub.calls[0]  # the whole history first, as before


@pytest.mark.parametrize(
    ("file", "text"),
    [("serverless.ts", "export default {}"), ("serverless.yml", "functions: [not, keys]")],
)
def test_f_follows_where_the_folder_names_no_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, text: str
) -> None:
    (tmp_path / file).write_text(text)
    monkeypatch.chdir(tmp_path)
    stub = StubLogs()
    stub.add(GROUP, NOW_MS, "x\n")

    code, _ = follow(["logs", "-f", "f"], Clients(logs=stub), Scripted([lambda: None]))

    assert (code, len(stub.calls)) == (0, 2)


def test_function_start_time_and_filter(service: Path) -> None:
    stub = StubLogs()
    stub.add(SERVICE_GROUP, NOW_MS, "ERROR x\n")
    argv = ["logs", "--function", "hello", "--startTime", "30m", "--filter", "ERROR"]

    follow(argv, Clients(logs=stub), Scripted([]))

    assert stub.calls == [
        {"logGroupName": SERVICE_GROUP, "startTime": NOW_MS - 1_800_000, "filterPattern": "ERROR"}
    ]


def test_says_when_the_window_holds_no_logs(service: Path) -> None:
    stub = StubLogs(groups={SERVICE_GROUP})
    result = run(["logs", "-f", "hello"], Clients(logs=stub))
    assert (result.code, result.out) == (0, "")
    assert result.err.startswith("No logs found from start time: ")


def test_an_unknown_function_key(service: Path) -> None:
    result = run(["logs", "--function", "nope"], Clients())
    assert (result.code, result.err) == (
        1,
        'error: Function "nope" doesn\'t exist in this Service\n',
    )


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("30m", NOW_MS - 1_800_000),
        ("2h", NOW_MS - 7_200_000),
        ("2026-02-08", 1_770_508_800_000),
        ("2026-02-08T09:10:11+01:00", 1_770_538_211_000),
        ("1469705761", 1_469_705_761_000),
        ("1469705761123", 1_469_705_761_123),
    ],
)
def test_start_times(text: str, millis: int) -> None:
    assert logs.start_time(text, NOW_S) == millis


def test_a_bad_start_time() -> None:
    with pytest.raises(CommandError):
        logs.start_time("last tuesday", NOW_S)
