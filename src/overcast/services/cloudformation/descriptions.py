"""Stacks, resources, events and change sets in the shapes of CloudFormation's API
(botocore's `cloudformation` model: Stack, StackSummary, StackResource, StackResourceDetail,
StackResourceSummary, StackEvent, DescribeChangeSetOutput, ChangeSetSummary)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from overcast.services.cloudformation.model import ChangeSet, Event, Resource, Stack

MASK = "****"  # a NoEcho parameter's value, as DescribeStacks shows it
SSM_TYPE = "AWS::SSM::Parameter::Value<"


def at(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None


def parameters(
    given: dict, no_echo: list[str], template: dict | None = None, values: dict | None = None
) -> list[dict]:
    """Each parameter as given; an SSM-typed one's value from SSM as its ResolvedValue."""
    declared = (template or {}).get("Parameters") or {}
    shown = []
    for key, value in given.items():
        entry = {"ParameterKey": key, "ParameterValue": MASK if key in no_echo else value}
        kind = str((declared.get(key) or {}).get("Type", ""))
        if kind.startswith(SSM_TYPE) and values and key in values:
            found = values[key]
            text = ",".join(found) if isinstance(found, list) else str(found)
            entry["ResolvedValue"] = MASK if key in no_echo else text
        shown.append(entry)
    return shown


def stack(s: Stack) -> dict:
    out: dict = {
        "StackId": s.stack_id,
        "StackName": s.name,
        "ChangeSetId": s.change_set_id,
        "Description": s.description,
        "Parameters": parameters(s.parameters, s.no_echo, s.template, s.values),
        "CreationTime": at(s.created),
        "DeletionTime": at(s.deleted),
        "LastUpdatedTime": at(s.updated),
        "StackStatus": s.status,
        "StackStatusReason": s.reason,
        "DisableRollback": s.disable_rollback,
        "NotificationARNs": s.notification_arns,
        "TimeoutInMinutes": s.timeout_minutes,
        "Capabilities": s.capabilities or None,
        "Outputs": s.outputs or None,
        "RoleARN": s.role_arn,
        "Tags": s.tags,
        "EnableTerminationProtection": s.termination_protection,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
    }
    return out


def stack_summary(s: Stack) -> dict:
    return {
        "StackId": s.stack_id,
        "StackName": s.name,
        "TemplateDescription": s.description,
        "CreationTime": at(s.created),
        "LastUpdatedTime": at(s.updated),
        "DeletionTime": at(s.deleted),
        "StackStatus": s.status,
        "StackStatusReason": s.reason,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
    }


def resource(s: Stack, r: Resource) -> dict:
    return {
        "StackName": s.name,
        "StackId": s.stack_id,
        "LogicalResourceId": r.logical_id,
        "PhysicalResourceId": r.physical_id,
        "ResourceType": r.resource_type,
        "Timestamp": at(r.updated),
        "ResourceStatus": r.status,
        "ResourceStatusReason": r.reason,
        "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"},
    }


def resource_detail(s: Stack, r: Resource) -> dict:
    detail = resource(s, r)
    detail.pop("Timestamp")
    detail["LastUpdatedTimestamp"] = at(r.updated)
    metadata = ((s.template.get("Resources") or {}).get(r.logical_id) or {}).get("Metadata")
    if metadata is not None:
        detail["Metadata"] = json.dumps(metadata)
    return detail


def resource_summary(r: Resource) -> dict:
    return {
        "LogicalResourceId": r.logical_id,
        "PhysicalResourceId": r.physical_id,
        "ResourceType": r.resource_type,
        "LastUpdatedTimestamp": at(r.updated),
        "ResourceStatus": r.status,
        "ResourceStatusReason": r.reason,
        "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"},
    }


def event(e: Event) -> dict:
    return {
        "StackId": e.stack_id,
        "EventId": e.event_id,
        "StackName": e.stack_name,
        "LogicalResourceId": e.logical_id,
        "PhysicalResourceId": e.physical_id,
        "ResourceType": e.resource_type,
        "Timestamp": at(e.timestamp),
        "ResourceStatus": e.status,
        "ResourceStatusReason": e.reason,
        "ResourceProperties": json.dumps(e.properties) if e.properties else None,
        "ClientRequestToken": e.token,
    }


def change_set(c: ChangeSet, execution_status: str) -> dict:
    return {
        "ChangeSetName": c.name,
        "ChangeSetId": c.change_set_id,
        "StackId": c.stack_id,
        "StackName": c.stack_name,
        "Description": c.description,
        "Parameters": parameters(c.parameters, c.no_echo) or None,
        "CreationTime": at(c.created),
        "ExecutionStatus": execution_status,
        "Status": c.status,
        "StatusReason": c.reason,
        "NotificationARNs": c.notification_arns or None,
        "Capabilities": c.capabilities or None,
        "Tags": c.tags or None,
        "Changes": c.changes,
        "IncludeNestedStacks": False,
    }


def change_set_summary(c: ChangeSet, execution_status: str) -> dict:
    return {
        "StackId": c.stack_id,
        "StackName": c.stack_name,
        "ChangeSetId": c.change_set_id,
        "ChangeSetName": c.name,
        "ExecutionStatus": execution_status,
        "Status": c.status,
        "StatusReason": c.reason,
        "CreationTime": at(c.created),
        "Description": c.description,
        "IncludeNestedStacks": False,
    }
