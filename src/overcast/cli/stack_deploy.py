"""`overcast deploy template.yaml`: build, package and deploy a template in one command, as
`sam build && sam deploy --resolve-s3` would (no Docker).

The stack is created or updated through a change set with the capabilities SAM templates need
(CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND), each resource's progress is
printed as its events arrive, then the stack's outputs and the endpoints to call. Packages go
to one bucket per account and region (created if missing), as SAM's managed bucket does.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from overcast.cli import stack_view
from overcast.cli.artifacts import content_key, package_template, python_installer
from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
POLL_S = 0.1  # between DescribeChangeSet / DescribeStackEvents calls
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# CloudFormation's stack name: a letter, then letters, digits and hyphens, 128 at most.
STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")


def template_of(path: Path) -> Path | None:
    """The template `path` names: itself if it is a file that is not a .zip, else the first
    of template.yaml / template.yml / template.json in it; None for a folder without one."""
    if path.is_file():
        return None if path.suffix == ".zip" else path
    for name in TEMPLATE_NAMES:
        if (path / name).is_file():
            return path / name
    return None


def run(template_path: Path, args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.services.cloudformation.template import TemplateError, load

    try:
        template = load(template_path.read_text(encoding="utf-8"))
    except TemplateError as error:
        raise CommandError(f"{template_path}: {error.message}") from None
    name = args.stack_name or default_stack_name(template_path)
    overrides = parameter_overrides(args.parameter_overrides or [])
    return deploy_stack(template, template_path.parent, name, ctx, overrides)


def deploy_stack(
    template: dict,
    root: Path,
    name: str,
    ctx: CliContext,
    overrides: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> int:
    """Package the template's local artifacts (paths relative to `root`), create or update
    stack `name` through a change set, print its progress, then its outputs and endpoints.
    `tags` are the stack's own (CloudFormation propagates them to the resources it tags)."""
    upload = _uploader(ctx, name)
    installer = python_installer(ctx)
    packaged = package_template(template, root, upload, installer, ctx.err)
    cf = ctx.client("cloudformation")
    current = _stack(cf, name)
    if current is not None and current["StackStatus"] == "ROLLBACK_COMPLETE":
        # A failed first create can only be deleted (CloudFormation refuses to update it).
        ctx.err.write(f"{name} is ROLLBACK_COMPLETE: deleting it before creating it again\n")
        stack_view.delete_and_wait(cf, name, ctx)
        current = None
    change_set = _change_set(cf, name, packaged, overrides or {}, current, ctx.sleep, tags or {})
    if change_set is None:
        ctx.out.write(f"No changes to deploy. Stack {name} is up to date\n")
        stack_view.print_stack(ctx, name)
        return 0
    status = _execute(cf, name, change_set, ctx)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        reason = _stack(cf, name) or {}
        raise CommandError(f"{name}: {status}: {reason.get('StackStatusReason', 'see events')}")
    ctx.out.write(f"{status} {name}\n")
    stack_view.print_stack(ctx, name)
    return 0


def default_stack_name(template_path: Path) -> str:
    """The template's folder name made a valid stack name (`my_app` -> `my-app`)."""
    folder = template_path.resolve().parent.name
    cleaned = re.sub(r"[^-A-Za-z0-9]+", "-", folder).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"stack-{cleaned}".rstrip("-")
    return cleaned[:128]


def parameter_overrides(given: list[str]) -> dict[str, str]:
    """`K=V` pairs, or SAM's `ParameterKey=K,ParameterValue=V` form."""
    found = {}
    for item in given:
        if item.startswith("ParameterKey="):
            key_part, _, value_part = item.partition(",")
            key = key_part.removeprefix("ParameterKey=")
            if not value_part.startswith("ParameterValue="):
                raise CommandError(f"expected ParameterKey=K,ParameterValue=V, got {item!r}")
            found[key] = value_part.removeprefix("ParameterValue=")
            continue
        key, separator, value = item.partition("=")
        if not key or not separator:
            raise CommandError(f"--parameter-overrides: expected K=V, got {item!r}")
        found[key] = value
    return found


