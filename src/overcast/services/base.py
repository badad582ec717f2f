"""What a service is to the factory: a `ServiceSpec` builds it from the `Kernels`, and the
`BuiltService` it hands back says which requests are its and how it starts and stops.

Adding a service is one folder under services/ and one line in `services.SERVICES`: the
factory registers its endpoints with the app, its senders with the destinations, and starts
it after the kernels (engine, async queue) and stops it before them.

Nothing here is imported at run time but the standard library: `overcast.services` is the
package every service module lives in, so what it imports is imported by all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from overcast.aws.gateway import Api
    from overcast.aws.in_process import InProcessApi
    from overcast.aws.request_auth import RequestAuth
    from overcast.aws.service_apis import ServiceApis
    from overcast.config import Settings
    from overcast.delivery import Destinations, Sender
    from overcast.http.fast_http import WholeFrontDoor
    from overcast.identities import Identities
    from overcast.keys import KeyServices
    from overcast.object_readers import ObjectReaders
    from overcast.observe.logs import LogStore
    from overcast.parameter_readers import ParameterReaders
    from overcast.resource_providers import ResourceProviders
    from overcast.services.lambda_.control.plane import ControlPlane
    from overcast.shards import Arrivals
    from overcast.store.events import EventStore
    from overcast.types import Acceptor, FrontDoor, Functions


def _parameter_readers() -> ParameterReaders:
    from overcast.parameter_readers import ParameterReaders

    return ParameterReaders()


def _service_apis() -> ServiceApis:
    from overcast.aws.service_apis import ServiceApis

    return ServiceApis()


def _resource_providers() -> ResourceProviders:
    from overcast.resource_providers import ResourceProviders

    return ResourceProviders()


@dataclass(frozen=True)
class Kernels:
    """What the factory builds before any service, and services may use.

    Lambda is here, not in SERVICES: the engine runs its functions and every service that
    triggers one resolves it through its control plane.
    """

    settings: Settings
    logs: LogStore  # CloudWatch Logs' groups and streams, written by the engine
    engine: Functions
    control: ControlPlane
    events: EventStore  # the durable store of everything asynchronous
    queue: Acceptor  # Lambda's asynchronous invocations
    destinations: Destinations  # where deliveries go, by ARN service
    # S3's objects as Lambda reads them (code from S3): S3 registers its reader here when built
    objects: ObjectReaders
    # KMS's keys as other services encrypt with them (types.Keys): KMS registers itself here
    keys: KeyServices
    # IAM's roles as STS reads them, and the issuer of temporary credentials: IAM registers
    # its roles when built, the factory the issuer
    identities: Identities
    # Authentication and the authorizer for a service's own front doors (S3's form uploads):
    # the factory fills it in once the gateway is built; None in a test's own kernels
    request_auth: RequestAuth | None = None
    # News of records written to streams (shards.Arrivals): DynamoDB tells it of its streams'
    # records, DynamoDB Streams' readers wait on it; None in a test's own kernels
    arrivals: Arrivals | None = None
    # The resource types CloudFormation deploys (resource_providers.py): each service
    # registers the providers of its `resources.py` when built; CloudFormation reads them
    resource_providers: ResourceProviders = field(default_factory=_resource_providers)
    # SSM's parameters as CloudFormation reads them (parameter_readers.py): SSM registers
    # its reader when built
    parameters: ParameterReaders = field(default_factory=_parameter_readers)
    # Every service's Api, for calls one service makes to another in-process (a REST API's
    # AWS integrations): the factory adds them once every service is built
    service_apis: ServiceApis = field(default_factory=_service_apis)

    def in_process(self, api: Api) -> InProcessApi:
        """Calls to `api` made inside the server (a resource provider's to its own service),
        authorized by the gateway's authorizer once the factory has built it."""
        from overcast.aws.authorizer import AllowAll
        from overcast.aws.in_process import InProcessApi

        auth = self.request_auth
        return InProcessApi(
            api,
            lambda: auth.authorizer if auth is not None else AllowAll(),
            self.settings.account_id,
            f"{self.settings.endpoint}/",
        )


def _nothing() -> None:
    return None


async def _nothing_async() -> None:
    return None


@dataclass(frozen=True)
class BuiltService:
    """A built service: the requests that are its, and its lifecycle.

    Requests reach it by:
    - `api`: its AWS API, served by the gateway (aws/gateway.py), which routes to it by
      its model's X-Amz-Target prefix, its SigV4 signing name, or its `paths`;
    - `front_doors`: requests that are not API calls (HTTP APIs' endpoints), claimed ahead
      of everything else; those also in `shortcut_doors` are answered off ASGI by the HTTP
      protocol itself (http/fast_http.py) when it can take the request whole;
    - `websocket_doors`: WebSocket handshakes (ASGI `websocket` scopes) they match.

    `senders` deliver to this service's ARNs (`sqs`: a queue), registered with the
    destinations. `start` runs once the engine and the async queue have started (it may
    need the running loop); `stop` runs before they stop, and `close` after (for stores
    that the queue's last deliveries still write to).
    """

    api: Api | None = None
    front_doors: tuple[FrontDoor, ...] = ()
    shortcut_doors: tuple[WholeFrontDoor, ...] = ()
    websocket_doors: tuple[FrontDoor, ...] = ()  # take ASGI `websocket` scopes they match
    senders: Mapping[str, Sender] = field(default_factory=dict)
    start: Callable[[], None] = _nothing
    stop: Callable[[], Awaitable[None]] = _nothing_async
    close: Callable[[], None] = _nothing

    def __post_init__(self) -> None:
        # The shortcut leaves some requests to ASGI (a pipelined one, `Expect: 100-continue`):
        # a door it takes must be there too.
        missing = [door for door in self.shortcut_doors if door not in self.front_doors]
        if missing:
            raise ValueError(f"shortcut doors that are not front doors: {missing}")


@dataclass(frozen=True)
class ServiceSpec:
    """One service as SERVICES lists it: `name` as boto3 names it (`boto3.client(name)`),
    and `build`, which makes it from the kernels. Its place in SERVICES is its start order;
    services stop in the reverse order."""

    name: str
    build: Callable[[Kernels], BuiltService] = field(repr=False)
