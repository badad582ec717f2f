"""SSM Parameter Store as SERVICES lists it: its API on the gateway (X-Amz-Target
`AmazonSSM`). SecureStrings are sealed by KMS through the kernels' `Keys`. CloudFormation
reads its parameters through the kernels' parameter readers."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.ssm import resources
    from overcast.services.ssm.api import ssm_api
    from overcast.services.ssm.parameters import ParameterService
    from overcast.services.ssm.reader import SsmReader
    from overcast.services.ssm.store import SqliteParameterStore

    settings = kernels.settings
    keys = kernels.keys
    store = SqliteParameterStore(settings.data_dir / "overcast.db")
    api = ssm_api(ParameterService(store, keys, settings.account_id))
    kernels.parameters.register(SsmReader(kernels.in_process(api)))
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(api=api, close=store.close)


SPEC = ServiceSpec("ssm", build)
