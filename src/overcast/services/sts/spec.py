"""STS as SERVICES lists it: its API over IAM's roles and the credential issuer, both read
through the kernels' `identities` (overcast/identities.py); it keeps no state of its own."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.sts.api import sts_api
    from overcast.services.sts.registry import Sts

    return BuiltService(api=sts_api(Sts(kernels.identities, kernels.settings.account_id)))


SPEC = ServiceSpec("sts", build)
