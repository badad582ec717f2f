"""EventBridge's connection and API destination operations, added to the API of
services/events/api.py (which imports this module to register them)."""

from __future__ import annotations

from overcast.aws.errors import ValidationException
from overcast.aws.operations import Call
from overcast.services.events.api import OPERATIONS, EventBridge, without_none
from overcast.services.events.api_destinations import ApiDestination
from overcast.services.events.connections import Connection

# The parameters each authorization type needs in AuthParameters.
NEEDED = {
    "BASIC": "BasicAuthParameters",
    "API_KEY": "ApiKeyAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}

# --- connections ----------------------------------------------------------------------------


@OPERATIONS("CreateConnection")
def create_connection(events: EventBridge, call: Call) -> dict:
    body = call.params
    kind, auth = body["AuthorizationType"], body["AuthParameters"]
    if NEEDED[kind] not in auth:
        raise ValidationException(
            f"Parameter AuthParameters is not valid. Reason: {NEEDED[kind]} must be specified "
            f"for authorization type {kind}."
        )
    connection = events.connections.create(call.region, body["Name"], kind, auth, body)
    return _connection_state(connection, with_authorized=False)


@OPERATIONS("DescribeConnection")
def describe_connection(events: EventBridge, call: Call) -> dict:
    connection = events.connections.describe(call.region, call.params["Name"])
    shaped = {
        "ConnectionArn": connection.arn,
        "Name": connection.name,
        "Description": connection.description,
        "ConnectionState": connection.state,
        "StateReason": connection.state_reason,
        "AuthorizationType": connection.authorization_type,
        "KmsKeyIdentifier": connection.extra.get("KmsKeyIdentifier"),
        "AuthParameters": connection.public_auth(),
        "CreationTime": connection.created,
        "LastModifiedTime": connection.modified,
        "LastAuthorizedTime": connection.last_authorized,
    }
    return without_none(shaped)


@OPERATIONS("UpdateConnection")
def update_connection(events: EventBridge, call: Call) -> dict:
    connection = events.connections.update(call.region, call.params["Name"], call.params)
    return _connection_state(connection)


@OPERATIONS("DeleteConnection")
def delete_connection(events: EventBridge, call: Call) -> dict:
    return _connection_state(events.connections.delete(call.region, call.params["Name"]))


@OPERATIONS("DeauthorizeConnection")
def deauthorize_connection(events: EventBridge, call: Call) -> dict:
    return _connection_state(events.connections.deauthorize(call.region, call.params["Name"]))


@OPERATIONS("ListConnections")
def list_connections(events: EventBridge, call: Call) -> dict:
    body = call.params
    connections, token = events.connections.list(
        call.region,
        body.get("NamePrefix"),
        body.get("ConnectionState"),
        body.get("NextToken"),
        body.get("Limit"),
    )
    shaped = [
        without_none(
            {
                "ConnectionArn": connection.arn,
                "Name": connection.name,
                "ConnectionState": connection.state,
                "StateReason": connection.state_reason,
                "AuthorizationType": connection.authorization_type,
                "CreationTime": connection.created,
                "LastModifiedTime": connection.modified,
                "LastAuthorizedTime": connection.last_authorized,
            }
        )
        for connection in connections
    ]
    return without_none({"Connections": shaped, "NextToken": token})


def _connection_state(connection: Connection, with_authorized: bool = True) -> dict:
    shaped = {
        "ConnectionArn": connection.arn,
        "ConnectionState": connection.state,
        "CreationTime": connection.created,
        "LastModifiedTime": connection.modified,
        "LastAuthorizedTime": connection.last_authorized if with_authorized else None,
    }
    return without_none(shaped)


# --- API destinations -----------------------------------------------------------------------


@OPERATIONS("CreateApiDestination")
def create_api_destination(events: EventBridge, call: Call) -> dict:
    destination = events.api_destinations.create(call.region, call.params["Name"], call.params)
    return _destination_state(events, destination)


@OPERATIONS("DescribeApiDestination")
def describe_api_destination(events: EventBridge, call: Call) -> dict:
    destination = events.api_destinations.describe(call.region, call.params["Name"])
    return _destination(events, destination)


@OPERATIONS("UpdateApiDestination")
def update_api_destination(events: EventBridge, call: Call) -> dict:
    destination = events.api_destinations.update(call.region, call.params["Name"], call.params)
    return _destination_state(events, destination)


@OPERATIONS("DeleteApiDestination")
def delete_api_destination(events: EventBridge, call: Call) -> dict:
    events.api_destinations.delete(call.region, call.params["Name"])
    return {}


@OPERATIONS("ListApiDestinations")
def list_api_destinations(events: EventBridge, call: Call) -> dict:
    body = call.params
    destinations, token = events.api_destinations.list(
        call.region,
        body.get("NamePrefix"),
        body.get("ConnectionArn"),
        body.get("NextToken"),
        body.get("Limit"),
    )
    shaped = []
    for destination in destinations:
        entry = _destination(events, destination)
        entry.pop("Description", None)
        shaped.append(entry)
    return without_none({"ApiDestinations": shaped, "NextToken": token})


def _destination(events: EventBridge, destination: ApiDestination) -> dict:
    shaped = {
        "ApiDestinationArn": destination.arn,
        "Name": destination.name,
        "Description": destination.description,
        "ApiDestinationState": events.api_destinations.state(destination),
        "ConnectionArn": destination.connection_arn,
        "InvocationEndpoint": destination.endpoint,
        "HttpMethod": destination.http_method,
        "InvocationRateLimitPerSecond": destination.rate_per_s,
        "CreationTime": destination.created,
        "LastModifiedTime": destination.modified,
    }
    return without_none(shaped)


def _destination_state(events: EventBridge, destination: ApiDestination) -> dict:
    return {
        "ApiDestinationArn": destination.arn,
        "ApiDestinationState": events.api_destinations.state(destination),
        "CreationTime": destination.created,
        "LastModifiedTime": destination.modified,
    }
