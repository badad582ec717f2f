"""Environment uids are claimed host-wide: two servers on one machine never share one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from overcast.sandbox.confinement import Confinement
from overcast.sandbox.errors import SandboxError
from overcast.sandbox.protections import Protections
from overcast.sandbox.uids import UidPool


def test_two_pools_on_one_host_never_hand_out_the_same_uid(tmp_path: Path) -> None:
    first, second = UidPool(tmp_path, 100, 3), UidPool(tmp_path, 100, 3)
    taken = [first.acquire(), second.acquire(), first.acquire()]
    assert sorted(taken) == [100, 101, 102]
    with pytest.raises(SandboxError):
        second.acquire()  # every uid is held, some by the other pool
    first.release(taken[0])
    assert second.acquire() == taken[0]  # free again once its environment has gone
    first.close()
    second.close()


def test_a_released_uid_is_handed_out_again_by_the_same_pool(tmp_path: Path) -> None:
    pool = UidPool(tmp_path, 500, 2)
    uid = pool.acquire()
    pool.release(uid)
    assert pool.acquire() == uid
    pool.close()


def test_the_lock_directory_is_root_only(tmp_path: Path) -> None:
    pool = UidPool(tmp_path / "uids", 100, 1)
    pool.acquire()
    assert (tmp_path / "uids").stat().st_mode & 0o777 == 0o700
    pool.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="own uids need root")
def test_two_servers_confinements_give_different_uids(tmp_path: Path) -> None:
    # Two servers on one host each build their own Confinement, with the default host-wide pool.
    one = Confinement(Protections(own_uid=True), tmp_path / "a")
    two = Confinement(Protections(own_uid=True), tmp_path / "b")
    leases = [one.acquire()[1], two.acquire()[1], one.acquire()[1], two.acquire()[1]]
    uids = [lease.uid for lease in leases]
    assert len(set(uids)) == 4
    for lease in leases[::2]:
        one.release(lease)
    for lease in leases[1::2]:
        two.release(lease)
    one.close()
    two.close()
