"""The `integration: lambda` (non-proxy) defaults of api-gateway/lib/method/integration.js and
validate.js: the request templates that build the event the framework's users expect
(`body`, `method`, `headers`, `query`, `path`, `identity`...) and the status codes picked from
the function's error message (`[404] Not found` -> 404)."""

from __future__ import annotations

from typing import Any

_COMMON = """
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
    "body": $body,
    "method": "$context.httpMethod",
    "principalId": "$context.authorizer.principalId",
    "stage": "$context.stage",

    "cognitoPoolClaims" : {
       extraCognitoPoolClaims
       "sub": "$context.authorizer.claims.sub"
    },

    #set( $map = $context.authorizer )
    "enhancedAuthContext": $loop,

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

JSON_TEMPLATE = f"""
    #set( $body = $input.json("$") )

    {_COMMON}
  """

FORM_TEMPLATE = f"""
    #define( $body )
      {{
      #foreach( $token in $input.path('$').split('&') )
        #set( $keyVal = $token.split('=') )
        #set( $keyValSize = $keyVal.size() )
        #if( $keyValSize >= 1 )
          #set( $key = $util.escapeJavaScript($util.urlDecode($keyVal[0])) )
          #if( $keyValSize >= 2 )
            #set($val = $util.escapeJavaScript($util.urlDecode($keyVal[1])).replaceAll("\\\\'","'"))
          #else
            #set( $val = '' )
          #end
          "$key": "$val"#if($foreach.hasNext),#end
        #end
      #end
      }}
    #end

    {_COMMON}
  """

STATUS_CODES: dict[str, dict[str, str]] = {
    "200": {"pattern": ""},
    "400": {"pattern": r"[\s\S]*\[400\][\s\S]*"},
    "401": {"pattern": r"[\s\S]*\[401\][\s\S]*"},
    "403": {"pattern": r"[\s\S]*\[403\][\s\S]*"},
    "404": {"pattern": r"[\s\S]*\[404\][\s\S]*"},
    "422": {"pattern": r"[\s\S]*\[422\][\s\S]*"},
    "500": {"pattern": r"[\s\S]*(Process\s?exited\s?before\s?completing\s?request|\[500\])[\s\S]*"},
    "502": {"pattern": r"[\s\S]*\[502\][\s\S]*"},
    "504": {"pattern": r"([\s\S]*\[504\][\s\S]*)|(.*Task timed out after \d+\.\d+ seconds$)"},
}


def request_templates(request: dict[str, Any]) -> dict[str, str]:
    """The default templates, with `request.template`'s entries added (a null removes one)."""
    templates = {
        "application/json": JSON_TEMPLATE,
        "application/x-www-form-urlencoded": FORM_TEMPLATE,
    }
    for content_type, template in (request.get("template") or {}).items():
        if template is None:
            templates.pop(content_type, None)
        else:
            templates[content_type] = template
    return {key: value.replace("extraCognitoPoolClaims", "") for key, value in templates.items()}


def status_codes(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """validate.js getResponse: the given codes (with a 200 default if none has pattern ``),
    else the framework's defaults."""
    given = response.get("statusCodes")
    if not given:
        return dict(STATUS_CODES)
    codes = {str(code): dict(config or {}) for code, config in given.items()}
    if not any(config.get("pattern") == "" for config in codes.values()):
        codes["200"] = STATUS_CODES["200"]
    return codes
