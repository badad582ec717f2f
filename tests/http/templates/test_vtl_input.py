"""`$input`: body, json(), path(), params(), as AWS's mapping template reference shows them."""

from __future__ import annotations

import json

import pytest
from vtl_support import vtl

from overcast.http.templates import TemplateError

PETS = b"""[
  {"id": 1, "type": "dog", "price": 249.99},
  {"id": 2, "type": "cat", "price": 124.99},
  {"id": 3, "type": "fish", "price": 0.99}
]"""


def test_the_petstore_example_of_aws_s_reference() -> None:
    # The "Mapping template example" of API Gateway's developer guide (models-mappings).
    template = """#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]"""
    out = vtl(template, body=PETS)
    assert json.loads(out) == [
        {"description": "Item 1 is a dog.", "askingPrice": 249.99},
        {"description": "Item 2 is a cat.", "askingPrice": 124.99},
        {"description": "Item 3 is a fish.", "askingPrice": 0.99},
    ]


def test_the_things_example_of_aws_s_reference() -> None:
    template = """{
    "id" : "$input.params('id')",
    "count" : "$input.path('$.things').size()",
    "things" : $input.json('$.things')
}"""
    body = b'{"things": {"1": {}, "2": {}, "3": {}}}'
    out = vtl(template, body=body, params={"path": {"id": "abc"}})
    assert json.loads(out) == {"id": "abc", "count": "3", "things": {"1": {}, "2": {}, "3": {}}}


def test_the_parse_json_example_of_aws_s_reference() -> None:
    template = """#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}"""
    body = json.dumps({"errorMessage": json.dumps({"key1": "var1", "key2": {"arr": [1, 2, 3]}})})
    assert json.loads(vtl(template, body=body.encode())) == {"errorMessageObjKey2ArrVal": 1}


def test_body_is_the_raw_payload_and_an_empty_one_reads_as_an_empty_object() -> None:
    assert vtl("$input.body", body=b'{ "a" : 1 }') == '{ "a" : 1 }'
    assert vtl("$input.body", body=b"a=1&b=2") == "a=1&b=2"
    assert vtl("$input.body") == "{}"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", '{"a":{"b":[1,2.5,"x",null,true]},"c-d":"e"}'),
        ("$.a", '{"b":[1,2.5,"x",null,true]}'),
        ("$.a.b[1]", "2.5"),
        ("$.a.b[2]", '"x"'),
        ("$.a.b[-1]", "true"),
        ("$['c-d']", '"e"'),
        ("$.c-d", '"e"'),
        ("a.b[0]", "1"),  # a path without its root is read from the root
        ("$.a.b[*]", '[1,2.5,"x",null,true]'),
        ("$..b", '[[1,2.5,"x",null,true]]'),
        ("$.a.b[0:2]", "[1,2.5]"),
        ("$.nothing", "null"),
        ("$.a.nothing.deeper", "null"),
    ],
)
def test_json_gives_the_result_as_json(path: str, expected: str) -> None:
    body = b'{"a": {"b": [1, 2.5, "x", null, true]}, "c-d": "e"}'
    assert vtl(f'$input.json("{path}")', body=body) == expected


def test_path_gives_objects_to_walk() -> None:
    body = b'{"items": [{"n": "a", "v": 1}, {"n": "b", "v": 2}], "s": "text"}'
    template = (
        "#foreach($i in $input.path('$.items'))$i.n=$i.v;#end "
        "$input.path('$.items').size() $input.path('$.s').length() [$input.path('$.none')]"
        " $input.path('$.items[?(@.v > 1)]')"
    )
    assert vtl(template, body=body) == 'a=1;b=2; 2 4 [] [{"n":"b","v":2}]'


def test_a_path_built_in_the_template() -> None:
    body = b'{"records": [{"data": "x"}, {"data": "y"}]}'
    template = '#foreach($i in [0..1])$input.json("$.records[${i}].data")#end'
    assert vtl(template, body=body) == '"x""y"'


def test_a_payload_that_is_not_json_is_one_string() -> None:
    template = "#set($raw = $input.path('$'))$raw.length() $raw.split('&')[1] [$input.path('$.a')]"
    assert vtl(template, body=b"a=1&b=2") == "7 b=2 []"
    assert vtl("$input.json('$')", body=b'say "hi"') == '"say \\"hi\\""'


