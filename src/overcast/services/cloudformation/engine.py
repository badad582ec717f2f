"""The engine: runs a stack's operation in the background, as CloudFormation does once
CreateStack, UpdateStack, DeleteStack or ExecuteChangeSet has answered.

- create and update: resources in waves of the dependency order (template/graph.py), the
  resources of a wave side by side; an update changes a resource in place, replaces it (a
  new one first, the old one deleted in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS), or leaves it;
  resources the new template drops are deleted at cleanup (DeletionPolicy Retain kept).
- failure rolls back: a create deletes what it made (ROLLBACK_COMPLETE); an update puts back
  each resource it changed and deletes those it made (UPDATE_ROLLBACK_COMPLETE).
- delete: the reverse of the dependency order, Retain kept, exports in use refused.
- a restart finds operations that were under way (their state is written at each step): a
  create or update is rolled back, a rollback or delete carried on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future

from overcast.resource_providers import ResourceProviders
from overcast.services.cloudformation.context import Context
from overcast.services.cloudformation.dynamic_references import DynamicReferences
from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.exports import conflicts, in_use
from overcast.services.cloudformation.model import Resource, Stack, StackStatus, now
from overcast.services.cloudformation.steps import StepFailed, Steps
from overcast.services.cloudformation.store import StackStore

log = logging.getLogger(__name__)
S = StackStatus
INTERRUPTED = "The stack operation was interrupted: the server stopped while it ran"
RETAIN = "Retain"
# How long CreateStack, UpdateStack, DeleteStack and ExecuteChangeSet wait for their operation
# before answering. CloudFormation answers at once and runs it in the background; a small
# stack here finishes in milliseconds, so waiting for it lets a client's first poll see it
# done: the AWS CLI's `deploy` polls every 30 s after its first DescribeStacks, and a stack
# still in progress at that first look cost every deploy 30 s. Larger stacks answer after this
# and carry on in the background, as on AWS.
SETTLE_S = 2.0


class Engine:
    def __init__(
        self,
        store: StackStore,
        providers: ResourceProviders,
        references: DynamicReferences | None = None,
    ) -> None:
        self.store = store
        self.providers = providers
        self.references = references  # {{resolve:ssm:...}} in properties
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._running: dict[str, Future] = {}

    def start(self) -> None:
        """On the server's loop: carry on or roll back what a stop interrupted."""
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        for stack in self.store.in_progress():
            operation = stack.operation
            if operation is None:
                continue
            if operation.kind != "DELETE" and not operation.rollback:
                operation.rollback = True
                stack.reason = INTERRUPTED
                self.store.put(stack)
            self.launch(stack.stack_id)

    async def stop(self) -> None:
        """Operations stop where they are; the next start finishes them (see `start`)."""
        for future in list(self._running.values()):
            future.cancel()
        self._running.clear()

    def launch(self, stack_id: str, settle_s: float = 0.0) -> None:
        """Run the stack's operation (written with it) in the background; from a request's
        worker thread, wait up to `settle_s` for it to end first (SETTLE_S)."""
        if self.loop is None:
            raise RuntimeError("the CloudFormation engine has not started")
        future = asyncio.run_coroutine_threadsafe(self.run(stack_id), self.loop)
        self._running[stack_id] = future
        future.add_done_callback(lambda _: self._running.pop(stack_id, None))
        if settle_s > 0 and threading.get_ident() != self._loop_thread:
            with contextlib.suppress(Exception):  # its outcome is the stack's, not the call's
                future.result(timeout=settle_s)

    def busy(self, stack_id: str) -> bool:
        return stack_id in self._running

    async def run(self, stack_id: str) -> None:
        stack = self.store.get(stack_id)
        if stack is None or stack.operation is None:
            return
        steps = Steps(self.store, self.providers, stack, self.references)
        try:
            await self._run(steps)
        except asyncio.CancelledError:
            raise
        except Exception:  # the stack must not be left in progress by a fault of ours
            log.exception("the operation of stack %s failed", stack.name)
            failed = {"DELETE": S.DELETE_FAILED, "CREATE": S.ROLLBACK_FAILED}
            status = failed.get(stack.operation.kind, S.UPDATE_ROLLBACK_FAILED)  # type: ignore[union-attr]
            stack.operation = None
            steps.stack_status(status, "Internal Failure")

    async def _run(self, steps: Steps) -> None:
        operation = steps.stack.operation
        assert operation is not None
        if operation.kind == "DELETE":
            await self._delete(steps)
        elif operation.rollback:
            await self._roll_back(steps, steps.stack.reason or INTERRUPTED)
        else:
            await self._forward(steps)

    # --- create and update ----------------------------------------------------------------

    async def _forward(self, steps: Steps) -> None:
        stack = steps.stack
        operation = stack.operation
        assert operation is not None
        creating = operation.kind == "CREATE"
        context = Context(self.store, stack)
        failed: list[str] = []
        reason = None
        try:
            for wave in context.waves():
                failed = await _each(wave, lambda name: self._deploy(steps, context, name))
                if failed:
                    break
        except TemplateError as exc:
            reason = exc.message
        if failed:
            verb = "create" if creating else "update"
            reason = f"The following resource(s) failed to {verb}: [{', '.join(failed)}]. "
            if creating:
                reason += "Rollback requested by user."
        outputs: list[dict] = []
        if reason is None:
            try:
                outputs = context.outputs()
                reason = conflicts(self.store, stack, outputs)
            except TemplateError as exc:
                reason = exc.message
        if reason is not None:
            await self._failed(steps, reason)
            return
        stack.outputs, stack.imports = outputs, context.imported
        if creating:
            stack.operation = None
            steps.stack_status(S.CREATE_COMPLETE)
            return
        steps.stack_status(S.UPDATE_COMPLETE_CLEANUP_IN_PROGRESS)
        await self._clean_up(steps, context.active)
        stack.operation = None
        steps.stack_status(S.UPDATE_COMPLETE)

    async def _deploy(self, steps: Steps, context: Context, name: str) -> None:
        definition = steps.stack.template["Resources"][name]
        kind = str(definition["Type"])
        existing = steps.stack.resources.get(name)
        fresh = Resource(
            name,
            kind,
            "CREATE_IN_PROGRESS",
            deletion_policy=str(definition.get("DeletionPolicy", "Delete")),
            update_replace_policy=str(definition.get("UpdateReplacePolicy", "Delete")),
        )
        try:
            props = context.resolve(definition.get("Properties") or {})
        except TemplateError as exc:
            target = existing or fresh
            steps.record(target, "UPDATE_FAILED" if existing else "CREATE_FAILED", exc.message)
            raise StepFailed(exc.message) from None
        assert isinstance(props, dict)
        if existing is None or existing.physical_id is None:
            await steps.create(fresh, props)
        elif steps.replaces(existing, kind, props):
            await steps.create(fresh, props, replacing=True)
        elif props != existing.properties:
            existing.deletion_policy = fresh.deletion_policy
            existing.update_replace_policy = fresh.update_replace_policy
            await steps.update(existing, props)

    async def _failed(self, steps: Steps, reason: str) -> None:
        stack = steps.stack
        operation = stack.operation
        assert operation is not None
        if operation.disable_rollback or operation.on_failure == "DO_NOTHING":
            stack.operation = None
            steps.stack_status(
                S.CREATE_FAILED if operation.kind == "CREATE" else S.UPDATE_FAILED, reason
            )
            return
        operation.rollback = True
        await self._roll_back(steps, reason)

    async def _clean_up(self, steps: Steps, active: set[str]) -> None:
        """After an update: delete what it replaced and what the template dropped. A
        failure here is recorded, and the update stands (as CloudFormation's does)."""
        stack = steps.stack
        previous = _previous(stack)
        for name in reversed(_in_order(stack, previous)):
            old, current = previous[name], stack.resources.get(name)
            if name not in active:
                stack.resources.pop(name, None)
                await _quietly(
                    steps.delete(old, retain=old.deletion_policy == RETAIN, attach=False)
                )
            elif current is not None and current.physical_id != old.physical_id:
                retain = old.update_replace_policy == RETAIN
                await _quietly(steps.delete(old, retain=retain, attach=False))

    # --- rollback -------------------------------------------------------------------------

    async def _roll_back(self, steps: Steps, reason: str) -> None:
        operation = steps.stack.operation
        assert operation is not None
        if operation.kind == "CREATE":
            await self._roll_back_create(steps, reason)
        else:
            await self._roll_back_update(steps, reason)

    async def _roll_back_create(self, steps: Steps, reason: str) -> None:
        stack = steps.stack
        operation = stack.operation
        assert operation is not None
        steps.stack_status(S.ROLLBACK_IN_PROGRESS, reason)
        made = [r for r in stack.resources.values() if r.status != "DELETE_COMPLETE"]
        for wave in _reverse_waves(stack, made):
            failed = await _each(wave, lambda name: steps.delete(stack.resources[name]))
            if failed:
                stack.operation = None
                steps.stack_status(S.ROLLBACK_FAILED, _failed_to_delete(failed))
                return
        if operation.on_failure == "DELETE":
            stack.operation = None
            stack.deleted = now()
            steps.stack_status(S.DELETE_COMPLETE)
            self.store.delete_change_sets(stack.stack_id)
            return
        stack.operation = None
        steps.stack_status(S.ROLLBACK_COMPLETE, reason)

    async def _roll_back_update(self, steps: Steps, reason: str) -> None:
        stack = steps.stack
        operation = stack.operation
        assert operation is not None
        steps.stack_status(S.UPDATE_ROLLBACK_IN_PROGRESS, reason)
        previous = _previous(stack)
        try:
            for name in _in_order(stack, previous):  # what was changed in place, put back
                current, old = stack.resources.get(name), previous[name]
                if current is None or current.physical_id != old.physical_id:
                    continue
                if current.properties != old.properties:
                    await steps.update(current, old.properties)
        except StepFailed as failed:
            stack.operation = None
            steps.stack_status(S.UPDATE_ROLLBACK_FAILED, failed.reason)
            return
        made = [
            r
            for name, r in stack.resources.items()
            if name not in previous or r.physical_id != previous[name].physical_id
        ]
        stack.template = operation.previous_template or stack.template
        stack.parameters = operation.previous_parameters or {}
        stack.values = operation.previous_values or {}
        stack.outputs = operation.previous_outputs or []
        stack.imports = operation.previous_imports or []
        if operation.previous_body is not None:
            stack.template_body = operation.previous_body
        steps.stack_status(S.UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS)
        for resource in reversed(made):  # what the update made: the newest first
            stack.resources.pop(resource.logical_id, None)
            await _quietly(steps.delete(resource, attach=False))
        for name, old in previous.items():
            stack.resources[name] = old
        stack.operation = None
        steps.stack_status(S.UPDATE_ROLLBACK_COMPLETE)

    # --- delete ---------------------------------------------------------------------------

    async def _delete(self, steps: Steps) -> None:
        stack = steps.stack
        operation = stack.operation
        assert operation is not None
        steps.stack_status(S.DELETE_IN_PROGRESS)
        refused = in_use(self.store, stack, {})
        if refused is not None:
            stack.operation = None
            steps.stack_status(S.DELETE_FAILED, refused)
            return
        present = [
            r
            for r in stack.resources.values()
            if r.status not in ("DELETE_COMPLETE", "DELETE_SKIPPED")
        ]
        for wave in _reverse_waves(stack, present):
            failed = await _each(
                wave,
                lambda name: steps.delete(
                    stack.resources[name],
                    retain=stack.resources[name].deletion_policy == RETAIN
                    or name in operation.retain,
                ),
            )
            if failed:
                stack.operation = None
                steps.stack_status(S.DELETE_FAILED, _failed_to_delete(failed))
                return
        stack.operation = None
        stack.deleted = now()
        steps.stack_status(S.DELETE_COMPLETE)
        self.store.delete_change_sets(stack.stack_id)


