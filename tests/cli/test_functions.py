"""`overcast ls` and `overcast rm` against a stub Lambda client."""

from __future__ import annotations

from overcast.cli.functions import table

from .stubs import Clients, StubLambda, run


def function(name: str, **overrides: object) -> dict:
    return {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        "Runtime": "python3.12",
        "MemorySize": 128,
        "Timeout": 3,
        "LastModified": "2026-11-23T10:04:05.123+0000",
        "Handler": "app.handler",
        **overrides,
    }


def test_ls_prints_every_page_as_a_table_sorted_by_name() -> None:
    functions = {
        "zeta": function("zeta", MemorySize=1024, Timeout=900),
        "alpha": function("alpha", Runtime="python3.9"),
        "mid-function-name": function("mid-function-name"),
    }
    clients = Clients(StubLambda(functions=functions, page_size=2))  # two pages

    result = run(["ls"], clients)

    assert result.code == 0
    assert result.out.splitlines() == [
        "NAME               RUNTIME     HANDLER      MEMORY   TIMEOUT  LAST MODIFIED",
        "alpha              python3.9   app.handler  128 MB   3 s      2026-11-23 10:04:05",
        "mid-function-name  python3.12  app.handler  128 MB   3 s      2026-11-23 10:04:05",
        "zeta               python3.12  app.handler  1024 MB  900 s    2026-11-23 10:04:05",
    ]


def test_ls_without_functions_prints_the_header() -> None:
    result = run(["ls"], Clients())
    assert result.out == "NAME  RUNTIME  HANDLER  MEMORY  TIMEOUT  LAST MODIFIED\n"


def test_ls_shows_a_dash_for_what_the_server_leaves_out() -> None:
    bare = {"FunctionName": "img", "MemorySize": 128, "Timeout": 3}
    result = run(["ls"], Clients(StubLambda(functions={"img": bare})))
    assert result.out.splitlines()[1].split() == ["img", "-", "-", "128", "MB", "3", "s", "-"]


def test_table_has_no_trailing_spaces() -> None:
    text = table(("A", "B"), [("long value", ""), ("x", "y")])
    assert all(line == line.rstrip() for line in text.splitlines())


def test_rm_deletes() -> None:
    clients = Clients(StubLambda(functions={"f": function("f")}))

    result = run(["rm", "f"], clients)

    assert (result.code, result.out) == (0, "deleted f\n")
    assert clients.lambda_.functions == {}
