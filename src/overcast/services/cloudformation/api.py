"""CloudFormation's API (the `cloudformation` SigV4 service, the query protocol: `POST /`
with `Action=...`, answered in XML), as the gateway serves it. Each operation parses,
calls the stack or change set services once, and shapes the answer (descriptions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.paging import InvalidToken, decode_token, encode_token
from overcast.aws.protocols.query import QueryInputError
from overcast.aws.protocols.rest_json import service_model
from overcast.services.cloudformation import descriptions as shape
from overcast.services.cloudformation.access import cloudformation_access
from overcast.services.cloudformation.change_sets import ChangeSetService, execution_status
from overcast.services.cloudformation.errors import AccessDenied, ValidationError
from overcast.services.cloudformation.exports import exports, importers
from overcast.services.cloudformation.model import StackStatus
from overcast.services.cloudformation.stacks import StackRequest, StackService
from overcast.services.cloudformation.template import summary

OPERATIONS = Operations()
PAGE = 100


@dataclass
class CloudFormation:
    stacks: StackService
    change_sets: ChangeSetService


# --- stacks --------------------------------------------------------------------------------


@OPERATIONS("CreateStack")
def create_stack(cf: CloudFormation, call: Call) -> dict:
    stack_id = cf.stacks.create(_with_template(cf, call), call.region, call.context.identity)
    return {"StackId": stack_id}


@OPERATIONS("UpdateStack")
def update_stack(cf: CloudFormation, call: Call) -> dict:
    stack_id = cf.stacks.update(_with_template(cf, call), call.region, call.context.identity)
    return {"StackId": stack_id}


@OPERATIONS("DeleteStack")
def delete_stack(cf: CloudFormation, call: Call) -> None:
    cf.stacks.delete(call.params, call.region, call.context.identity)


@OPERATIONS("DescribeStacks")
def describe_stacks(cf: CloudFormation, call: Call) -> dict:
    name = call.params.get("StackName")
    if name:
        return {"Stacks": [shape.stack(cf.stacks.find(call.region, name))]}
    live = [s for s in cf.stacks.store.all(call.region) if s.status != StackStatus.DELETE_COMPLETE]
    chosen, token = _page(live, call.params.get("NextToken"))
    return {"Stacks": [shape.stack(s) for s in chosen], "NextToken": token}


@OPERATIONS("ListStacks")
def list_stacks(cf: CloudFormation, call: Call) -> dict:
    wanted = set(call.params.get("StackStatusFilter") or [])
    found = [s for s in cf.stacks.store.all(call.region) if not wanted or s.status in wanted]
    chosen, token = _page(found, call.params.get("NextToken"))
    return {"StackSummaries": [shape.stack_summary(s) for s in chosen], "NextToken": token}


@OPERATIONS("DescribeStackEvents")
def describe_stack_events(cf: CloudFormation, call: Call) -> dict:
    stack = cf.stacks.find(call.region, call.params["StackName"])
    events = cf.stacks.store.events(stack.stack_id)
    chosen, token = _page(events, call.params.get("NextToken"))
    return {"StackEvents": [shape.event(e) for e in chosen], "NextToken": token}


@OPERATIONS("DescribeStackResource")
def describe_stack_resource(cf: CloudFormation, call: Call) -> dict:
    stack = cf.stacks.find(call.region, call.params["StackName"])
    logical_id = call.params["LogicalResourceId"]
    found = stack.resources.get(logical_id)
    if found is None:
        raise ValidationError(f"Resource {logical_id} does not exist for stack {stack.name}")
    return {"StackResourceDetail": shape.resource_detail(stack, found)}


@OPERATIONS("DescribeStackResources")
def describe_stack_resources(cf: CloudFormation, call: Call) -> dict:
    p = call.params
    if p.get("StackName"):
        stack = cf.stacks.find(call.region, p["StackName"])
    elif p.get("PhysicalResourceId"):
        stack = _owner(cf, call.region, p["PhysicalResourceId"])
    else:
        raise ValidationError("Either StackName or PhysicalResourceId must be specified.")
    found = [
        r
        for r in stack.resources.values()
        if (not p.get("LogicalResourceId") or r.logical_id == p["LogicalResourceId"])
        and (not p.get("PhysicalResourceId") or r.physical_id == p["PhysicalResourceId"])
    ]
    return {"StackResources": [shape.resource(stack, r) for r in found]}


@OPERATIONS("ListStackResources")
def list_stack_resources(cf: CloudFormation, call: Call) -> dict:
    stack = cf.stacks.find(call.region, call.params["StackName"])
    chosen, token = _page(list(stack.resources.values()), call.params.get("NextToken"))
    return {
        "StackResourceSummaries": [shape.resource_summary(r) for r in chosen],
        "NextToken": token,
    }


@OPERATIONS("GetTemplate")
def get_template(cf: CloudFormation, call: Call) -> dict:
    p = call.params
    if p.get("ChangeSetName"):
        change_set = cf.change_sets.find(call.region, p["ChangeSetName"], p.get("StackName"))
        body, processed = change_set.template_body, change_set.template
    else:
        if not p.get("StackName"):
            raise ValidationError("StackName or ChangeSetName must be specified.")
        stack = cf.stacks.find(call.region, p["StackName"])
        body, processed = stack.template_body, stack.template
    stage = p.get("TemplateStage") or "Original"
    import json

    text = body if stage == "Original" else json.dumps(processed, indent=2)
    return {"TemplateBody": text, "StagesAvailable": ["Original", "Processed"]}


@OPERATIONS("GetTemplateSummary")
def get_template_summary(cf: CloudFormation, call: Call) -> dict:
    p = call.params
    if p.get("StackName"):
        stack = cf.stacks.find(call.region, p["StackName"])
        request = StackRequest(stack.template_body, [], [], None, None, None)
    else:
        request = StackRequest.of(_with_template(cf, call))
    plan = _plan_for_summary(cf, request, call)
    return summary(plan[0], plan[1])


@OPERATIONS("ValidateTemplate")
def validate_template(cf: CloudFormation, call: Call) -> dict:
    request = StackRequest.of(_with_template(cf, call))
    template, processed = _plan_for_summary(cf, request, call)
    found = summary(template, processed)
    parameters = [
        {
            "ParameterKey": p["ParameterKey"],
            "DefaultValue": p.get("DefaultValue"),
            "NoEcho": p.get("NoEcho", False),
            "Description": p.get("Description"),
        }
        for p in found.get("Parameters", [])
    ]
    return {
        "Parameters": parameters,
        "Description": found.get("Description"),
        "Capabilities": found.get("Capabilities"),
        "CapabilitiesReason": found.get("CapabilitiesReason"),
        "DeclaredTransforms": found.get("DeclaredTransforms"),
    }


@OPERATIONS("UpdateTerminationProtection")
def update_termination_protection(cf: CloudFormation, call: Call) -> dict:
    p = call.params
    stack_id = cf.stacks.set_termination_protection(
        call.region, p["StackName"], p["EnableTerminationProtection"]
    )
    return {"StackId": stack_id}


@OPERATIONS("ListExports")
def list_exports(cf: CloudFormation, call: Call) -> dict:
    found = list(exports(cf.stacks.store, call.region).values())
    chosen, token = _page(found, call.params.get("NextToken"))
    listed = [{"ExportingStackId": e.stack_id, "Name": e.name, "Value": e.value} for e in chosen]
    return {"Exports": listed, "NextToken": token}


@OPERATIONS("ListImports")
def list_imports(cf: CloudFormation, call: Call) -> dict:
    name = call.params["ExportName"]
    users = importers(cf.stacks.store, call.region, name)
    if not users:
        raise ValidationError(f"Export '{name}' is not imported by any stack.")
    chosen, token = _page(users, call.params.get("NextToken"))
    return {"Imports": chosen, "NextToken": token}


# --- change sets ---------------------------------------------------------------------------


@OPERATIONS("CreateChangeSet")
def create_change_set(cf: CloudFormation, call: Call) -> dict:
    return cf.change_sets.create(_with_template(cf, call), call.region, call.context.identity)


@OPERATIONS("DescribeChangeSet")
def describe_change_set(cf: CloudFormation, call: Call) -> dict:
    p = call.params
    found = cf.change_sets.find(call.region, p["ChangeSetName"], p.get("StackName"))
    stack = cf.stacks.store.get(found.stack_id)
    return shape.change_set(found, execution_status(found, stack))


@OPERATIONS("ExecuteChangeSet")
def execute_change_set(cf: CloudFormation, call: Call) -> dict:
    cf.change_sets.execute(call.params, call.region, call.context.identity)
    return {}


@OPERATIONS("DeleteChangeSet")
def delete_change_set(cf: CloudFormation, call: Call) -> dict:
    cf.change_sets.delete(call.params, call.region)
    return {}


@OPERATIONS("ListChangeSets")
def list_change_sets(cf: CloudFormation, call: Call) -> dict:
    found = cf.change_sets.listed(call.region, call.params["StackName"])
    stack = cf.stacks.store.get(found[0].stack_id) if found else None
    chosen, token = _page(found, call.params.get("NextToken"))
    return {
        "Summaries": [shape.change_set_summary(c, execution_status(c, stack)) for c in chosen],
        "NextToken": token,
    }


# --- helpers -------------------------------------------------------------------------------


def _with_template(cf: CloudFormation, call: Call) -> dict:
    """The request's input with its template's text as TemplateBody: read from S3 as the
    caller when it names a TemplateURL (template_locations.py)."""
    params = dict(call.params)
    templates = cf.stacks.templates
    if templates is None:
        return params
    body = templates.body_of(params, call.region, call.context.identity, call.context.base_url)
    params.pop("TemplateURL", None)
    if body is not None:
        params["TemplateBody"] = body
    return params


def _plan_for_summary(cf: CloudFormation, request: StackRequest, call: Call) -> tuple[dict, dict]:
    """The template as written and processed, for GetTemplateSummary and ValidateTemplate:
    read and transformed with the defaults of its parameters; its types checked."""
    from overcast.services.cloudformation.template import load, transform

    region = call.region
    if not request.body:
        raise ValidationError("Either Template URL or Template Body must be specified.")
    template = load(request.body)
    if not isinstance(template, dict):
        raise ValidationError("Template format error: not a valid template")
    defaults = {
        k: str(v.get("Default", ""))
        for k, v in (template.get("Parameters") or {}).items()
        if isinstance(v, dict)
    }
    processed = transform(
        template,
        parameters=defaults,
        region=region,
        account_id=cf.stacks.account_id,
        stack_name="validation",
        include=cf.stacks.include_reader(region, call.context.identity),
    )
    cf.stacks.planner.check_types(processed)
    return template, processed


def _owner(cf: CloudFormation, region: str, physical_id: str):  # noqa: ANN202 - a Stack
    for stack in cf.stacks.store.all(region):
        if stack.status == StackStatus.DELETE_COMPLETE:
            continue
        if any(r.physical_id == physical_id for r in stack.resources.values()):
            return stack
    raise ValidationError(f"Stack for {physical_id} does not exist")


def _page(items: list, token: str | None) -> tuple[list, str | None]:
    start = 0
    if token:
        try:
            start = decode_token(token)
        except InvalidToken:
            start = None
        if not isinstance(start, int) or start < 0:
            raise ValidationError("Invalid NextToken")
    following = start + PAGE
    return items[start:following], (encode_token(following) if following < len(items) else None)


def _in_cloudformations_words(error: ServiceError) -> ServiceError:
    """What the shared query wire and validation refuse, as CloudFormation words it."""
    if isinstance(error, QueryInputError):
        return ValidationError(error.message)
    if isinstance(error, protocol_errors.ValidationException):  # CloudFormation's ValidationError
        return ValidationError(error.message)
    if isinstance(error, protocol_errors.AccessDeniedException):
        return AccessDenied(error.message)
    return error


def cloudformation_api(cf: CloudFormation) -> Api:
    return Api(
        service_model("cloudformation"),
        OPERATIONS,
        cf,
        translate=_in_cloudformations_words,
        access=cloudformation_access,
    )
