"""Request validators (REST API Developer Guide, "Request validation"): a method's validator
checks its required parameters (`method.request.{querystring,header,path}.NAME: true` in its
requestParameters) and its body against the model its requestModels names for the request's
Content-Type (else `$default`), a JSON Schema draft 4 document. Refusals: 400 `Missing
required request parameters: [a, b]` and 400 `Invalid request body`.

A model may refer to another of the API's models by URL
(`https://apigateway.amazonaws.com/restapis/<api>/models/<name>`); those are found among the
deployment's models.
"""

from __future__ import annotations

import json
import re

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from overcast.aws import json_document
from overcast.http.integration.mapping import media_type
from overcast.services.apigateway.deployed import DeployedStage
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.errors import BadRequestBody, BadRequestParameters

_MODEL_URL = re.compile(r"https?://apigateway\.amazonaws\.com/restapis/[^/]+/models/([^/#]+)")
KINDS = ("querystring", "header", "path")


class Validation:
    def __init__(self) -> None:
        self._validators: dict[tuple[int, str], tuple[DeployedStage, Draft4Validator]] = {}

    async def __call__(self, exchange: Exchange) -> None:
        method = exchange.route.method
        validator_id = method.get("requestValidatorId")
        if not validator_id:
            return
        validator = exchange.stage.validators.get(validator_id) or {}
        if validator.get("validateRequestParameters"):
            _check_parameters(exchange, method.get("requestParameters") or {})
        if validator.get("validateRequestBody"):
            self._check_body(exchange, method.get("requestModels") or {})

    def _check_body(self, exchange: Exchange, models: dict[str, str]) -> None:
        content_type = media_type(exchange.request.header_map.get("content-type"))
        name = models.get(content_type or "application/json") or models.get("$default")
        if not name:
            return
        validator = self._validator(exchange.stage, name)
        if validator is None:
            return
        try:
            body = json_document.loads(exchange.request.body or b"{}")
        except ValueError:
            raise BadRequestBody() from None
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        if errors:
            raise BadRequestBody()

    def _validator(self, stage: DeployedStage, name: str) -> Draft4Validator | None:
        key = (id(stage), name)
        cached = self._validators.get(key)
        if cached is not None and cached[0] is stage:
            return cached[1]
        model = stage.models.get(name)
        if model is None or not model.get("schema"):
            return None
        schema = json.loads(model["schema"])

        def retrieve(uri: str) -> Resource:
            found = _MODEL_URL.match(uri)
            referred = stage.models.get(found[1]) if found else None
            if referred is None or not referred.get("schema"):
                raise NoSuchResource(ref=uri)
            return Resource.from_contents(json.loads(referred["schema"]))

        validator = Draft4Validator(schema, registry=Registry(retrieve=retrieve))
        if len(self._validators) > 1000:
            self._validators.clear()
        self._validators[key] = (stage, validator)
        return validator


def _check_parameters(exchange: Exchange, parameters: dict[str, bool]) -> None:
    values = exchange.params()
    missing = []
    for source, required in parameters.items():
        prefix, _, name = source.rpartition(".")
        kind = prefix.removeprefix("method.request.")
        if not required or kind not in KINDS:
            continue
        value = values[kind].get(name.lower() if kind == "header" else name)
        if value is None or (kind == "header" and value == ""):
            missing.append(name)
    if missing:
        raise BadRequestParameters(f"Missing required request parameters: [{', '.join(missing)}]")
