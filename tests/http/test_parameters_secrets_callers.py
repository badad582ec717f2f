"""Who the Parameters and Secrets listener serves: a token only to the uid its environment runs
as (read from the connection, socket_owner.py); STS's tokens never; and a request is passed on
to the other servers only for a caller that is none of this server's environments."""

from __future__ import annotations

import os
import socket

import pytest

from overcast.aws.credentials import Identity
from overcast.aws.sessions import SessionKeys
from overcast.http.parameters_secrets import UNAUTHORIZED, ParametersSecretsHost
from overcast.http.socket_owner import socket_owner

ROLE = Identity("arn:aws:sts::000000000000:assumed-role/r/f", "000000000000", "AROA:f")
PATH = "/systemsmanager/parameters/get?name=p"


def test_the_owner_of_a_loopback_connection_is_its_clients_uid() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        with socket.create_connection(listener.getsockname()):
            accepted, address = listener.accept()
            with accepted:
                assert socket_owner(address, accepted.getsockname()) == os.getuid()
                assert socket_owner(address, ("127.0.0.1", 1)) is None


def test_the_owner_is_the_clients_uid_not_the_listeners() -> None:
    """A client of another uid (as an environment's is): its uid, not the server's."""
    if os.geteuid() != 0:
        pytest.skip("needs root to connect as another uid")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ready, go = os.pipe()
        pid = os.fork()
        if pid == 0:  # the client: another uid, holding its connection until told
            os.setuid(65534)
            with socket.create_connection(listener.getsockname()):
                os.read(ready, 1)
            os._exit(0)
        try:
            accepted, address = listener.accept()
            with accepted:
                assert socket_owner(address, accepted.getsockname()) == 65534
        finally:
            os.write(go, b"x")
            os.waitpid(pid, 0)


def test_an_ipv6_connection_is_found() -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as listener:
        with socket.create_connection(listener.getsockname()[:2]):
            accepted, address = listener.accept()
            with accepted:
                assert socket_owner(address[:2], accepted.getsockname()[:2]) == os.getuid()
                assert socket_owner(address[:2], ("::1", 1)) is None


def test_an_ipv4_client_of_a_dual_stack_listener_is_found_too() -> None:
    """A listener on :: sees an IPv4 client as ::ffff:127.0.0.1; its socket is in the IPv4
    table all the same."""
    with socket.create_server(("::", 0), family=socket.AF_INET6, dualstack_ipv6=True) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted, address = server.accept()
            with accepted:
                assert address[0] == "::ffff:127.0.0.1"
                assert socket_owner(address[:2], accepted.getsockname()[:2]) == os.getuid()


def _host(sessions: SessionKeys, asked: list) -> ParametersSecretsHost:
    host = ParametersSecretsHost(sessions, "http://127.0.0.1:1", "us-east-1")

    def peers() -> list[int]:
        asked.append(True)
        return []

    host.peers = peers
    return host


def test_a_token_is_registered_and_served_only_for_its_environments_uid() -> None:
    sessions, asked = SessionKeys(), []
    host = _host(sessions, asked)
    token = sessions.issue(ROLE, 3600, durable=False, holder=20001).session_token
    sts_token = sessions.issue(ROLE, 3600, durable=False).session_token
    assert token and sts_token
    assert host.register(token, {}, 20002)[0] == 403  # another environment's uid
    assert host.register(sts_token, {}, os.getuid())[0] == 403  # no environment's token
    assert host.answer(token, PATH, 20002) == UNAUTHORIZED
    assert host.answer(sts_token, PATH, os.getuid()) == UNAUTHORIZED
    assert asked == []  # this server's own tokens are never passed on


def test_only_an_unknown_environment_uid_is_passed_on_to_other_servers() -> None:
    sessions, asked = SessionKeys(), []
    host = _host(sessions, asked)
    assert host.answer("made-up", PATH, None) == UNAUTHORIZED  # no connection found
    assert host.answer("made-up", PATH, os.getuid()) == UNAUTHORIZED  # not an environment
    assert asked == []
    assert host.answer("made-up", PATH, 20003) == UNAUTHORIZED  # no peer knows it either
    assert asked == [True]


def test_a_named_uid_is_believed_only_with_the_hosts_peer_key(tmp_path) -> None:
    from overcast.http.parameters_secrets import peer_key

    key = peer_key(tmp_path / "run" / "peer.key")
    assert key and len(key) == 64
    assert peer_key(tmp_path / "run" / "peer.key") == key  # made once, then read
    assert (tmp_path / "run" / "peer.key").stat().st_mode & 0o777 == 0o600
    host = ParametersSecretsHost(SessionKeys(), "http://127.0.0.1:1", "us-east-1",
                                 key_source=lambda: key)  # fmt: skip
    assert host._from_peer(key)
    # An HTTP_PROXY integration the server sends for a user comes from the server's uid too,
    # with the headers the user chose: a uid named without the key is not believed.
    assert not host._from_peer(None) and not host._from_peer("0" * 64)
    keyless = ParametersSecretsHost(SessionKeys(), "http://127.0.0.1:1", "us-east-1",
                                    key_source=lambda: None)  # fmt: skip
    assert not keyless._from_peer(key)
    keyless.peers = lambda: [1]
    assert keyless.answer("made-up", PATH, 20003) == UNAUTHORIZED  # nothing forwarded
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert peer_key(shared / "peer.key") is None  # a folder others can write: no key
