"""Layers that AWS publishes from its own accounts and Overcast supplies itself.

A function names AWS's Parameters and Secrets Lambda Extension by the ARN AWS documents for its
region, `arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11`
(`...-Extension-Arm64:N` for arm64). That layer lives in an account of AWS's, not in this
Overcast, so it is never published here: Overcast answers such an ARN with a layer of its own
that does the same (runtimes/parameters_secrets.py as /opt/extensions/<its NAME>). Any other
account's layer stays unknown, as before.
"""

from __future__ import annotations

import io
import zipfile
from importlib import resources

from overcast.services.lambda_.model.layer import LayerName

PARAMETERS_AND_SECRETS = frozenset(
    {
        "AWS-Parameters-and-Secrets-Lambda-Extension",
        "AWS-Parameters-and-Secrets-Lambda-Extension-Arm64",
    }
)
# The account that publishes the extension in each region, from AWS's table of the
# extension's ARNs (Systems Manager user guide, "AWS Parameters and Secrets Lambda Extension
# ARNs"); a region absent here has no such layer.
PARAMETERS_AND_SECRETS_ACCOUNTS = {
    "us-east-1": "177933569100",
    "us-east-2": "590474943231",
    "us-west-1": "997803712105",
    "us-west-2": "345057560386",
    "af-south-1": "317013901791",
    "ap-east-1": "768336418462",
    "ap-south-1": "176022468876",
    "ap-northeast-1": "133490724326",
    "ap-northeast-2": "738900069198",
    "ap-northeast-3": "576959938190",
    "ap-southeast-1": "044395824272",
    "ap-southeast-2": "665172237481",
    "ap-southeast-3": "490737872127",
    "ca-central-1": "200266452380",
    "cn-north-1": "287114880934",
    "cn-northwest-1": "287310001119",
    "eu-central-1": "187925254637",
    "eu-west-1": "015030872274",
    "eu-west-2": "133256977650",
    "eu-west-3": "780235371811",
    "eu-south-1": "325218067255",
    "eu-north-1": "427196147048",
    "me-south-1": "832021897121",
    "me-central-1": "858974508948",
    "sa-east-1": "933737806257",
    "us-gov-east-1": "129776340158",
    "us-gov-west-1": "127562683043",
}
EXTENSION_FILE = "extensions/AWSParametersAndSecretsLambdaExtension"
# The extension is a Python program run as an executable: the shell runs the second line (exec
# python3 on this file), which Python reads as a string and passes by.
LAUNCHER = b'#!/bin/sh\n"exec" "python3" "-I" "-S" "$0" "$@"\n'

# A fixed time for every entry: the same content makes the same package (and code address).
_ZIP_TIME = (2022, 10, 18, 0, 0, 0)


def is_parameters_and_secrets(named: LayerName | None) -> bool:
    """Whether a layer version ARN names AWS's Parameters and Secrets extension."""
    return (
        named is not None
        and named.version is not None
        and named.name in PARAMETERS_AND_SECRETS
        and named.region is not None
        and PARAMETERS_AND_SECRETS_ACCOUNTS.get(named.region) == named.account_id
    )


def parameters_and_secrets_zip() -> bytes:
    """The layer's package: the extension as an executable in extensions/."""
    source = resources.files("overcast.runtimes").joinpath("parameters_secrets.py").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = zipfile.ZipInfo("extensions/", _ZIP_TIME)
        folder.external_attr = (0o40755 << 16) | 0x10
        archive.writestr(folder, b"")
        entry = zipfile.ZipInfo(EXTENSION_FILE, _ZIP_TIME)
        entry.external_attr = 0o100755 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, LAUNCHER + source)
    return buffer.getvalue()