def _uploader(ctx: CliContext, stack_name: str):
    """Uploads a package once (keyed by its bytes) into the artifacts bucket, made on first use."""
    s3 = ctx.client("s3")
    bucket: list[str] = []

    def upload(data: bytes) -> tuple[str, str]:
        if not bucket:
            bucket.append(_artifact_bucket(ctx, s3))
        key = content_key(stack_name, data)
        try:
            s3.head_object(Bucket=bucket[0], Key=key)
        except Exception as error:
            if error_code(error) not in ("404", "NoSuchKey", "NotFound"):
                raise
            s3.put_object(Bucket=bucket[0], Key=key, Body=data)
        return bucket[0], key

    return upload


def _artifact_bucket(ctx: CliContext, s3: Any) -> str:
    account = ctx.client("sts").get_caller_identity()["Account"]
    name = f"overcast-artifacts-{account}-{ctx.region}"
    try:
        s3.head_bucket(Bucket=name)
    except Exception as error:
        if error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        options = {}
        if ctx.region != "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
            options["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        s3.create_bucket(Bucket=name, **options)
        ctx.err.write(f"created bucket {name} for packages\n")
    return name


def _stack(cf: Any, name: str) -> dict | None:
    try:
        return cf.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as error:
        if error_code(error) == "ValidationError":  # "Stack with id X does not exist"
            return None
        raise


def _change_set(
    cf: Any,
    name: str,
    template: dict,
    overrides: dict[str, str],
    current: dict | None,
    sleep: Callable[[float], None],
    tags: dict[str, str],
) -> str | None:
    """A change set made and ready to run (its id), None when it holds no change."""
    creating = current is None or current["StackStatus"] == "REVIEW_IN_PROGRESS"
    extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    made = cf.create_change_set(
        StackName=name,
        ChangeSetName=f"overcast-deploy-{int(time.time() * 1000)}",
        ChangeSetType="CREATE" if creating else "UPDATE",
        TemplateBody=json.dumps(template, separators=(",", ":")),
        Parameters=_parameters(template, overrides, None if creating else current),
        Capabilities=CAPABILITIES,
        **extra,
    )
    change_set = made["Id"]
    while True:
        described = cf.describe_change_set(ChangeSetName=change_set, StackName=name)
        if described["Status"] == "CREATE_COMPLETE":
            return change_set
        if described["Status"] == "FAILED":
            reason = described.get("StatusReason", "")
            if any(words in reason for words in NO_CHANGES):
                cf.delete_change_set(ChangeSetName=change_set, StackName=name)
                return None
            raise CommandError(f"the change set for {name} failed: {reason}")
        sleep(POLL_S)


def _parameters(template: dict, overrides: dict[str, str], current: dict | None) -> list[dict]:
    """Overrides as given; on an update, every other parameter the stack has keeps its value
    (as `aws cloudformation deploy` does), the rest take their defaults."""
    declared = template.get("Parameters") or {}
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise CommandError(f"--parameter-overrides: the template has no parameter {unknown[0]}")
    previous = {p["ParameterKey"] for p in (current or {}).get("Parameters", [])}
    listed = []
    for key in declared:
        if key in overrides:
            listed.append({"ParameterKey": key, "ParameterValue": overrides[key]})
        elif key in previous:
            listed.append({"ParameterKey": key, "UsePreviousValue": True})
    return listed


def _execute(cf: Any, name: str, change_set: str, ctx: CliContext) -> str:
    """Run the change set, printing each event as it arrives; the stack's final status."""
    # The newest page is enough to know where this operation's events start (newest first).
    latest = cf.describe_stack_events(StackName=name)["StackEvents"]
    seen = {event["EventId"] for event in latest}
    cf.execute_change_set(ChangeSetName=change_set, StackName=name)
    while True:
        status = cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        fresh = _new_events(cf, name, seen)
        for event in reversed(fresh):  # oldest first
            seen.add(event["EventId"])
            ctx.out.write(stack_view.event_line(event))
        ctx.out.flush()
        if not status.endswith("_IN_PROGRESS"):
            return status
        ctx.sleep(POLL_S)


def _new_events(cf: Any, name: str, seen: set[str]) -> list[dict]:
    """The stack's events not yet seen, newest first (pages read until a seen one)."""
    fresh: list[dict] = []
    token: str | None = None
    while True:
        page = cf.describe_stack_events(StackName=name, **({"NextToken": token} if token else {}))
        for event in page["StackEvents"]:
            if event["EventId"] in seen:
                return fresh
            fresh.append(event)
        token = page.get("NextToken")
        if not token:
            return fresh
