"""SNS as SERVICES lists it: its API (requests signed for `sns`, served by the gateway), the
subscription links a subscriber follows (`GET /?Action=ConfirmSubscription...`, unsigned),
the certificate its messages' signatures are checked with (`GET /SimpleNotificationService-
....pem`, unsigned), and the `sns` destination."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.sns import resources
    from overcast.services.sns.api import SigningCertificate, SubscriberLinks, Topics, sns_api
    from overcast.services.sns.fanout import Fanout
    from overcast.services.sns.notification import Urls
    from overcast.services.sns.publisher import Publisher
    from overcast.services.sns.registry import Registry
    from overcast.services.sns.signing import FILE_NAME, Signer
    from overcast.services.sns.store import SqliteTopicStore
    from overcast.services.sns.subscriptions import SubscriptionService
    from overcast.services.sns.topics import TopicService

    settings = kernels.settings
    store = SqliteTopicStore(settings.data_dir / "topics.db")
    registry = Registry(store, settings.account_id)
    signer = Signer(settings.data_dir / FILE_NAME)
    fanout = Fanout(
        registry,
        kernels.queue,
        kernels.control,
        kernels.destinations,
        Urls(settings.endpoint, signer),
        delay_scale=settings.async_delay_scale,
        permissions=kernels.control.invoke_permissions,
    )
    publisher = Publisher(registry, fanout.submit, fanout.outbox)
    topics = Topics(TopicService(registry), SubscriptionService(registry, fanout), publisher)
    api = sns_api(topics)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)

    async def stop() -> None:
        await fanout.stop()
        store.close()

    return BuiltService(
        api=api,
        front_doors=(
            SubscriberLinks(api, settings.default_region, settings.account_id),
            SigningCertificate(signer),
        ),
        senders={"sns": publisher.send},
        start=fanout.start,
        stop=stop,
    )


SPEC = ServiceSpec("sns", build)
