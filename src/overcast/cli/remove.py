"""`overcast remove`: delete the stack of the serverless.yml service in the current folder, as
`serverless remove` does (lib/plugins/aws/remove/): the objects the framework put in the stack's
own deployment bucket first (CloudFormation cannot delete a bucket that holds any), then the
stack, its progress printed until it is gone."""

from __future__ import annotations

import argparse
from typing import Any

from overcast.cli import serverless_service, stack_view
from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "remove",
        parents=parents,
        help="delete the stack of the serverless.yml service in this folder",
        description="As `serverless remove`: empty the service's ServerlessDeploymentBucket "
        "of the framework's objects, delete the stack <service>-<stage> (provider.stackName "
        "if set) and wait until it is gone.",
    )
    serverless_service.add_options(parser)
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    started = ctx.clock()
    service, ctx = serverless_service.load(args, ctx)
    name = service.stack_name
    cf = ctx.client("cloudformation")
    ctx.out.write(f'Removing "{service.name}" from stage "{service.stage}" ({service.region})\n')
    if not stack_exists(cf, name):
        raise CommandError(f"Stack with id {name} does not exist")
    bucket = deployment_bucket(cf, name)
    if bucket is not None:
        prefix = f"{service.provider.get('deploymentPrefix', 'serverless')}/{service.name}/"
        removed = empty(ctx.client("s3"), bucket, f"{prefix}{service.stage}")
        if removed:
            ctx.out.write(f"Removed {removed} object(s) from S3 bucket {bucket}\n")
    stack_view.delete_and_wait(cf, name, ctx)
    elapsed = int(ctx.clock() - started)
    ctx.out.write(f"Service {service.name} has been successfully removed ({elapsed}s)\n")
    return 0


def stack_exists(cf: Any, name: str) -> bool:
    try:
        cf.describe_stacks(StackName=name)
    except Exception as error:
        if error_code(error) == "ValidationError":  # "Stack with id X does not exist"
            return False
        raise
    return True


def deployment_bucket(cf: Any, stack: str) -> str | None:
    """The physical name of the stack's ServerlessDeploymentBucket, None when it has none."""
    from overcast.deploy.serverless.naming import DEPLOYMENT_BUCKET_LOGICAL_ID

    try:
        described = cf.describe_stack_resource(
            StackName=stack, LogicalResourceId=DEPLOYMENT_BUCKET_LOGICAL_ID
        )
    except Exception as error:
        if error_code(error) == "ValidationError":  # "Resource ... does not exist for stack"
            return None
        raise
    return described["StackResourceDetail"].get("PhysicalResourceId") or None


def empty(s3: Any, bucket: str, prefix: str) -> int:
    """Delete the objects under `prefix` (the framework's `serverless/<service>/<stage>`, as
    bucket.js lists them); how many. A bucket already gone holds nothing."""
    removed = 0
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if not keys:
                continue
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            if answer.get("Errors"):
                code = answer["Errors"][0].get("Code", "Error")
                raise CommandError(
                    f"Could not empty the S3 deployment bucket ({bucket}). "
                    f"First encountered S3 error code: {code}"
                )
            removed += len(keys)
    except Exception as error:
        if error_code(error) in ("NoSuchBucket", "404"):
            return removed
        raise
    return removed
