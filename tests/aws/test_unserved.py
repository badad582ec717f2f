"""A request signed for a service Overcast does not serve gets an error its client can parse,
in that service's protocol, saying so (not Lambda's JSON 404, which a query client cannot read)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import RunningServer


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "InvalidAction"),  # query
        ("stepfunctions", lambda c: c.list_state_machines(), "UnknownOperationException"),
    ],
)
def test_an_unserved_service_is_named_in_its_own_protocol(
    server: RunningServer, service: str, call, code: str
) -> None:
    client = server.client(service)
    with pytest.raises(ClientError) as caught:
        call(client)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    signing_name = client.meta.service_model.signing_name  # Step Functions signs as `states`
    assert error["Message"].startswith(f"Overcast does not serve {signing_name}; this endpoint")
    assert "lambda" in error["Message"] and "s3" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
