"""Lambda functions as a REST API calls them: for a Lambda proxy or non-proxy integration,
and for a Lambda authorizer. The function's resource-based policy must let
`apigateway.amazonaws.com` invoke it for the calling method (`aws:SourceArn` the method's
execute-api ARN, as `aws lambda add-permission --source-arn` bounds it), else API Gateway
answers 500; an integration that outlives its timeoutInMillis (29 s by default) is answered
504 while the function runs on, as on AWS.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import lru_cache

from overcast.aws.errors import ServiceError
from overcast.http import lambda_uri
from overcast.http.lambda_uri import with_stage_variables
from overcast.sandbox.launcher import INIT_LIMIT_S
from overcast.services.apigateway.errors import ConfigurationError, IntegrationTimeout
from overcast.types import InvokePermissions, Invoker, InvokeResult, Resolver, ServicePrincipal

log = logging.getLogger(__name__)
PRINCIPAL = "apigateway.amazonaws.com"
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024  # what Lambda takes in a synchronous invoke


def function_of(uri: str, variables: dict[str, str]) -> tuple[str, str] | None:
    """(function ARN, its region) of a Lambda integration or authorizer URI, or None."""
    return lambda_uri.function_of(with_stage_variables(uri, variables))


@lru_cache(maxsize=4096)  # the same few methods are called over and over
def method_caller(
    region: str, account_id: str, api_id: str, stage: str, method: str, resource_path: str
) -> ServicePrincipal:
    """API Gateway as the function's policy sees a method's call: `aws:SourceArn`
    `arn:aws:execute-api:REGION:ACCOUNT:api-id/stage/METHOD/path`, the resource's path as
    written (`pets/{id}`)."""
    arn = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method}{resource_path}"
    return ServicePrincipal(PRINCIPAL, arn, account_id)


def authorizer_caller(
    region: str, account_id: str, api_id: str, authorizer_id: str
) -> ServicePrincipal:
    """An authorizer's call: `aws:SourceArn` `...:api-id/authorizers/authorizer-id`."""
    arn = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/authorizers/{authorizer_id}"
    return ServicePrincipal(PRINCIPAL, arn, account_id)


class FunctionCalls:
    """Invokes functions for a REST API; what goes wrong before the function answers is
    raised as the gateway's refusal."""

    def __init__(self, resolver: Resolver, engine: Invoker, permissions: InvokePermissions) -> None:
        self._resolver = resolver
        self.engine = engine
        self._permissions = permissions
        self._overdue: set[asyncio.Task] = set()  # invocations that outlived their timeout

    async def invoke(
        self,
        function: tuple[str, str],
        payload: bytes,
        caller: ServicePrincipal,
        timeout_ms: int,
        where: str,
        refusal: Callable[[], Exception] = ConfigurationError,
    ) -> InvokeResult:
        """The function's result; raises `refusal()` when it cannot be invoked (no such
        function, not allowed, the event too large, a throttle), IntegrationTimeout when
        it does not answer in time."""
        arn, region = function
        if len(payload) > LAMBDA_PAYLOAD_LIMIT:
            log.warning("%s: the event is larger than Lambda accepts", where)
            raise refusal()
        try:
            target = self._resolver.resolve(region, arn, None)
        except ServiceError as exc:
            log.warning("%s: %s", where, exc.message)
            raise refusal() from None
        problem = self._permissions.refusal(target, caller)
        if problem is not None:
            log.warning("%s: %s", where, problem)
            raise refusal()
        if target.function.timeout + INIT_LIMIT_S < timeout_ms / 1000:
            # The function's own timeout (and the init limit) end it first: no watch needed.
            return await self._result(self.engine.invoke(target, payload), where, refusal)
        invocation = asyncio.ensure_future(self.engine.invoke(target, payload))
        done, _ = await asyncio.wait({invocation}, timeout=timeout_ms / 1000)
        if not done:
            # The function runs on, as on AWS; the client is told the integration timed out.
            self._overdue.add(invocation)
            invocation.add_done_callback(self._forget)
            raise IntegrationTimeout()
        return await self._result(invocation, where, refusal)

    @staticmethod
    async def _result(invocation, where: str, refusal: Callable[[], Exception]) -> InvokeResult:
        try:
            return await invocation
        except ServiceError as exc:  # a throttle, or a failure to start the function
            log.warning("%s: %s", where, exc.message)
            raise refusal() from None

    def _forget(self, task: asyncio.Task) -> None:
        self._overdue.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a REST API invocation that timed out failed: %s", task.exception())
