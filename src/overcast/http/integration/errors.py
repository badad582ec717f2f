"""What can go wrong in a non-proxy integration, whichever API runs it.

A REST API answers each with its own gateway response (errors.refusal_of in
services/apigateway); a WebSocket API tells the client `Internal server error`. The shared
code raises these and leaves the wording to the door.
"""

from __future__ import annotations


class IntegrationProblem(Exception):
    """Raised when a non-proxy integration cannot give the backend's answer."""


class BadConfiguration(IntegrationProblem):
    """Raised when the integration as configured cannot run: a template that fails, a URI or
    role that names nothing usable, a reply no integration response fits (REST APIs' 500
    API_CONFIGURATION_ERROR)."""


class NoTemplateMatch(IntegrationProblem):
    """Raised when no request template fits and the passthrough behaviour forbids passing the
    body on as it is (REST APIs' 415 UNSUPPORTED_MEDIA_TYPE)."""


class BackendUnreachable(IntegrationProblem):
    """Raised when an HTTP endpoint cannot be reached (REST APIs' 504 INTEGRATION_FAILURE)."""


class BackendTimedOut(IntegrationProblem):
    """Raised when the backend does not answer within the integration's timeout (504
    INTEGRATION_TIMEOUT)."""
