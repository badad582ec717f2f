"""`Transform: AWS::Serverless-2016-10-31` through aws-sam-translator, the library
CloudFormation's own SAM transform runs (its policy templates, DynamoDBCrudPolicy and the
rest, come with it).

The library is imported only here, and only when a template declares the transform: it pulls
in boto3, pydantic and jsonschema (about a second of imports). It must never reach the
network: AWS managed policy names resolve from the map the caller passes and the one bundled
with the library (never IAM), the region comes from a stand-in session (never boto3's
configuration), and a Serverless Application Repository application fails with SAR's answer
instead of a call to SAR.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from overcast.services.cloudformation.errors import TemplateError

NAME = "AWS::Serverless-2016-10-31"
FAILED = f"Transform {NAME} failed with: "

# The library keeps the region in a class attribute (ArnGenerator.BOTO_SESSION_REGION_NAME):
# one translation at a time, so that two stacks in two regions never mix theirs.
_LOCK = threading.Lock()


class _Session:
    """What the translator reads of a boto3 session: the region."""

    def __init__(self, region: str) -> None:
        self.region_name = region


class _NoRepository:
    """The Serverless Application Repository client the translator is given: Overcast has no
    SAR, so each application is "not found" (the translator words it as a resource error)."""

    def _missing(self, operation: str, **_kwargs: object) -> object:
        from botocore.exceptions import ClientError

        error = {
            "Code": "NotFoundException",
            "Message": "The Serverless Application Repository is not available in Overcast.",
        }
        raise ClientError({"Error": error}, operation)

    def get_application(self, **kwargs: object) -> object:
        return self._missing("GetApplication", **kwargs)

    def create_cloud_formation_template(self, **kwargs: object) -> object:
        return self._missing("CreateCloudFormationTemplate", **kwargs)

    def get_cloud_formation_template(self, **kwargs: object) -> object:
        return self._missing("GetCloudFormationTemplate", **kwargs)


def translate(
    template: dict,
    *,
    parameters: Mapping[str, object],
    region: str,
    partition: str,
    managed_policies: Mapping[str, str] | None,
) -> dict:
    """The CloudFormation template SAM's transform makes of `template` (a copy the caller
    owns). `parameters` are the stack's values; `managed_policies` maps AWS managed policy
    names to ARNs."""
    from samtranslator.model.exceptions import ExceptionWithMessage
    from samtranslator.parser.parser import Parser
    from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    # What CloudFormation gives the transform: the parameters and the two pseudo parameters
    # the library adds from its session.
    values = {**parameters, "AWS::Region": region, "AWS::Partition": partition}
    with _LOCK:
        plugin = ServerlessAppPlugin(sar_client=_NoRepository(), parameters=values)
        translator = Translator(
            dict(managed_policies or {}), Parser(), plugins=[plugin], boto_session=_Session(region)
        )
        try:
            # As the library's own entry point (samtranslator.translator.transform) does, so
            # that generated logical IDs hash as they do on AWS.
            to_py27_compatible_template(template, values)
            translated = translator.translate(template, parameter_values=values)
            return undo_mark_unicode_str_in_template(translated)
        except ExceptionWithMessage as error:
            raise TemplateError(FAILED + _worded(error)) from None
        except Exception:  # the library's own faults, on input it did not foresee
            raise TemplateError(FAILED + "Internal transform failure.") from None
        finally:
            # The library's metrics go nowhere (a dummy publisher); publishing them empties
            # them, so that it does not warn of "unpublished metrics".
            translator.metrics.publish()


def _worded(error: object) -> str:
    """The library's message as CloudFormation passes it on: the document's count of errors,
    then each cause ("... Number of errors found: 1. Resource with id [F] is invalid. ...")."""
    causes = getattr(error, "causes", None) or []
    return " ".join([error.message, *(cause.message for cause in causes)])  # type: ignore[attr-defined]
