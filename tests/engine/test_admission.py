"""Lambda's concurrency model in Admission: reasons, reservations, scaling rate, waiting."""

from __future__ import annotations

import asyncio

import pytest

from overcast.engine.admission import Admission
from overcast.function import FunctionVersion
from overcast.services.lambda_.errors import TooManyRequestsException


def function(name: str, reserved: int | None = None) -> FunctionVersion:
    return FunctionVersion(
        name=name,
        version="$LATEST",
        function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        runtime="python3.12",
        handler="app.handler",
        code_sha256="x",
        revision_id="r",
        reserved_concurrency=reserved,
    )


def reason_of(admission: Admission, fn: FunctionVersion) -> str:
    with pytest.raises(TooManyRequestsException) as caught:
        admission.admit(fn)
    assert caught.value.status == 429 and caught.value.message == "Rate Exceeded."
    return caught.value.extra["Reason"]


def test_account_limit_less_reservations_bounds_unreserved_functions() -> None:
    admission = Admission(account_limit=5, reserved_total=lambda: 2)
    free = function("free")
    for _ in range(3):
        admission.admit(free)
    assert reason_of(admission, free) == "ConcurrentInvocationLimitExceeded"
    admission.release(free)
    admission.admit(free)


def test_reserved_functions_use_their_own_pool() -> None:
    admission = Admission(account_limit=5, reserved_total=lambda: 2)
    reserved = function("reserved", reserved=2)
    admission.admit(reserved)
    admission.admit(reserved)
    assert reason_of(admission, reserved) == "ReservedFunctionConcurrentInvocationLimitExceeded"
    for _ in range(3):  # unreserved functions still have their 3
        admission.admit(function("other"))


def test_reserved_zero_throttles_everything() -> None:
    admission = Admission()
    assert reason_of(admission, function("off", reserved=0)) == (
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    )


def test_scaling_rate_refills_continuously() -> None:
    now = [0.0]
    admission = Admission(scale_per_10s=2, clock=lambda: now[0])
    fn = function("burst")
    admission.allow_new_environment(fn)
    admission.allow_new_environment(fn)
    with pytest.raises(TooManyRequestsException):
        admission.allow_new_environment(fn)
    now[0] = 5.0  # half the window: one new environment's worth
    admission.allow_new_environment(fn)


def test_asynchronous_events_wait_for_capacity() -> None:
    async def scenario() -> list[str]:
        admission = Admission(account_limit=1)
        fn = function("queued")
        admission.admit(fn)
        order: list[str] = []

        async def event() -> None:
            await admission.wait(fn)
            order.append("ran")

        waiting = asyncio.create_task(event())
        await asyncio.sleep(0)  # one turn of the loop: the task runs until it must wait
        assert not waiting.done() and admission.total_running() == 1  # parked, not counted
        order.append("released")
        admission.release(fn)
        await asyncio.wait_for(waiting, 1)
        return order

    assert asyncio.run(scenario()) == ["released", "ran"]
