"""A bucket's CORS configuration: its rules as PutBucketCors checks them, and how S3 finds
the rule a browser's request falls under and the headers it answers with.

S3 uses the first rule whose AllowedOrigin matches the request's Origin, whose
AllowedMethod holds the method (a preflight's Access-Control-Request-Method), and, for a
preflight, whose AllowedHeader entries match every header Access-Control-Request-Headers
names. An origin or header pattern may hold one `*` wildcard; names compare without case.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.s3.errors import InvalidRequest, MalformedXML

METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
MAX_RULES = 100
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@dataclass(frozen=True)
class CorsRule:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age: int | None = None
    id: str | None = None

    def to_dict(self) -> dict:
        """The rule as the model's CORSRule names its members (how it is kept, and answered
        by GetBucketCors)."""
        rule = {
            "ID": self.id,
            "AllowedHeaders": list(self.headers) or None,
            "AllowedMethods": list(self.methods),
            "AllowedOrigins": list(self.origins),
            "ExposeHeaders": list(self.expose) or None,
            "MaxAgeSeconds": self.max_age,
        }
        return {name: value for name, value in rule.items() if value is not None}

    @staticmethod
    def from_dict(rule: dict) -> CorsRule:
        return CorsRule(
            tuple(rule.get("AllowedOrigins") or ()),
            tuple(rule.get("AllowedMethods") or ()),
            tuple(rule.get("AllowedHeaders") or ()),
            tuple(rule.get("ExposeHeaders") or ()),
            rule.get("MaxAgeSeconds"),
            rule.get("ID"),
        )

    def allows(self, origin: str, method: str, headers: list[str]) -> bool:
        return (
            any(_matches(pattern, origin) for pattern in self.origins)
            and method in self.methods
            and all(any(_matches(p, h) for p in self.headers) for h in headers)
        )


def parse_rules(configuration: dict) -> tuple[CorsRule, ...]:
    """The rules of a PutBucketCors document, checked as S3 checks them."""
    rules = [CorsRule.from_dict(rule) for rule in configuration.get("CORSRules") or ()]
    if not rules or len(rules) > MAX_RULES:
        raise MalformedXML(MALFORMED)
    for rule in rules:
        if not rule.origins or not rule.methods:
            raise MalformedXML(MALFORMED)
        for method in rule.methods:
            if method not in METHODS:
                raise InvalidRequest(
                    f"Found unsupported HTTP method in CORS config. Unsupported method is {method}"
                )
        for kind, patterns in (("AllowedOrigin", rule.origins), ("AllowedHeader", rule.headers)):
            for pattern in patterns:
                if pattern.count("*") > 1:
                    raise InvalidRequest(f'{kind} "{pattern}" can not have more than one wildcard.')
    return tuple(rules)


def matching_rule(
    rules: tuple[CorsRule, ...], origin: str, method: str, headers: list[str] = ()
) -> CorsRule | None:
    return next((rule for rule in rules if rule.allows(origin, method, list(headers))), None)


def answer_headers(rule: CorsRule, origin: str, preflight: list[str] | None) -> dict[str, str]:
    """The Access-Control-* headers S3 answers a request its rule allows; `preflight` are
    the headers a preflight asked for (None for the request itself)."""
    anyone = "*" in rule.origins
    headers = {
        "Access-Control-Allow-Origin": "*" if anyone else origin,
        "Access-Control-Allow-Methods": ", ".join(rule.methods),
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }
    if not anyone:
        headers["Access-Control-Allow-Credentials"] = "true"
    if preflight:
        headers["Access-Control-Allow-Headers"] = ", ".join(preflight)
    if rule.expose:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.expose)
    if rule.max_age is not None:
        headers["Access-Control-Max-Age"] = str(rule.max_age)
    return headers


def requested_headers(header: str | None) -> list[str]:
    """Access-Control-Request-Headers as a list of lower-case names."""
    return [name.strip().lower() for name in (header or "").split(",") if name.strip()]


def _matches(pattern: str, value: str) -> bool:
    """A pattern with at most one `*` (any run of characters), without regard to case."""
    pattern, value = pattern.lower(), value.lower()
    if "*" not in pattern:
        return pattern == value
    head, _, tail = pattern.partition("*")
    return len(value) >= len(head) + len(tail) and value.startswith(head) and value.endswith(tail)
