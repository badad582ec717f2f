"""Rotation by a Lambda function, as Secrets Manager runs it: the function is invoked with
each of the four steps in turn (createSecret, setSecret, testSecret, finishSecret) and the
event `{"Step", "SecretId", "ClientRequestToken", "RotationToken"}`; it moves the staging
labels itself (PutSecretValue with AWSPENDING, then UpdateSecretVersionStage). A step that
fails ends the rotation there, leaving AWSPENDING where the function put it, as on AWS.

The function is reached as every service reaches one: resolved through Lambda's control
plane (`types.Resolver`) and run by the engine (`types.Invoker`), without importing Lambda.
Its resource-based policy must let `secretsmanager.amazonaws.com` invoke it
(`types.InvokePermissions`): "When you add a Lambda rotation function ARN to your secret,
Secrets Manager checks the permissions of the function" (the rotation troubleshooting
guide), so RotateSecret refuses with AccessDeniedException; a rotation that finds the
permission gone later ends before its first step.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import ServiceError
from overcast.function import Target
from overcast.services.secretsmanager.errors import AccessDeniedException
from overcast.types import InvokePermissions, Invoker, Resolver, ServicePrincipal

log = logging.getLogger(__name__)
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
PRINCIPAL = "secretsmanager.amazonaws.com"
CANNOT_INVOKE = (
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
    "policy grants access to the principal secretsmanager.amazonaws.com."
)


class Rotator:
    def __init__(
        self,
        resolver: Resolver,
        invoker: Invoker,
        permissions: InvokePermissions,
        rotated: Callable[[str, str], None],
    ) -> None:
        self._resolver = resolver
        self._invoker = invoker
        self._permissions = permissions
        self._rotated = rotated  # (region, secret ARN): record LastRotatedDate
        self._running: set[asyncio.Task] = set()

    def check(self, region: str, secret_arn: str, function_arn: str) -> None:
        """RotateSecret's check of the function's policy: AccessDeniedException unless it lets
        Secrets Manager invoke the function for this secret. A function that cannot be found
        is left to the rotation, which logs it."""
        try:
            target = self._target(region, function_arn)
        except (ValueError, ServiceError):
            return
        if self._refusal(target, secret_arn) is not None:
            raise AccessDeniedException(CANNOT_INVOKE)

    def start(self, region: str, secret_arn: str, function_arn: str, token: str) -> None:
        """Run the four steps in the background (RotateSecret answers before they end)."""
        task = asyncio.ensure_future(self.rotate(region, secret_arn, function_arn, token))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def rotate(self, region: str, secret_arn: str, function_arn: str, token: str) -> bool:
        """Whether every step succeeded."""
        try:
            target = self._target(region, function_arn)
        except (ValueError, ServiceError) as exc:
            log.warning("rotation of %s: no function %s: %s", secret_arn, function_arn, exc)
            return False
        refusal = self._refusal(target, secret_arn)
        if refusal is not None:
            log.warning("rotation of %s: %s (%s)", secret_arn, CANNOT_INVOKE, refusal)
            return False
        for step in STEPS:
            event = {
                "Step": step,
                "SecretId": secret_arn,
                "ClientRequestToken": token,
                "RotationToken": str(uuid.uuid4()),
            }
            result = await self._invoker.invoke(target, json.dumps(event).encode())
            if result.function_error:
                # The error's type only: its message may quote the secret.
                kind = _error_type(result.payload)
                log.warning("rotation of %s failed at %s (%s)", secret_arn, step, kind)
                return False
        self._rotated(region, secret_arn)
        return True

    def _target(self, region: str, function_arn: str) -> Target:
        function_region, name, qualifier = function_target(function_arn)
        return self._resolver.resolve(function_region or region, name, qualifier)

    def _refusal(self, target: Target, secret_arn: str) -> str | None:
        """Why the function's policy does not let Secrets Manager invoke it for the secret
        (`aws:SourceArn` is the secret's ARN, `aws:SourceAccount` its account)."""
        caller = ServicePrincipal(PRINCIPAL, secret_arn, Arn.parse(secret_arn).account)
        return self._permissions.refusal(target, caller)

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)


def _error_type(payload: bytes) -> str | None:
    """The `errorType` of a failed function's payload; None when the payload is not Lambda's
    error object (a custom runtime may post any bytes to /error)."""
    try:
        error = json.loads(payload)
    except ValueError:
        return None
    return error.get("errorType") if isinstance(error, dict) else None