async def _each(names: list[str], step: Callable[[str], Awaitable[None]]) -> list[str]:
    """Run `step` for each name side by side; the names whose step failed."""
    results = await asyncio.gather(*(step(name) for name in names), return_exceptions=True)
    failed = []
    for name, result in zip(names, results, strict=True):
        if isinstance(result, asyncio.CancelledError):
            raise result
        if isinstance(result, BaseException):
            if not isinstance(result, StepFailed):
                log.error("resource %s failed", name, exc_info=result)
            failed.append(name)
    return failed


async def _quietly(step: Awaitable[None]) -> None:
    """A cleanup step: its failure is in its events, and stops nothing."""
    try:
        await step
    except StepFailed:
        pass


def _previous(stack: Stack) -> dict[str, Resource]:
    assert stack.operation is not None
    return {k: Resource.from_dict(v) for k, v in stack.operation.previous_resources.items()}


def _in_order(stack: Stack, resources: Iterable[str]) -> list[str]:
    """`resources` in the dependency order of the stack's previous template (or its own)."""
    wanted = set(resources)
    operation = stack.operation
    template = (operation.previous_template if operation else None) or stack.template
    ordered = [name for wave in _waves_of(template, wanted) for name in wave]
    return ordered + sorted(wanted - set(ordered))


def _reverse_waves(stack: Stack, resources: list[Resource]) -> list[list[str]]:
    """Deletion waves: the dependency order of the stack's template, reversed; what the
    template does not order comes first."""
    wanted = {r.logical_id for r in resources}
    waves = _waves_of(stack.template, wanted)
    ordered = {name for wave in waves for name in wave}
    loose = sorted(wanted - ordered)
    return ([loose] if loose else []) + list(reversed(waves))


def _waves_of(template: dict, wanted: set[str]) -> list[list[str]]:
    from overcast.services.cloudformation.template import order

    resources = template.get("Resources") or {}
    try:
        waves = order({**template, "Outputs": {}}, set(resources))
    except TemplateError:
        return [sorted(wanted)]
    kept = [[name for name in wave if name in wanted] for wave in waves]
    return [wave for wave in kept if wave]


def _failed_to_delete(names: list[str]) -> str:
    return f"The following resource(s) failed to delete: [{', '.join(names)}]. "
