"""What Lambda's answers echo back, field by field, through boto3 against a running server.

Each expectation is Lambda's answer as recorded against AWS: Environment shown once given,
even empty; LoggingConfig with its defaults; a function created or updated with Publish shown
as the new version being created; a description-only change published as a new version;
a function URL's InvokeMode shown by Create/Update only once it was set.
"""

from __future__ import annotations

import pytest
from api_harness import ARN_PREFIX, create

from support import package


@pytest.fixture
def fn(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    return function_name


def updated(lambda_client, name: str, **change) -> dict:
    answer = lambda_client.update_function_configuration(FunctionName=name, **change)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    return answer


def test_environment_is_shown_once_given_even_empty(lambda_client, fn, function_name) -> None:
    assert "Environment" not in lambda_client.get_function_configuration(FunctionName=fn)
    other = f"{function_name}-env"
    created = create(lambda_client, other, Environment={"Variables": {}})
    assert created["Environment"] == {"Variables": {}}
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=other)
    got = lambda_client.get_function(FunctionName=other)["Configuration"]
    assert got["Environment"] == {"Variables": {}}
    assert updated(lambda_client, fn, Environment={"Variables": {}})["Environment"] == {
        "Variables": {}
    }


def test_logging_config_defaults(lambda_client, fn, function_name) -> None:
    group = f"/aws/lambda/{fn}"
    text = {"LogFormat": "Text", "LogGroup": group}
    assert lambda_client.get_function_configuration(FunctionName=fn)["LoggingConfig"] == text
    json_defaults = {**text, "LogFormat": "JSON", "ApplicationLogLevel": "INFO"}
    json_defaults["SystemLogLevel"] = "INFO"
    assert updated(lambda_client, fn, LoggingConfig={"LogFormat": "JSON"})["LoggingConfig"] == (
        json_defaults
    )
    assert lambda_client.get_function_configuration(FunctionName=fn)["LoggingConfig"] == (
        json_defaults
    )
    # Back to Text: the levels go.
    assert updated(lambda_client, fn, LoggingConfig={"LogFormat": "Text"})["LoggingConfig"] == (
        text
    )
    debug = updated(
        lambda_client, fn, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"}
    )
    assert debug["LoggingConfig"] == {**json_defaults, "ApplicationLogLevel": "DEBUG"}
    other = f"{function_name}-json"
    created = create(lambda_client, other, LoggingConfig={"LogFormat": "JSON"})
    assert created["LoggingConfig"] == {**json_defaults, "LogGroup": f"/aws/lambda/{other}"}


def test_create_with_publish_answers_the_version_being_created(
    lambda_client, function_name
) -> None:
    created = create(lambda_client, function_name, Publish=True)
    assert created["FunctionArn"] == f"{ARN_PREFIX}:{function_name}"
    assert created["Version"] == "1"
    assert (created["State"], created["StateReason"], created["StateReasonCode"]) == (
        "Pending",
        "The function is being created.",
        "Creating",
    )
    assert "LastUpdateStatus" not in created
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    version = lambda_client.get_function_configuration(FunctionName=function_name, Qualifier="1")
    assert version["FunctionArn"] == f"{ARN_PREFIX}:{function_name}:1"


def test_update_code_with_publish_answers_the_version_being_created(lambda_client, fn) -> None:
    answer = lambda_client.update_function_code(
        FunctionName=fn, ZipFile=package("def handler(e, c):\n    return 2\n"), Publish=True
    )
    assert (answer["Version"], answer["FunctionArn"]) == ("1", f"{ARN_PREFIX}:{fn}:1")
    assert (answer["State"], answer["StateReasonCode"]) == ("Pending", "Creating")
    assert "LastUpdateStatus" not in answer


def test_description_only_change_publishes_a_new_version(lambda_client, fn) -> None:
    first = lambda_client.publish_version(FunctionName=fn, Description="first published")
    assert first["Version"] == "1"
    # Nothing changed since: the same version, whatever Description is asked for.
    again = lambda_client.publish_version(FunctionName=fn, Description="other")
    assert (again["Version"], again["Description"]) == ("1", "first published")
    updated(lambda_client, fn, Description="second")
    second = lambda_client.publish_version(FunctionName=fn)
    assert (second["Version"], second["Description"]) == ("2", "second")
    assert lambda_client.publish_version(FunctionName=fn)["Version"] == "2"


def test_url_invoke_mode_is_echoed_once_set(lambda_client, fn) -> None:
    created = lambda_client.create_function_url_config(FunctionName=fn, AuthType="NONE")
    assert "InvokeMode" not in created
    assert lambda_client.get_function_url_config(FunctionName=fn)["InvokeMode"] == "BUFFERED"
    listed = lambda_client.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"]
    assert [c["InvokeMode"] for c in listed] == ["BUFFERED"]
    auth_only = lambda_client.update_function_url_config(FunctionName=fn, AuthType="AWS_IAM")
    assert "InvokeMode" not in auth_only
    streaming = lambda_client.update_function_url_config(
        FunctionName=fn, InvokeMode="RESPONSE_STREAM"
    )
    assert streaming["InvokeMode"] == "RESPONSE_STREAM"
    unchanged = lambda_client.update_function_url_config(FunctionName=fn)
    assert unchanged["InvokeMode"] == "RESPONSE_STREAM"
