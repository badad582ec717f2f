"""The function an API Gateway integration URI names, shared by REST, HTTP and WebSocket APIs."""

from overcast.http.lambda_uri import function_of, with_stage_variables

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:hello"
WRAPPED = f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{ARN}/invocations"


def test_a_bare_arn_or_the_invoke_path_names_the_function_and_its_region():
    assert function_of(ARN) == (ARN, "eu-west-1")
    assert function_of(WRAPPED) == (ARN, "eu-west-1")
    assert function_of(f"{ARN}:live") == (f"{ARN}:live", "eu-west-1")


def test_anything_else_names_no_function():
    assert function_of("https://example.com/") is None
    assert function_of(f"{ARN}/other") is None


def test_stage_variables_are_put_in_and_unset_ones_left_empty():
    text = "function:${stageVariables.fn}-${stageVariables.missing}"
    assert with_stage_variables(text, {"fn": "hello"}) == "function:hello-"
    assert with_stage_variables("plain", {"fn": "x"}) == "plain"
