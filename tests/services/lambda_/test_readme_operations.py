"""The README's table of Lambda operations is the one the model and the registry make, and it
is true on the wire: every operation it says is answered reaches its handler, every one it
says is refused gets 404 UnknownOperationException."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import Shape

from overcast.aws.protocols.rest_json import service_model
from overcast.services.lambda_.api.invoke import INVOKE_ROUTE
from overcast.services.lambda_.api.invoke_stream import STREAM_PATH
from overcast.services.lambda_.api.operation_table import (
    OWN_PATHS,
    answered,
    block_in,
    table,
)
from overcast.services.lambda_.api.rest import OPERATIONS

README = Path(__file__).parents[3] / "README.md"
MODEL = service_model("lambda")
NOTHING = "readme-ops-none"  # no function, layer or alias of this name exists
DUMMIES = {
    "string": NOTHING,
    "integer": 1,
    "long": 1,
    "float": 1.0,
    "double": 1.0,
    "boolean": False,
    "blob": b"",
    "list": [],
    "map": {},
    "structure": {},
}


def test_the_readme_has_the_table_the_model_and_registry_make() -> None:
    assert block_in(README.read_text()) == table(), (
        "README.md's Lambda operation table is stale: run "
        "`python -m overcast.services.lambda_.api.operation_table README.md`"
    )


def test_every_handler_is_for_an_operation_of_the_model() -> None:
    assert set(OPERATIONS) <= set(MODEL.operation_names)
    assert OWN_PATHS <= set(MODEL.operation_names)
    assert not OWN_PATHS & set(OPERATIONS)


def test_invoke_and_its_stream_take_the_paths_the_model_gives_them() -> None:
    for name, route in (("Invoke", INVOKE_ROUTE), ("InvokeWithResponseStream", STREAM_PATH)):
        uri = MODEL.operation_model(name).http["requestUri"]
        assert route.fullmatch(re.sub(r"\{[^}]+\}", NOTHING, uri)), name


def call(client, operation: str) -> tuple[str, str, int]:
    """The operation, its required members filled with values naming nothing that exists:
    (error code, message, status) of its answer; ("", "", status) when it succeeded (some
    deletes answer 204 for what is not there, as on AWS)."""
    shape = MODEL.operation_model(operation).input_shape
    params = {} if shape is None else {m: dummy(shape.members[m]) for m in shape.required_members}
    try:
        response = getattr(client, xform_name(operation))(**params)
    except ClientError as exc:
        error = exc.response["Error"]
        return (
            error["Code"],
            error.get("Message", ""),
            exc.response["ResponseMetadata"]["HTTPStatusCode"],
        )
    return "", "", response["ResponseMetadata"]["HTTPStatusCode"]


def dummy(shape: Shape) -> object:
    if shape.type_name == "timestamp":
        return datetime.now(UTC)
    return DUMMIES[shape.type_name]


def test_on_the_wire_answered_means_answered_and_refused_means_refused(server) -> None:
    client = server.client("lambda", parameter_validation=False)
    for operation in MODEL.operation_names:
        code, message, status = call(client, operation)
        if operation in answered():
            assert code != "UnknownOperationException", (operation, message)
        else:
            assert (code, status) == ("UnknownOperationException", 404), (operation, message)
            assert message == f"The {operation} operation is not supported by this Overcast server"
