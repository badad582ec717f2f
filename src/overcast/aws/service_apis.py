"""Every service's `Api` by the name its endpoints and ARNs use (`sqs`, `dynamodb`,
`events`...), for calls one service makes to another inside the server (a REST API's AWS
integration sending an SQS message): the factory adds each built service's Api once all are
built, so a service may hold this before the others exist."""

from __future__ import annotations

from overcast.aws.gateway import Api


class ServiceApis:
    def __init__(self) -> None:
        self._apis: dict[str, Api] = {}

    def add(self, api: Api) -> None:
        for name in (api.model.endpoint_prefix, api.signing_name):
            self._apis.setdefault(name, api)

    def get(self, name: str) -> Api | None:
        """The Api of the service `name` (an endpoint prefix or signing name), if served."""
        return self._apis.get(name)
