"""SQS as SERVICES lists it: its API on the gateway (X-Amz-Target `AmazonSQS`, or signed for
`sqs`), the `sqs` destination, and the pollers of Lambda's event source mappings that read
its queues."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.sqs import resources
    from overcast.services.sqs.api.service import sqs_api
    from overcast.services.sqs.pollers import RECHECK_S
    from overcast.services.sqs.service import QueueService

    settings, control = kernels.settings, kernels.control
    sqs = QueueService.build(
        settings.data_dir,
        settings.account_id,
        kernels.engine,
        control,
        control.event_invoke,
        control.event_source_mappings,  # the pollers poll with each function's role
        # --async-delay-scale shortens the role rechecks too (the tests' fast server)
        recheck_s=RECHECK_S * settings.async_delay_scale,
    )
    control.event_source_mappings.attach(sqs.pollers)
    api = sqs_api(sqs)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        senders={"sqs": sqs.broker.deliver},
        start=sqs.start,  # the engine has started by then: its pollers invoke functions
        stop=sqs.stop,
    )


SPEC = ServiceSpec("sqs", build)