def test_an_invalid_json_path_fails_the_template() -> None:
    with pytest.raises(TemplateError):
        vtl("$input.json('$.a[?(@.b ==')", body=b'{"a": []}')


def test_params() -> None:
    params = {
        "path": {"id": "p", "both": "from-path"},
        "querystring": {"q": "1", "both": "from-query"},
        "header": {"X-Thing": "h", "both": "from-header"},
    }
    template = (
        "$input.params('id') $input.params('q') $input.params('X-Thing') "
        "$input.params('x-thing') $input.params('both') [$input.params('none')]"
    )
    assert vtl(template, params=params) == "p 1 h h from-path []"
    assert vtl("$input.params()", params=params) == (
        "{path={id=p, both=from-path}, querystring={q=1, both=from-query}, "
        "header={X-Thing=h, both=from-header}}"
    )


def test_the_all_params_passthrough_template() -> None:
    # The parameter mapping example of AWS's reference, and the console's passthrough shape.
    template = """#set($allParams = $input.params())
{
  "body-json" : $input.json('$'),
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  },
  "stage-variables" : {
    #foreach($key in $stageVariables.keySet())
    "$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
    #end
  },
  "context" : {
    "http-method" : "$context.httpMethod",
    "source-ip" : "$context.identity.sourceIp",
    "stage" : "$context.stage"
  }
}"""
    params = {"path": {"id": "7"}, "querystring": {}, "header": {"Accept": "*/*"}}
    context = {"httpMethod": "POST", "stage": "dev", "identity": {"sourceIp": "127.0.0.1"}}
    out = vtl(template, b'{"k": [1]}', params, context, {"env": "test"})
    assert json.loads(out) == {
        "body-json": {"k": [1]},
        "params": {"path": {"id": "7"}, "querystring": {}, "header": {"Accept": "*/*"}},
        "stage-variables": {"env": "test"},
        "context": {"http-method": "POST", "source-ip": "127.0.0.1", "stage": "dev"},
    }


def test_context_and_stage_variables() -> None:
    context = {"requestId": "r-1", "authorizer": {"principalId": "u"}, "identity": {}}
    template = (
        "$context.requestId $context.authorizer.principalId [$context.identity.apiKey] "
        "$stageVariables.name $stageVariables['name'] ${stageVariables['name']}"
    )
    assert vtl(template, context=context, stage_variables={"name": "v"}) == "r-1 u [] v v v"


def test_the_serverless_framework_lambda_integration_template() -> None:
    # The shape of the request template the Serverless Framework writes for `integration:
    # lambda` (a #define'd loop over maps, indented directives), which must render as JSON.
    template = """
  #define( $loop )
    {
    #foreach($key in $map.keySet())
        #set( $k = $util.escapeJavaScript($key) )
        #set( $v = $util.escapeJavaScript($map.get($key)).replaceAll("\\\\'", "'") )
        "$k":
          "$v"
          #if( $foreach.hasNext ) , #end
    #end
    }
  #end

  {
    "body": $input.json("$"),
    "method": "$context.httpMethod",
    "principalId": "$context.authorizer.principalId",
    "stage": "$context.stage",

    #set( $map = $input.params().header )
    "headers": $loop,

    #set( $map = $input.params().querystring )
    "query": $loop,

    #set( $map = $input.params().path )
    "path": $loop,

    #set( $map = $context.identity )
    "identity": $loop,

    #set( $map = $stageVariables )
    "stageVariables": $loop,

    "requestPath": "$context.resourcePath"
  }
"""
    params = {"path": {"id": "1"}, "querystring": {"q": "it's"}, "header": {"Accept": "a/b"}}
    context = {
        "httpMethod": "GET",
        "stage": "dev",
        "resourcePath": "/items/{id}",
        "authorizer": {"principalId": "me"},
        "identity": {"sourceIp": "127.0.0.1"},
    }
    out = vtl(template, b'{"x": 1}', params, context, {"s": "v"})
    assert json.loads(out) == {
        "body": {"x": 1},
        "method": "GET",
        "principalId": "me",
        "stage": "dev",
        "headers": {"Accept": "a/b"},
        "query": {"q": "it's"},
        "path": {"id": "1"},
        "identity": {"sourceIp": "127.0.0.1"},
        "stageVariables": {"s": "v"},
        "requestPath": "/items/{id}",
    }
