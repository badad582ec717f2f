"""Stand-ins for boto3's `lambda` and `logs` clients, handed to the CLI as its client factory.

They answer like Overcast would, raise botocore's real ClientError, and record the calls made.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from botocore.exceptions import ClientError


def client_error(code: str, message: str, operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def not_found(name: str) -> ClientError:
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    return client_error("ResourceNotFoundException", f"Function not found: {arn}")


class StubWaiter:
    def __init__(self, name: str, calls: list) -> None:
        self.name, self.calls = name, calls

    def wait(self, **kwargs: object) -> None:
        self.calls.append((f"wait:{self.name}", kwargs))


class StubPaginator:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages

    def paginate(self, **_: object):
        return iter(self.pages)


@dataclass
class StubLambda:
    functions: dict[str, dict] = field(default_factory=dict)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    invoke_response: dict = field(default_factory=dict)
    page_size: int = 2

    def get_function_configuration(self, FunctionName: str, **kwargs: object) -> dict:
        self.calls.append(("get_function_configuration", {"FunctionName": FunctionName, **kwargs}))
        if FunctionName not in self.functions:
            raise not_found(FunctionName)
        version = kwargs.get("Qualifier", "$LATEST")
        return {**self.functions[FunctionName], "Version": version}

    def create_function(self, **kwargs: object) -> dict:
        self.calls.append(("create_function", kwargs))
        name = kwargs["FunctionName"]
        self.functions[name] = {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
            "Runtime": kwargs["Runtime"],
            "Handler": kwargs["Handler"],
            "MemorySize": kwargs["MemorySize"],
            "Timeout": kwargs["Timeout"],
            "CodeSha256": "c29tZS1zaGE=",
            "State": "Active",
            "LastModified": "2026-11-23T10:04:05.123+0000",
        }
        return {**self.functions[name], "Version": "1" if kwargs.get("Publish") else "$LATEST"}

    def update_function_configuration(self, **kwargs: object) -> dict:
        self.calls.append(("update_function_configuration", kwargs))
        self.functions[kwargs["FunctionName"]].update(
            {k: v for k, v in kwargs.items() if k != "FunctionName"}
        )
        return {**self.functions[kwargs["FunctionName"]], "Version": "$LATEST"}

    def update_function_code(self, **kwargs: object) -> dict:
        self.calls.append(("update_function_code", kwargs))
        function = self.functions[kwargs["FunctionName"]]
        return {**function, "Version": "2" if kwargs.get("Publish") else "$LATEST"}

    def get_waiter(self, name: str) -> StubWaiter:
        return StubWaiter(name, self.calls)

    def invoke(self, **kwargs: object) -> dict:
        self.calls.append(("invoke", kwargs))
        if kwargs["FunctionName"] not in self.functions:
            raise not_found(str(kwargs["FunctionName"]))
        response = {"StatusCode": 200, **self.invoke_response}
        response["Payload"] = io.BytesIO(response.get("Payload", b"null"))
        return response

    def get_paginator(self, name: str) -> StubPaginator:
        if name == "list_event_source_mappings":
            return StubPaginator([{"EventSourceMappings": []}])
        assert name == "list_functions"
        functions = list(self.functions.values())
        pages = [
            {"Functions": functions[i : i + self.page_size]}
            for i in range(0, max(len(functions), 1), self.page_size)
        ]
        return StubPaginator(pages)

    def delete_function(self, FunctionName: str) -> dict:
        self.calls.append(("delete_function", {"FunctionName": FunctionName}))
        if self.functions.pop(FunctionName, None) is None:
            raise not_found(FunctionName)
        return {}


@dataclass
class StubLogs:
    """filter_log_events over a list of events, a page at a time, as the real API pages."""

    events: list[dict] = field(default_factory=list)
    groups: set[str] = field(default_factory=set)
    page_size: int = 2
    calls: list[dict] = field(default_factory=list)

    def add(self, group: str, timestamp: int, message: str) -> None:
        self.groups.add(group)
        event_id = f"{len(self.events):08d}"
        self.events.append(
            {"timestamp": timestamp, "message": message, "eventId": event_id, "group": group}
        )

    def filter_log_events(self, logGroupName: str, **kwargs: object) -> dict:
        self.calls.append({"logGroupName": logGroupName, **kwargs})
        if logGroupName not in self.groups:
            raise client_error(
                "ResourceNotFoundException", "The specified log group does not exist."
            )
        start = kwargs.get("startTime", 0)
        matching = sorted(
            (e for e in self.events if e["group"] == logGroupName and e["timestamp"] >= start),
            key=lambda e: e["timestamp"],
        )
        offset = int(kwargs.get("nextToken", 0))
        page = matching[offset : offset + self.page_size]
        answer: dict = {"events": page}
        if offset + self.page_size < len(matching):
            answer["nextToken"] = str(offset + self.page_size)
        return answer


class StubNoTriggers:
    """events, apigatewayv2, sns and s3 where nothing points at any function (`overcast rm`)."""

    def get_paginator(self, name: str) -> StubPaginator:
        return StubPaginator([{}])

    def list_event_buses(self, **_: object) -> dict:
        return {"EventBuses": [{"Name": "default"}]}

    def list_buckets(self) -> dict:
        return {"Buckets": []}


@dataclass
class StubIam:
    """IAM's roles, as far as `overcast deploy`'s default role needs them."""

    roles: dict[str, dict] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=dict)

    def get_role(self, RoleName: str) -> dict:
        if RoleName not in self.roles:
            raise client_error("NoSuchEntity", f"The role with name {RoleName} cannot be found.")
        return {"Role": self.roles[RoleName]}

    def create_role(self, RoleName: str, AssumeRolePolicyDocument: str, **_: object) -> dict:
        arn = f"arn:aws:iam::000000000000:role/{RoleName}"
        self.roles[RoleName] = {"RoleName": RoleName, "Arn": arn, "Trust": AssumeRolePolicyDocument}
        return {"Role": self.roles[RoleName]}

    def attach_role_policy(self, RoleName: str, PolicyArn: str) -> dict:
        self.attached.setdefault(RoleName, []).append(PolicyArn)
        return {}


@dataclass
class Clients:
    """The client factory: `main(argv, client_factory=clients)`."""

    lambda_: StubLambda = field(default_factory=StubLambda)
    logs: StubLogs = field(default_factory=StubLogs)
    iam: StubIam = field(default_factory=StubIam)
    others: dict[str, object] = field(default_factory=dict)  # any other service's stub
    made: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, service: str, endpoint_url: str, region: str):
        self.made.append((service, endpoint_url, region))
        clients = {"lambda": self.lambda_, "logs": self.logs, "iam": self.iam, **self.others}
        return clients.get(service, StubNoTriggers())


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(argv: list[str], clients: Clients | None = None) -> Result:
    """Run `overcast ARGV` in-process against stub clients, capturing its output."""
    from overcast.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main(argv, client_factory=clients or Clients(), out=out, err=err)
    return Result(code, out.getvalue(), err.getvalue())


@dataclass
class StubCloudFormation:
    """Stacks by name, as far as `overcast info` / `remove` read them: outputs, a few physical
    ids, and a delete that completes at once (with the events CloudFormation would write)."""

    stacks: dict[str, dict] = field(default_factory=dict)
    calls: list[tuple[str, dict]] = field(default_factory=list)

    def add(self, name: str, outputs: dict[str, str], resources: dict[str, str] | None = None):
        self.stacks[name] = {
            "StackName": name,
            "StackId": f"arn:aws:cloudformation:us-east-1:000000000000:stack/{name}/1",
            "StackStatus": "CREATE_COMPLETE",
            "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            "resources": resources or {},
            "events": [],
        }

    def _find(self, name_or_id: str) -> dict:
        for stack in self.stacks.values():
            if name_or_id in (stack["StackName"], stack["StackId"]):
                if name_or_id == stack["StackId"] or stack["StackStatus"] != "DELETE_COMPLETE":
                    return stack
        raise client_error("ValidationError", f"Stack with id {name_or_id} does not exist")

    def describe_stacks(self, StackName: str) -> dict:
        self.calls.append(("describe_stacks", {"StackName": StackName}))
        stack = self._find(StackName)
        shown = {k: v for k, v in stack.items() if k not in ("resources", "events")}
        return {"Stacks": [shown]}

    def describe_stack_resource(self, StackName: str, LogicalResourceId: str) -> dict:
        stack = self._find(StackName)
        if LogicalResourceId not in stack["resources"]:
            raise client_error(
                "ValidationError", f"Resource {LogicalResourceId} does not exist for stack"
            )
        physical = stack["resources"][LogicalResourceId]
        return {"StackResourceDetail": {"PhysicalResourceId": physical}}

    def describe_stack_events(self, StackName: str) -> dict:
        return {"StackEvents": list(reversed(self._find(StackName)["events"]))}

    def delete_stack(self, StackName: str) -> dict:
        import datetime

        self.calls.append(("delete_stack", {"StackName": StackName}))
        stack = self._find(StackName)
        stack["StackStatus"] = "DELETE_COMPLETE"
        stack["events"].append(
            {
                "EventId": str(len(stack["events"])),
                "Timestamp": datetime.datetime(2026, 1, 1, 12, 0, 1),
                "ResourceStatus": "DELETE_COMPLETE",
                "ResourceType": "AWS::CloudFormation::Stack",
                "LogicalResourceId": stack["StackName"],
            }
        )
        return {}


@dataclass
class StubS3:
    """Buckets of keys: list_objects_v2 pages and delete_objects."""

    buckets: dict[str, set[str]] = field(default_factory=dict)

    def get_paginator(self, name: str) -> StubS3:
        assert name == "list_objects_v2"
        return self

    def paginate(self, Bucket: str, Prefix: str = "") -> list[dict]:
        if Bucket not in self.buckets:
            raise client_error("NoSuchBucket", "The specified bucket does not exist")
        keys = sorted(k for k in self.buckets[Bucket] if k.startswith(Prefix))
        return [{"Contents": [{"Key": key}]} for key in keys] or [{"KeyCount": 0}]

    def delete_objects(self, Bucket: str, Delete: dict) -> dict:
        for item in Delete["Objects"]:
            self.buckets[Bucket].discard(item["Key"])
        return {}
