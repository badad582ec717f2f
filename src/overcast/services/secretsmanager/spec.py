"""Secrets Manager as SERVICES lists it: its API on the gateway (X-Amz-Target
`secretsmanager`), and the rotator that invokes rotation functions through Lambda's control
plane and engine. Values are sealed by KMS through the kernels' `Keys`. CloudFormation reads
secrets through the kernels' parameter readers."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.secretsmanager import resources
    from overcast.services.secretsmanager.api import SecretsManager, secretsmanager_api
    from overcast.services.secretsmanager.reader import SecretsReader
    from overcast.services.secretsmanager.rotation import Rotator
    from overcast.services.secretsmanager.rotation_schedule import RotationSchedule
    from overcast.services.secretsmanager.store import SqliteSecretStore
    from overcast.services.secretsmanager.vault import SecretVault

    settings = kernels.settings
    keys = kernels.keys
    store = SqliteSecretStore(settings.data_dir / "overcast.db")
    vault = SecretVault(store, keys, settings.account_id)

    def rotated(region: str, secret_arn: str) -> None:
        def stamp(doc: dict) -> None:
            # A finished rotation leaves AWSPENDING on no version (the function moved
            # AWSCURRENT to it; Secrets Manager takes the pending label off).
            for version in doc["versions"].values():
                if "AWSPENDING" in version["stages"] and "AWSCURRENT" in version["stages"]:
                    version["stages"].remove("AWSPENDING")
            doc["rotation"] = {**(doc["rotation"] or {}), "last": vault.clock()}

        vault.change(region, secret_arn, stamp)

    # Rotation functions are invoked only where their policy lets Secrets Manager invoke them.
    rotator = Rotator(kernels.control, kernels.engine, kernels.control.invoke_permissions, rotated)
    schedule = RotationSchedule(vault, rotator.start)

    async def stop() -> None:
        await schedule.stop()
        await rotator.stop()

    api = secretsmanager_api(SecretsManager(vault, rotator))
    kernels.parameters.register_secrets(SecretsReader(kernels.in_process(api)))
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        start=schedule.begin,
        stop=stop,
        close=store.close,
    )


SPEC = ServiceSpec("secretsmanager", build)
