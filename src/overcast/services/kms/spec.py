"""KMS as SERVICES lists it: its API on the gateway (X-Amz-Target `TrentService`), and its
keys registered with the kernels (`Kernels.keys`) for the services that encrypt at rest."""

from __future__ import annotations

import os

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.kms import resources
    from overcast.services.kms.aliases import AliasService
    from overcast.services.kms.api import Kms, kms_api
    from overcast.services.kms.crypto import Cryptography
    from overcast.services.kms.keys import KeyService
    from overcast.services.kms.master_key import MasterKey
    from overcast.services.kms.registry import KeyRegistry
    from overcast.services.kms.service_keys import ServiceKeys
    from overcast.services.kms.store import SqliteKeyStore

    settings = kernels.settings
    # A database of its own: services encrypt inside their own write transactions on
    # overcast.db, and the first use of an AWS managed key (alias/aws/...) creates it here.
    store = SqliteKeyStore(settings.data_dir / "kms.db")
    master = MasterKey(settings.master_key_file, settings.data_dir, os.environ)
    registry = KeyRegistry(store, master, settings.account_id)
    registry.load()
    keys = KeyService(registry)
    crypto = Cryptography(registry)
    kernels.keys.register(ServiceKeys(crypto, kernels.request_auth))
    api = kms_api(Kms(keys, AliasService(registry, keys), crypto))
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(api=api, close=store.close)


SPEC = ServiceSpec("kms", build)
