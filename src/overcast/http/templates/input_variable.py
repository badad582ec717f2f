"""`$input`: the payload and the method request's parameters, as API Gateway's reference
describes them (api-gateway-mapping-template-reference):

- `$input.body`: the raw payload as a string; an empty payload reads as `{}` (API Gateway
  does so, whatever the content type).
- `$input.json(x)`: the JSONPath `x`'s result as a JSON string.
- `$input.path(x)`: the result as an object the template can walk (maps, lists, strings...).
- `$input.params()`: a map of all parameters, `path`, `querystring` and `header`;
  `$input.params(x)`: the value of the parameter named `x` from the path, the query string or
  the headers, searched in that order ("" when there is none).

A payload that is not JSON is, for JSONPath, a document that is one string: `$input.path('$')`
gives it whole (templates that read form posts rely on that) and other paths give null.
"""

from __future__ import annotations

from overcast.http.templates import jsonpath
from overcast.http.templates.errors import TemplateError
from overcast.http.templates.values import HostObject, parse_json, to_json, to_text

PARAMETER_KINDS = ("path", "querystring", "header")


class InputVariable(HostObject):
    java_class = "com.amazonaws.apigateway.InputVariable"

    def __init__(self, body: bytes, params: dict[str, dict[str, str]]) -> None:
        self.raw = body.decode("utf-8", errors="replace")
        self.params_by_kind = {kind: dict(params.get(kind) or {}) for kind in PARAMETER_KINDS}
        self._document: object = _UNPARSED

    def property(self, name: str) -> object:
        if name == "body":
            return self.body()
        return None

    def call(self, name: str, args: list[object]) -> object:
        if name == "body" and not args:
            return self.body()
        if name == "json" and len(args) == 1:
            return self.json(to_text(args[0]))
        if name == "path" and len(args) == 1:
            return self.path(to_text(args[0]))
        if name == "params" and not args:
            return self.params()
        if name == "params" and len(args) == 1:
            return self.param(to_text(args[0]))
        return None

    def body(self) -> str:
        return self.raw or "{}"

    def document(self) -> object:
        """The payload parsed as JSON once; a payload that is not JSON is a string."""
        if self._document is _UNPARSED:
            text = self.body()
            try:
                self._document = parse_json(text)
            except ValueError:
                self._document = text
        return self._document

    def path(self, expression: str) -> object:
        return jsonpath.evaluate(self.document(), expression or "$")

    def json(self, expression: str) -> str:
        found = self.path(expression)
        return to_json(found)

    def params(self) -> dict[str, dict[str, str]]:
        # A copy: a template that changes it changes nothing for the next one.
        return {kind: dict(values) for kind, values in self.params_by_kind.items()}

    def param(self, name: str) -> str:
        for kind in PARAMETER_KINDS:
            values = self.params_by_kind[kind]
            if name in values:
                return values[name]
        headers = self.params_by_kind["header"]
        lowered = name.lower()  # header names are case-insensitive in HTTP
        return next((v for k, v in headers.items() if k.lower() == lowered), "")


class _Unparsed:
    pass


_UNPARSED = _Unparsed()


def check_params(params: dict) -> None:
    """Parameters must be maps of strings (the data plane builds them; a wrong shape is a bug
    there, reported as a template error rather than a traceback mid-render)."""
    for kind in PARAMETER_KINDS:
        values = params.get(kind) or {}
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise TemplateError(f"$input.params().{kind} must map names to strings")
