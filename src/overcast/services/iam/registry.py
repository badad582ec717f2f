"""IAM's operations table: each noun's module (users.py, roles.py, ...) registers its
handlers here with `OPERATIONS("CreateUser")`. Their answers' policy documents are
URL-encoded on the way out (documents.encoded), as IAM sends them."""

from __future__ import annotations

import functools
from collections.abc import Callable

from overcast.aws.operations import Call, Operations
from overcast.services.iam.directory import Directory
from overcast.services.iam.documents import encoded

OPERATIONS = Operations()
Handler = Callable[[Directory, Call], dict | None]


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for `name`, its answer's documents encoded as IAM answers them."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(iam: Directory, call: Call) -> dict | None:
            return encoded(call.operation.output_shape, handler(iam, call))  # type: ignore[return-value]

        OPERATIONS(name)(run)
        return handler

    return register
