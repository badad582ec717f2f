"""SNS as SERVICES lists it: requests signed for `sns`, the subscription links a subscriber
follows (`GET /?Action=ConfirmSubscription...`, unsigned), and the `sns` destination."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.sns.api import SnsApi, SubscriberLinks, Topics
    from overcast.services.sns.fanout import Fanout
    from overcast.services.sns.notification import Urls
    from overcast.services.sns.publisher import Publisher
    from overcast.services.sns.registry import Registry
    from overcast.services.sns.store import SqliteTopicStore
    from overcast.services.sns.subscriptions import SubscriptionService
    from overcast.services.sns.topics import TopicService

    settings = kernels.settings
    store = SqliteTopicStore(settings.data_dir / "topics.db")
    registry = Registry(store, settings.account_id)
    fanout = Fanout(
        registry,
        kernels.queue,
        kernels.control,
        kernels.destinations,
        Urls(settings.endpoint),
        delay_scale=settings.async_delay_scale,
    )
    publisher = Publisher(registry, fanout.submit)
    topics = Topics(
        TopicService(registry), SubscriptionService(registry, fanout.confirm), publisher
    )
    api = SnsApi(topics, settings.default_region)

    async def stop() -> None:
        await fanout.stop()
        store.close()

    return BuiltService(
        signed={"sns": api.handle},
        front_doors=(SubscriberLinks(api),),
        senders={"sns": publisher.send},
        start=fanout.start,
        stop=stop,
    )


SPEC = ServiceSpec("sns", build)
