"""AWS::Lambda::Function's `Code.ZipFile`: inline source that CloudFormation zips itself.

As the CloudFormation resource reference has it: "If you include your function source inline
with this parameter, CloudFormation places it in a file named index and zips it to create a
deployment package" (`index.py` for Python, `index.js` for Node.js, so the handler is
`index.<function>`), and "the cfn-response module is available" to inline Python and Node.js
code (`import cfnresponse`, `require('cfn-response')`) for custom resources. ZipFile needs a
runtime, and a Node.js or Python one.

The modules here keep the interface AWS publishes for them (`send(event, context,
responseStatus, responseData, physicalResourceId, noEcho, reason)`, `SUCCESS`, `FAILED`) and
PUT the same response body to the event's `ResponseURL`; they reach it over plain HTTP as well
as HTTPS (Overcast's response URLs are its own endpoint), and the Python one uses the standard
library rather than urllib3, which an Overcast environment need not have.
"""

from __future__ import annotations

import io
import zipfile

from overcast.aws.errors import InvalidParameterValueException

# CloudFormation's handler words (status reason "Resource handler returned message: ...").
NO_RUNTIME = (
    "Invalid request provided: Using the ZipFile attribute requires a runtime to be specified"
)
WRONG_RUNTIME = "ZipFile can only be used when Runtime is set to a Node.js or Python runtime."

# Fixed entry times: the same inline code makes the same package (and CodeSha256), so an
# update that leaves it alone is not a code change.
_EPOCH = (1980, 1, 1, 0, 0, 0)

CFNRESPONSE_PY = """\
# cfn-response for Python, as CloudFormation supplies it to inline (ZipFile) functions.
import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None,
         noEcho=False, reason=None):
    responseUrl = event["ResponseURL"]
    print(responseUrl)
    responseBody = {
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: {}".format(
            context.log_stream_name),
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }
    json_responseBody = json.dumps(responseBody)
    print("Response body:")
    print(json_responseBody)
    body = json_responseBody.encode("utf-8")
    headers = {"content-type": "", "content-length": str(len(body))}
    try:
        request = urllib.request.Request(responseUrl, data=body, headers=headers, method="PUT")
        with urllib.request.urlopen(request) as response:
            print("Status code:", response.status)
    except Exception as e:
        print("send(..) failed executing http.request(..):", e)
"""

CFN_RESPONSE_JS = """\
// cfn-response for Node.js, as CloudFormation supplies it to inline (ZipFile) functions.
exports.SUCCESS = "SUCCESS";
exports.FAILED = "FAILED";

exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  return new Promise((resolve) => {
    var responseBody = JSON.stringify({
      Status: responseStatus,
      Reason: "See the details in CloudWatch Log Stream: " + context.logStreamName,
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    console.log("Response body:\\n", responseBody);
    var url = new URL(event.ResponseURL);
    var transport = url.protocol === "http:" ? require("http") : require("https");
    var options = {
      hostname: url.hostname,
      port: url.port || (url.protocol === "http:" ? 80 : 443),
      path: url.pathname + url.search,
      method: "PUT",
      headers: { "content-type": "", "content-length": Buffer.byteLength(responseBody) },
    };
    var request = transport.request(options, function (response) {
      console.log("Status code: " + parseInt(response.statusCode));
      if (context.done) context.done();
      resolve();
    });
    request.on("error", function (error) {
      console.log("send(..) failed executing https.request(..): " + error);
      if (context.done) context.done();
      resolve();
    });
    request.write(responseBody);
    request.end();
  });
};
"""


def inline_package(source: str, runtime: object) -> bytes:
    """The deployment package CloudFormation makes of `ZipFile` source for `runtime`."""
    if not runtime:
        raise InvalidParameterValueException(NO_RUNTIME)
    runtime = str(runtime)
    if runtime.startswith("python"):
        files = {"index.py": source, "cfnresponse.py": CFNRESPONSE_PY}
    elif runtime.startswith("nodejs"):
        files = {"index.js": source, "node_modules/cfn-response/index.js": CFN_RESPONSE_JS}
    else:
        raise InvalidParameterValueException(WRONG_RUNTIME)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            entry = zipfile.ZipInfo(name, _EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text.encode("utf-8"))
    return buffer.getvalue()
