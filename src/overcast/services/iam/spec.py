"""IAM as SERVICES lists it: its API (requests signed for `iam`, served by the gateway) over
`<data_dir>/iam.db`.

The authorizer and SigV4 verification reach IAM through `identity_sources(built)`: the
KeyRing of users' access keys and the Principals that say which policies apply to a caller.
Both are made once, with the service: STS (through the kernels' Identities) and the
authorizer share one Principals, and so one cache of what applies to whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from overcast.services.base import BuiltService, Kernels, ServiceSpec

if TYPE_CHECKING:
    from overcast.services.iam.access_keys import AccessKeyRing
    from overcast.services.iam.principals import Principals


@dataclass(frozen=True)
class IdentitySources:
    key_ring: AccessKeyRing
    principals: Principals


@dataclass(frozen=True, kw_only=True)
class BuiltIam(BuiltService):
    """IAM built: its API, and the identity sources made with it."""

    sources: IdentitySources


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.iam import resources
    from overcast.services.iam.access_keys import AccessKeyRing
    from overcast.services.iam.api import iam_api
    from overcast.services.iam.directory import Directory
    from overcast.services.iam.principals import Principals
    from overcast.services.iam.shared_roles import SharedRoles
    from overcast.services.iam.store import SqliteIamStore

    settings = kernels.settings
    store = SqliteIamStore(settings.data_dir / "iam.db")
    directory = Directory(store, settings.account_id)
    principals = Principals(directory)
    kernels.identities.register_roles(SharedRoles(directory, principals))  # STS assumes its roles
    api = iam_api(directory)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltIam(
        api=api,
        close=store.close,
        sources=IdentitySources(AccessKeyRing(directory), principals),
    )


def identity_sources(built: BuiltService) -> IdentitySources:
    """The key ring and principals of a built IAM service (the factory registers the ring
    with the request verifier's KeyRings, and hands the principals to the authorizer)."""
    assert isinstance(built, BuiltIam)
    return built.sources


SPEC = ServiceSpec("iam", build)
