"""What IAM's SimulatePrincipalPolicy / SimulateCustomPolicy answer for one action on one
resource: EvalDecision (`allowed`, `explicitDeny`, `implicitDeny`), the statements that
decided it with their positions in the policy text, the condition keys the request lacked,
and whether the permissions boundary allowed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from overcast.aws.policy.evaluation import (
    Decision,
    Outcome,
    PolicyType,
    Request,
    SourcePolicy,
    context_of,
    evaluate,
    sources_of,
)
from overcast.aws.policy.matching import action_matches, resource_matches

Position = tuple[int, int]  # (Line, Column), both from 1


@dataclass(frozen=True)
class MatchedStatement:
    source_policy_id: str
    source_policy_type: str
    start: Position
    end: Position


@dataclass(frozen=True)
class EvaluationResult:
    action: str
    resource: str
    decision: Outcome
    matched_statements: tuple[MatchedStatement, ...]
    missing_context_values: tuple[str, ...]
    allowed_by_boundary: bool | None  # None: no boundary applies


def simulate(request: Request) -> EvaluationResult:
    decision = evaluate(request)
    matched = tuple(
        MatchedStatement(
            match.source.id,
            match.source.type,
            *_position(match.source, match.statement.index),
        )
        for match in decision.matches
        if decision.outcome is not Outcome.IMPLICIT_DENY
    )
    return EvaluationResult(
        request.action,
        request.resource,
        decision.outcome,
        matched,
        _missing_keys(request),
        _boundary_allowed(request, decision),
    )


def _boundary_allowed(request: Request, decision: Decision) -> bool | None:
    if request.boundary is None:
        return None
    if decision.policy_type is PolicyType.BOUNDARY:
        return False
    if decision.outcome is Outcome.IMPLICIT_DENY and decision.policy_type in (
        PolicyType.IDENTITY,
        PolicyType.RESOURCE,
    ):
        # Evaluation stopped before the boundary: ask it alone.
        alone = evaluate(
            Request(
                request.identity,
                request.action,
                request.resource,
                request.context,
                identity_policies=(request.boundary,),
            )
        )
        return alone.allowed
    return True


def _missing_keys(request: Request) -> tuple[str, ...]:
    """Condition keys of statements that match the action and resource, absent from the
    request (SimulatePolicy's MissingContextValues)."""
    context = context_of(request)
    missing: dict[str, None] = {}
    for _, source in sources_of(request).all():
        variables = source.policy.variables
        for statement in source.policy.statements:
            if not action_matches(statement, request.action):
                continue
            if not resource_matches(statement, request.resource, variables, context):
                continue
            for condition in statement.conditions:
                if condition.key not in context:
                    missing[_original_case(source, condition.key)] = None
    return tuple(missing)


def _original_case(source: SourcePolicy, key: str) -> str:
    if source.text is None:
        return key
    lowered = source.text.lower()
    at = lowered.find(f'"{key}"')
    return source.text[at + 1 : at + 1 + len(key)] if at >= 0 else key


def _position(source: SourcePolicy, index: int) -> tuple[Position, Position]:
    spans = statement_spans(source.text) if source.text is not None else []
    if index >= len(spans):
        return (1, 1), (1, 1)
    start, end = spans[index]
    return _line_column(source.text, start), _line_column(source.text, end)


def _line_column(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def statement_spans(text: str) -> list[tuple[int, int]]:
    """Offsets (start, end) of each statement object in a valid policy document."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return []
    at = _skip(text, at + 1)
    while at < len(text) and text[at] != "}":
        key, at = decoder.raw_decode(text, at)
        at = _skip(text, _skip(text, at) + 1)  # past the colon
        start = at
        _, at = decoder.raw_decode(text, at)
        if key == "Statement":
            return _elements(text, start, at, decoder)
        at = _skip(text, at)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
    return []


def _elements(text: str, start: int, end: int, decoder: json.JSONDecoder) -> list[tuple[int, int]]:
    if text[start] == "{":
        return [(start, end)]
    spans = []
    at = _skip(text, start + 1)
    while at < end and text[at] != "]":
        _, after = decoder.raw_decode(text, at)
        spans.append((at, after))
        at = _skip(text, after)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
    return spans


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at
