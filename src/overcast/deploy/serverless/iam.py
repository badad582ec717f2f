"""The functions' shared execution role, IamRoleLambdaExecution, as the framework's
merge-iam-templates.js makes it: write access to the functions' log groups, then
`provider.iam.role.statements` (or the older `provider.iamRoleStatements`), then what the
functions and their events need (`stack.role_statements`), and the managed policies.

No role is made when the project names one of its own: `provider.iam.role` as an ARN, a name
or an intrinsic; `provider.role`; or a `role` on every function.
"""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.model import Service, Stack, TranslationError

ASSUME_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
        }
    ],
}
LOG_GROUP_ARN = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
VPC_POLICY = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        ],
    ]
}


def existing_role(role: Any) -> bool:
    """`provider.iam.role` naming a role made elsewhere (isExistingRoleProvided): a string, or
    an intrinsic (`Fn::GetAtt`, `Fn::ImportValue`...)."""
    return isinstance(role, str) or (isinstance(role, dict) and any("::" in key for key in role))


def custom_role(service: Service, config: dict[str, Any]) -> Any:
    """The role a function runs with when it is not IamRoleLambdaExecution
    (getCustomExecutionRole), else None."""
    if config.get("role"):
        return config["role"]
    role = (service.provider.get("iam") or {}).get("role")
    if existing_role(role):
        return role
    return service.provider.get("role")


def compile_role(stack: Stack, service: Service) -> None:
    if not service.functions:
        return
    iam_role = (service.provider.get("iam") or {}).get("role") or {}
    everyone_has_one = all("role" in config for config in service.functions.values())
    if existing_role(iam_role) or "role" in service.provider or everyone_has_one:
        if stack.role_statements:
            stack.notes.append(
                "the functions run with a role of the project's own: the permissions their "
                "events need are not added to it"
            )
        return
    if iam_role.get("mode") == "perFunction":
        raise TranslationError(
            "provider.iam.role.mode: perFunction roles are not supported yet; "
            "use the shared role (remove `mode`)"
        )
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": ASSUME_ROLE,
        "Policies": [
            {
                "PolicyName": {"Fn::Join": ["-", [service.name, service.stage, "lambda"]]},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": _statements(service)},
            }
        ],
        "Path": iam_role.get("path") or "/",
        "RoleName": iam_role.get("name") or _role_name(service),
    }
    if iam_role.get("tags"):
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in iam_role["tags"].items()]
    boundary = (
        iam_role.get("permissionsBoundary")
        or iam_role.get("permissionBoundary")
        or service.provider.get("rolePermissionsBoundary")
    )
    if boundary:
        properties["PermissionsBoundary"] = boundary
    statements = properties["Policies"][0]["PolicyDocument"]["Statement"]
    statements.extend(stack.role_statements)
    statements.extend(_per_function_statements(stack, service))
    policies = iam_role.get("managedPolicies") or service.provider.get("iamManagedPolicies")
    policies = list(policies or [])
    if service.provider.get("vpc") or any("vpc" in c for c in service.functions.values()):
        policies.append(VPC_POLICY)
    if policies:
        properties["ManagedPolicyArns"] = policies
    stack.add(naming.ROLE_LOGICAL_ID, "AWS::IAM::Role", properties)


def _role_name(service: Service) -> dict[str, Any]:
    return {"Fn::Join": ["-", [service.name, service.stage, {"Ref": "AWS::Region"}, "lambdaRole"]]}


def _statements(service: Service) -> list[dict[str, Any]]:
    """The log statements, then the project's own."""
    prefix = f"{service.name}-{service.stage}"
    create: list[Any] = []
    put: list[Any] = []
    canonical, silenced = False, []
    for key, config in service.functions.items():
        name = service.function_name(key)
        own_group = (config.get("logs") or {}).get("logGroup")
        if name.startswith(prefix) and not own_group:
            if config.get("disableLogs"):
                silenced.append(name)
            else:
                canonical = True
            continue
        group = own_group or naming.log_group_name(name)
        if not config.get("disableLogs") and {"Fn::Sub": f"{LOG_GROUP_ARN}{group}:*"} not in create:
            create.append({"Fn::Sub": f"{LOG_GROUP_ARN}{group}:*"})
            put.append({"Fn::Sub": f"{LOG_GROUP_ARN}{group}:*:*"})
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
            "Resource": create,
        },
        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": put},
    ]
    if canonical:
        group = naming.log_group_name(prefix)
        create.append({"Fn::Sub": f"{LOG_GROUP_ARN}{group}*:*"})
        put.append({"Fn::Sub": f"{LOG_GROUP_ARN}{group}*:*:*"})
        if silenced:
            denied = [{"Fn::Sub": f"{LOG_GROUP_ARN}{naming.log_group_name(n)}:*"} for n in silenced]
            statements.append({"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": denied})
    iam_role = (service.provider.get("iam") or {}).get("role") or {}
    statements.extend(iam_role.get("statements") or service.provider.get("iamRoleStatements") or [])
    return statements


def _per_function_statements(stack: Stack, service: Service) -> list[dict[str, Any]]:
    """Functions' own statements (`iamRoleStatements`, as serverless-iam-roles-per-function
    reads them, or v4's `iam.role.statements`): Overcast does not make a role per function
    yet, so they join the shared role (every function gets them), with a note."""
    found: list[dict[str, Any]] = []
    for key, config in service.functions.items():
        own = config.get("iamRoleStatements") or ((config.get("iam") or {}).get("role") or {}).get(
            "statements"
        )
        if own:
            found.extend(statement for statement in own if statement not in found)
            stack.notes.append(
                f"functions.{key}: its own IAM statements are added to the shared role "
                f"{naming.ROLE_LOGICAL_ID} (per-function roles are not made yet)"
            )
    return found
