"""An operation the server's stop interrupted, found at the next start: a create is rolled
back (what it made is deleted), a delete is carried on. In-process: the platform built over
a data dir, the stack written as the engine leaves it mid-operation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from overcast.aws.errors import ServiceError
from overcast.config import Settings
from overcast.factory import Platform, build_platform
from overcast.resource_providers import ResourceRequest
from overcast.services.cloudformation.engine import INTERRUPTED
from overcast.services.cloudformation.model import Operation, Resource, Stack, StackStatus
from overcast.services.cloudformation.store import StackStore
from support import STACK_ROOT

REGION, ACCOUNT = "us-east-1", "000000000000"
TEMPLATE = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": "Queue"},
    }
}


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    built = build_platform(Settings(data_dir=tmp_path, isolation=False, log_level="warning"))
    yield built
    for service in reversed(built.services):
        service.close()
    built.store.close()


def engine_of(platform: Platform):  # noqa: ANN201
    api = next(s.api for s in platform.services if s.api and s.api.signing_name == "cloudformation")
    return api.backend.stacks.engine


def interrupted(platform: Platform, kind: str, status: StackStatus) -> tuple[Stack, str]:
    """A stack whose queue was made, written as a stop left it in `status`."""
    providers = platform.resource_providers
    assert providers is not None
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/cut/1"
    queue = providers.get("AWS::SQS::Queue")
    made = queue.create(  # type: ignore[union-attr]
        ResourceRequest(
            "Queue", "AWS::SQS::Queue", {}, None, None, "cut", stack_id, REGION, ACCOUNT, STACK_ROOT
        )
    )
    stack = Stack(stack_id, "cut", REGION, status, template=TEMPLATE)
    stack.resources["Queue"] = Resource(
        "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", made.physical_id, attributes=made.attributes
    )
    stack.resources["Topic"] = Resource("Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS")
    stack.operation = Operation(kind)
    engine_of(platform).store.put(stack)
    return stack, made.physical_id


def restart(platform: Platform) -> None:
    engine = engine_of(platform)

    async def run() -> None:
        engine.start()
        while engine._running:  # the operations it found, to their end
            await asyncio.sleep(0.01)

    asyncio.run(run())


def queue_exists(platform: Platform, url: str) -> bool:
    queue = platform.resource_providers.get("AWS::SQS::Queue")  # type: ignore[union-attr]
    try:
        queue.sqs.call("GetQueueAttributes", {"QueueUrl": url}, STACK_ROOT, REGION)
    except ServiceError:
        return False
    return True


def test_an_interrupted_create_is_rolled_back(platform: Platform, tmp_path: Path) -> None:
    stack, url = interrupted(platform, "CREATE", StackStatus.CREATE_IN_PROGRESS)
    assert queue_exists(platform, url)
    restart(platform)
    found = StackStore(tmp_path / "cloudformation.db").get(stack.stack_id)
    assert found is not None
    assert (found.status, found.reason) == (StackStatus.ROLLBACK_COMPLETE, INTERRUPTED)
    assert found.operation is None
    assert not queue_exists(platform, url)  # nothing half-made


def test_an_interrupted_delete_is_carried_on(platform: Platform, tmp_path: Path) -> None:
    stack, url = interrupted(platform, "DELETE", StackStatus.DELETE_IN_PROGRESS)
    restart(platform)
    found = StackStore(tmp_path / "cloudformation.db").get(stack.stack_id)
    assert found is not None and found.status == StackStatus.DELETE_COMPLETE
    assert not queue_exists(platform, url)
