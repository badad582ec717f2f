"""IAM as SERVICES lists it: its API (requests signed for `iam`, served by the gateway) over
`<data_dir>/iam.db`.

The authorizer and SigV4 verification reach IAM through `identity_sources(built)`: the
KeyRing of users' access keys and the Principals that say which policies apply to a caller.
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


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.iam.api import iam_api
    from overcast.services.iam.directory import Directory
    from overcast.services.iam.store import SqliteIamStore

    settings = kernels.settings
    store = SqliteIamStore(settings.data_dir / "iam.db")
    directory = Directory(store, settings.account_id)
    return BuiltService(api=iam_api(directory), close=store.close)


def identity_sources(built: BuiltService) -> IdentitySources:
    """The key ring and principals of a built IAM service (the factory registers the ring
    with the request verifier's KeyRings, and hands the principals to the authorizer)."""
    from overcast.services.iam.access_keys import AccessKeyRing
    from overcast.services.iam.directory import Directory
    from overcast.services.iam.principals import Principals

    assert built.api is not None and isinstance(built.api.backend, Directory)
    directory = built.api.backend
    return IdentitySources(AccessKeyRing(directory), Principals(directory))


SPEC = ServiceSpec("iam", build)
