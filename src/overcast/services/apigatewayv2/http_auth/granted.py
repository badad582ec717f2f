"""What an HTTP API's authorizer grants, and how the integration's event shows it
(`requestContext.authorizer`).

Payload 2.0 (HTTP API guide, "Working with AWS Lambda proxy integrations for HTTP APIs"):
`{"lambda": context}` after a Lambda authorizer, `{"jwt": {"claims": ..., "scopes": ...}}`
after a JWT authorizer. Payload 1.0 is REST-shaped: the Lambda authorizer's context with
`principalId` and `integrationLatency` (as REST APIs deliver it; unconfirmed for HTTP APIs),
or `{"claims": ..., "scopes": ...}` after a JWT authorizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Granted:
    kind: str  # "lambda" or "jwt"
    context: dict = field(default_factory=dict)  # a Lambda authorizer's context
    principal_id: str | None = None
    latency_ms: int = 0
    claims: dict = field(default_factory=dict)  # a JWT's claims, as strings
    scopes: list[str] | None = None

    def for_event(self, payload_format_version: str) -> dict:
        if self.kind == "jwt":
            jwt = {"claims": self.claims, "scopes": self.scopes}
            return jwt if payload_format_version == "1.0" else {"jwt": jwt}
        if payload_format_version != "1.0":
            return {"lambda": self.context}
        out = {**self.context, "integrationLatency": self.latency_ms}
        if self.principal_id is not None:
            out["principalId"] = self.principal_id
        return out
