"""IAM's spec: the identity sources are made once, with the service, and shared."""

from __future__ import annotations

from types import SimpleNamespace

from overcast.identities import Identities, Roles
from overcast.resource_providers import ResourceProviders
from overcast.services.iam.spec import build, identity_sources


class _RecordingIdentities(Identities):
    def register_roles(self, roles: Roles) -> None:
        self.registered = roles
        super().register_roles(roles)


def test_sts_and_the_authorizer_share_one_principals(tmp_path) -> None:
    identities = _RecordingIdentities()
    settings = SimpleNamespace(data_dir=tmp_path, account_id="123456789012")
    providers = ResourceProviders()
    kernels = SimpleNamespace(
        settings=settings,
        identities=identities,
        resource_providers=providers,
        in_process=lambda api: SimpleNamespace(api=api),
    )
    built = build(kernels)  # type: ignore[arg-type]
    try:
        sources = identity_sources(built)
        assert identity_sources(built) is sources  # the authorizer's and the key ring's
        assert identities.registered.principals is sources.principals  # type: ignore[attr-defined]
        # Its resource types are registered for CloudFormation, each calling IAM's own API.
        role = providers.get("AWS::IAM::Role")
        assert role is not None and role.calls.api.api is built.api  # type: ignore[attr-defined]
    finally:
        built.close()
