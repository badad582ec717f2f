"""Every AWS service Overcast serves besides Lambda, one line each (services/base.py).

SERVICES is in start order: a service starts after those it delivers to and stops before
them (the factory stops them in reverse), so no delivery reaches a stopped service. All of
them start after Lambda's engine and async queue, and stop before those.
"""

from __future__ import annotations

from overcast.services.apigateway.spec import SPEC as APIGATEWAY
from overcast.services.apigatewayv2.spec import SPEC as APIGATEWAYV2
from overcast.services.base import ServiceSpec
from overcast.services.cloudcontrol.spec import SPEC as CLOUDCONTROL
from overcast.services.cloudformation.spec import SPEC as CLOUDFORMATION
from overcast.services.dynamodb.spec import SPEC as DYNAMODB
from overcast.services.dynamodbstreams.spec import SPEC as DYNAMODBSTREAMS
from overcast.services.events.spec import SPEC as EVENTS
from overcast.services.iam.spec import SPEC as IAM
from overcast.services.kinesis.spec import SPEC as KINESIS
from overcast.services.kms.spec import SPEC as KMS
from overcast.services.logs.spec import SPEC as LOGS
from overcast.services.s3.spec import SPEC as S3
from overcast.services.scheduler.spec import SPEC as SCHEDULER
from overcast.services.secretsmanager.spec import SPEC as SECRETSMANAGER
from overcast.services.sns.spec import SPEC as SNS
from overcast.services.sqs.spec import SPEC as SQS
from overcast.services.ssm.spec import SPEC as SSM
from overcast.services.sts.spec import SPEC as STS

SERVICES: tuple[ServiceSpec, ...] = (
    KMS,  # delivers to nothing; its keys are registered before any other service is built
    IAM,  # delivers to nothing; the authorizer reads it
    STS,  # assumes IAM's roles (through the kernels' identities)
    # REST APIs' endpoints claim their APIs' hosts (`<id>.execute-api.*`) ahead of HTTP APIs'
    # front door, which answers every other such host
    APIGATEWAY,
    APIGATEWAYV2,  # its HTTP APIs' endpoints are claimed ahead of SNS's subscriber links
    LOGS,
    SQS,  # receives from SNS, EventBridge, S3 (and Lambda's destinations)
    SNS,  # receives from EventBridge and S3
    EVENTS,
    S3,
    SSM,
    SECRETSMANAGER,
    DYNAMODB,  # delivers to nothing; writes its streams' records
    DYNAMODBSTREAMS,  # reads DynamoDB's streams (after it: DynamoDB creates their tables)
    KINESIS,  # delivers to nothing (Lambda's stream mappings read its shards)
    SCHEDULER,  # invokes functions, queues, topics and buses through their APIs
    CLOUDCONTROL,  # reads the others' resources through their APIs when asked; delivers to nothing
    CLOUDFORMATION,  # last: every other service has registered its resource providers
)
