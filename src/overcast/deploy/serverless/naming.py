"""The framework's names for what it compiles (lib/plugins/aws/lib/naming.js), so a stack
deployed here has the logical ids, names and outputs the same project has on AWS."""

from __future__ import annotations

import re


def normalize_name(name: str) -> str:
    """naming.js normalizeName: the first letter upper-cased."""
    return name[:1].upper() + name[1:]


def normalize_name_to_alphanumeric(name: str) -> str:
    """naming.js normalizeNameToAlphaNumericOnly."""
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", name))


def normalize_path_part(part: str) -> str:
    """naming.js normalizePathPart: `user-id` -> `UserDashid`, `{id}` -> `IdVar`."""
    text = part[:1].upper() + part[1:].lower()  # lodash capitalize
    text = text.replace("-", "Dash")
    text = re.sub(r"\{(.*)\}", r"\1Var", text)
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", text))


def function_id(key: str) -> str:
    """naming.js getNormalizedFunctionName: `-` -> Dash, `_` -> Underscore, first letter up."""
    return normalize_name(key.replace("-", "Dash").replace("_", "Underscore"))


def function_logical_id(key: str) -> str:
    """`hello` -> `HelloLambdaFunction`."""
    return f"{function_id(key)}LambdaFunction"


def log_group_logical_id(key: str) -> str:
    return f"{function_id(key)}LogGroup"


ROLE_LOGICAL_ID = "IamRoleLambdaExecution"


# Asynchronous events (events/sqs.py, sns.py, s3.py, schedule.py, event_bridge.py, stream.py)


def queue_mapping_logical_id(key: str, queue_name: str) -> str:
    """getQueueLogicalId: `HelloEventSourceMappingSQSMyQueue`."""
    return f"{function_id(key)}EventSourceMappingSQS{normalize_name_to_alphanumeric(queue_name)}"


def topic_logical_id(topic_name: str) -> str:
    """getTopicLogicalId: `SNSTopicMytopic`."""
    return f"SNSTopic{normalize_name_to_alphanumeric(topic_name)}"


def topic_dlq_policy_logical_id(key: str, topic_name: str) -> str:
    """getTopicDLQPolicyLogicalId: `MytopicToHelloDLQPolicy`."""
    return f"{normalize_name_to_alphanumeric(topic_name)}To{function_id(key)}DLQPolicy"


def sns_permission_logical_id(key: str, topic_name: str) -> str:
    """getLambdaSnsPermissionLogicalId: `HelloLambdaPermissionMytopicSNS`."""
    return f"{function_id(key)}LambdaPermission{normalize_name_to_alphanumeric(topic_name)}SNS"


def sns_subscription_logical_id(key: str, topic_name: str) -> str:
    """getLambdaSnsSubscriptionLogicalId: `HelloSnsSubscriptionMytopic`."""
    return f"{function_id(key)}SnsSubscription{normalize_name_to_alphanumeric(topic_name)}"


def bucket_logical_id(bucket_name: str) -> str:
    """getBucketLogicalId: `S3BucketMybucket` (dots and dashes dropped)."""
    return f"S3Bucket{normalize_name_to_alphanumeric(bucket_name)}"


def s3_permission_logical_id(key: str, bucket_name: str) -> str:
    """getLambdaS3PermissionLogicalId: `HelloLambdaPermissionMybucketS3`."""
    return f"{function_id(key)}LambdaPermission{normalize_name_to_alphanumeric(bucket_name)}S3"


def custom_s3_logical_id(key: str) -> str:
    """getCustomResourceS3ResourceLogicalId: `HelloCustomS31` (the 1 kept for compatibility)."""
    return f"{function_id(key)}CustomS31"


def schedule_rule_logical_id(key: str, number: int) -> str:
    """getScheduleLogicalId: `HelloEventsRuleSchedule1`."""
    return f"{function_id(key)}EventsRuleSchedule{number}"


def scheduler_schedule_logical_id(key: str, number: int) -> str:
    """getSchedulerScheduleLogicalId: `HelloSchedulerSchedule1`."""
    return f"{function_id(key)}SchedulerSchedule{number}"


def schedule_permission_logical_id(key: str, number: int) -> str:
    """getLambdaSchedulePermissionLogicalId: `HelloLambdaPermissionEventsRuleSchedule1`."""
    return f"{function_id(key)}LambdaPermissionEventsRuleSchedule{number}"


def stream_mapping_logical_id(key: str, stream_type: str, stream_name: str) -> str:
    """getStreamLogicalId: `HelloEventSourceMappingDynamodbUsers`."""
    name = normalize_name_to_alphanumeric(stream_name)
    return f"{function_id(key)}EventSourceMapping{normalize_name(stream_type)}{name}"


def event_bus_logical_id(bus_name: str) -> str:
    """getEventBridgeEventBusLogicalId: `MyDashbusEventBridgeEventBus`."""
    return f"{function_id(bus_name)}EventBridgeEventBus"


def event_bridge_rule_logical_id(rule_name: str) -> str:
    """getEventBridgeRuleLogicalId: `Notesdevhellorule1EventBridgeRule`."""
    return f"{normalize_name_to_alphanumeric(rule_name)}EventBridgeRule"


def event_bridge_permission_logical_id(key: str, index: int) -> str:
    """getEventBridgeLambdaPermissionLogicalId: `HelloEventBridgeLambdaPermission1`."""
    return f"{function_id(key)}EventBridgeLambdaPermission{index}"
