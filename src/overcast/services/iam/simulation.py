"""IAM's policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and the two
GetContextKeysFor*Policy. Each action is evaluated on each resource (`*` unless
ResourceArns are given) by the policy package's evaluation (aws/policy/simulate.py), with
the principal's policies, the policies given as strings, the permissions boundary and the
resource policy; the context is the simulated caller's keys and the ContextEntries.

As IAM answers: a result for a named resource carries `EvalDecisionDetails` (empty within
one account) and `ResourceSpecificResults`; one for `*` carries neither ("If the simulation
... specifies all resources (*), then the parameter is not returned").
"""

from __future__ import annotations

from collections.abc import Sequence

from overcast.aws.credentials import Identity
from overcast.aws.operations import Call
from overcast.aws.policy.evaluation import Request, SourcePolicy
from overcast.aws.policy.simulate import EvaluationResult, MatchedStatement, simulate
from overcast.services.iam.directory import Directory
from overcast.services.iam.errors import InvalidInput
from overcast.services.iam.listing import page
from overcast.services.iam.registry import operation
from overcast.services.iam.simulation_input import (
    caller,
    caller_keys,
    context_entries,
    entity_policies,
    existing,
    given,
    managed_source,
    resource_policy,
)

ALL_RESOURCES = "*"


@operation("SimulatePrincipalPolicy")
def simulate_principal_policy(iam: Directory, call: Call) -> dict:
    p = call.params
    with iam.reading():
        entity = existing(iam, p["PolicySourceArn"])
        identities, boundary_arn = entity_policies(iam, entity)
        boundary = managed_source(iam, boundary_arn) if boundary_arn else None
        identity = caller(iam, p.get("CallerArn", entity.arn))
    identities += given(p.get("PolicyInputList", []), "PolicyInputList")
    # A boundary given in the request replaces the entity's own (the API reference).
    boundary = _given_boundary(p) or boundary
    return _simulation(p, identity, identities, boundary, organizations=True)


@operation("SimulateCustomPolicy")
def simulate_custom_policy(iam: Directory, call: Call) -> dict:
    p = call.params
    if "ResourcePolicy" in p and "CallerArn" not in p:
        # "CallerArn is required if you include a ResourcePolicy" (the API reference).
        raise InvalidInput("CallerArn is required when a ResourcePolicy is specified.")
    with iam.reading():
        identity = caller(iam, p["CallerArn"]) if "CallerArn" in p else None
    identities = given(p["PolicyInputList"], "PolicyInputList")
    return _simulation(p, identity, identities, _given_boundary(p), organizations=False)


def _given_boundary(params: dict) -> SourcePolicy | None:
    texts = params.get("PermissionsBoundaryPolicyInputList", [])
    if len(texts) > 1:
        raise InvalidInput("The list of Permissions Boundary policies cannot exceed 1 items.")
    found = given(texts, "PermissionsBoundaryPolicyInputList")
    return found[0] if found else None


def _simulation(
    params: dict,
    identity: Identity | None,
    identities: Sequence[SourcePolicy],
    boundary: SourcePolicy | None,
    *,
    organizations: bool,
) -> dict:
    resource = resource_policy(params.get("ResourcePolicy"))
    context = dict(caller_keys(identity)) if identity is not None else {}
    context.update(context_entries(params.get("ContextEntries", [])))
    # No CallerArn for a custom policy: the policies are evaluated for a caller no
    # resource policy names, that brings no keys of its own.
    who = identity or Identity("", "", "")
    pairs = [
        (action, arn)
        for action in params["ActionNames"]
        for arn in params.get("ResourceArns") or [ALL_RESOURCES]
    ]
    numbered = [(f"{n:08d}", pair) for n, pair in enumerate(pairs)]
    listed = page(numbered, lambda item: item[0], params, "EvaluationResults")
    results = []
    for _, (action, arn) in listed["EvaluationResults"]:  # type: ignore[union-attr]
        request = Request(
            who,
            action,
            arn,
            context,
            identity_policies=tuple(identities),
            resource_policy=resource,
            boundary=boundary,
            session_policies=(),
            context_given=True,
        )
        results.append(_result_view(simulate(request), organizations))
    listed["EvaluationResults"] = results
    return listed


def _result_view(result: EvaluationResult, organizations: bool) -> dict:
    view: dict = {
        "EvalActionName": result.action,
        "EvalResourceName": result.resource,
        "EvalDecision": result.decision.value,
        "MatchedStatements": [_statement_view(m) for m in result.matched_statements],
        "MissingContextValues": list(result.missing_context_values),
    }
    if organizations:  # the account is in no organization that limits it
        view["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": True}
    boundary = _boundary_detail(result)
    view.update(boundary)
    if result.resource != ALL_RESOURCES:
        view["EvalDecisionDetails"] = {}
        view["ResourceSpecificResults"] = [
            {
                "EvalResourceName": result.resource,
                "EvalResourceDecision": result.decision.value,
                "MatchedStatements": view["MatchedStatements"],
                "MissingContextValues": view["MissingContextValues"],
                "EvalDecisionDetails": {},
                **boundary,
            }
        ]
    return view


def _boundary_detail(result: EvaluationResult) -> dict:
    if result.allowed_by_boundary is None:
        return {}
    allowed = result.allowed_by_boundary
    return {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": allowed}}


def _statement_view(matched: MatchedStatement) -> dict:
    (start_line, start_column), (end_line, end_column) = matched.start, matched.end
    return {
        "SourcePolicyId": matched.source_policy_id,
        "SourcePolicyType": matched.source_policy_type,
        "StartPosition": {"Line": start_line, "Column": start_column},
        "EndPosition": {"Line": end_line, "Column": end_column},
    }


# --- the condition keys the policies use ---------------------------------------------------


@operation("GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(iam: Directory, call: Call) -> dict:
    with iam.reading():
        entity = existing(iam, call.params["PolicySourceArn"])
        sources, _ = entity_policies(iam, entity)
    sources += given(call.params.get("PolicyInputList", []), "PolicyInputList")
    return {"ContextKeyNames": context_keys(sources)}


@operation("GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(iam: Directory, call: Call) -> dict:
    return {"ContextKeyNames": context_keys(given(call.params["PolicyInputList"], "x"))}


def context_keys(sources: Sequence[SourcePolicy]) -> list[str]:
    """Each condition key the policies' Condition blocks name, once, as first written."""
    keys: dict[str, str] = {}
    for source in sources:
        for statement in source.policy.statements:
            for condition in statement.conditions:
                keys.setdefault(condition.key, _as_written(source.text, condition.key))
    return list(keys.values())


def _as_written(text: str | None, key: str) -> str:
    if text is None:
        return key
    at = text.lower().find(f'"{key}"')
    return text[at + 1 : at + 1 + len(key)] if at >= 0 else key
