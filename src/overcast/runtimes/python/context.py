"""The context object a Python handler receives, with the attributes Lambda's runtime gives it."""

import json
import os
import time


class CognitoIdentity:
    def __init__(self, identity=None):
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, client):
        self.installation_id = client.get("installation_id")
        self.app_title = client.get("app_title")
        self.app_version_name = client.get("app_version_name")
        self.app_version_code = client.get("app_version_code")
        self.app_package_name = client.get("app_package_name")


class ClientContext:
    def __init__(self, context):
        client = context.get("client")
        self.client = Client(client) if client is not None else None
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext:
    """What `handler(event, context)` gets: per-invocation values plus the environment's."""

    # The environment's own values, the same for every invocation: read once (`configure`).
    function_name = None
    function_version = None
    memory_limit_in_mb = None  # a string, as Lambda gives it
    log_group_name = None
    log_stream_name = None

    @classmethod
    def configure(cls):
        cls.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        cls.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        cls.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        cls.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        cls.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context=None, identity=None):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.identity = CognitoIdentity(identity)
        self.client_context = ClientContext(json.loads(client_context)) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        # Lambda's context.log writes straight to the function's log.
        os.write(1, str(message).encode("utf-8", "replace"))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )
