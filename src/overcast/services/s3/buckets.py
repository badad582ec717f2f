"""Buckets: created in a region (their name is global, as on S3), tagged, versioned, given
ACLs (where their Object Ownership takes them: ownership.py), and configured to notify.
Every bucket's settings are kept in memory too: each object request reads them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import ServiceError
from overcast.delivery import DeliveryFailed
from overcast.services.s3.acl import Acl, AclRequest, loaded
from overcast.services.s3.catalog import Bucket, BucketSettings, Catalog
from overcast.services.s3.cors import CorsRule, parse_rules
from overcast.services.s3.errors import (
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidLocationConstraint,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchCORSConfiguration,
    NoSuchTagSet,
)
from overcast.services.s3.lifecycle_rules import LifecycleConfiguration
from overcast.services.s3.names import check_bucket_name
from overcast.services.s3.notifications import (
    Rule,
    configuration_of,
    parse_configuration,
    test_event,
)
from overcast.services.s3.notifier import Notifier
from overcast.services.s3.ownership import (
    ALL_BLOCKED,
    ENFORCED,
    OWNERSHIPS,
    check_new_bucket,
)
from overcast.services.s3.policies import check_not_blocked, check_policy
from overcast.services.s3.tagging import MAX_BUCKET_TAGS, check_tags
from overcast.services.s3.versioning import parse_configuration as parse_versioning
from overcast.types import Resolver

log = logging.getLogger(__name__)

LEGACY_REGION = "us-east-1"  # where S3 buckets need no LocationConstraint


@dataclass(frozen=True)
class BucketState:
    bucket: Bucket
    tags: tuple[tuple[str, str], ...] | None = None
    rules: tuple[Rule, ...] = ()
    policy: str | None = None
    cors: tuple[CorsRule, ...] | None = None
    versioning: dict | None = None  # {"Status": ..., "MFADelete": ...}; None: never set
    acl: Acl | None = None  # None: the owner's alone
    ownership: str | None = ENFORCED  # None: no Object Ownership controls
    public_access: dict | None = field(default_factory=lambda: dict(ALL_BLOCKED))  # None: none
    lifecycle: LifecycleConfiguration | None = None

    @property
    def versioning_status(self) -> str | None:
        """`Enabled`, `Suspended`, or None where versioning was never enabled."""
        return (self.versioning or {}).get("Status")


class Buckets:
    def __init__(
        self,
        catalog: Catalog,
        resolver: Resolver,
        notifier: Notifier,
        owner: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.resolver = resolver
        self.notifier = notifier
        self.owner = owner  # the account's canonical user id: every bucket's owner
        self.clock = clock
        settings = catalog.bucket_settings()
        self._states: dict[str, BucketState] = {}
        for bucket in catalog.buckets():
            self._states[bucket.name] = _state(bucket, settings.get(bucket.name, BucketSettings()))

    def get(self, name: str) -> BucketState:
        state = self._states.get(name)
        if state is None:
            raise NoSuchBucket("The specified bucket does not exist", BucketName=name)
        return state

    def update(self, name: str, **changes: object) -> BucketState:
        """The bucket's state with `changes` (BucketState's fields), once the catalog keeps
        them (for the classes that own other settings: bucket_access.py, lifecycle.py)."""
        state = replace(self.get(name), **changes)
        self._states[name] = state
        return state

    def exists(self, name: str) -> bool:
        return name in self._states

    def all(self) -> list[Bucket]:
        return sorted((s.bucket for s in self._states.values()), key=lambda b: b.name)

    def create(
        self,
        name: str,
        region: str,
        location: str | None,
        ownership: str | None = None,
        asked: AclRequest | None = None,
    ) -> Bucket:
        """A new bucket, with ACLs disabled unless `ownership` says otherwise, and all
        public access blocked (S3's defaults since April 2023)."""
        check_bucket_name(name)
        _check_location(region, location)
        ownership = ownership or ENFORCED
        if ownership not in OWNERSHIPS:
            raise InvalidArgument(
                "Invalid x-amz-object-ownership header",
                ArgumentName="x-amz-object-ownership",
                ArgumentValue=ownership,
            )
        if asked is not None:
            check_new_bucket(ownership, asked.grants, self.owner)
        bucket = Bucket(name, region, int(self.clock() * 1000))
        if not self.catalog.add_bucket(bucket):
            existing = self._states.get(name)
            # For legacy compatibility S3 answers 200 to re-creating your own bucket in
            # us-east-1, and 409 everywhere else.
            if existing is not None and region == existing.bucket.region == LEGACY_REGION:
                return existing.bucket
            raise BucketAlreadyOwnedByYou(
                "Your previous request to create the named bucket succeeded and you already "
                "own it.",
                BucketName=name,
            )
        acl = asked.grants if asked is not None else None
        self.catalog.set_ownership(name, ownership)
        self.catalog.set_bucket_acl(name, list(acl) if acl is not None else None)
        self._states[name] = BucketState(bucket, acl=acl, ownership=ownership)
        return bucket

    def delete(self, name: str) -> list[str]:
        """Returns the blobs of the bucket's unfinished uploads, for the caller to remove."""
        self.get(name)
        try:
            blobs = self.catalog.remove_bucket(name)
        except LookupError:
            raise BucketNotEmpty(
                "The bucket you tried to delete is not empty", BucketName=name
            ) from None
        self._states.pop(name, None)
        return blobs

    # --- tags -------------------------------------------------------------------------------

    def tags(self, name: str) -> tuple[tuple[str, str], ...]:
        state = self.get(name)
        if state.tags is None:
            raise NoSuchTagSet("The TagSet does not exist", BucketName=name)
        return state.tags

    def put_tags(self, name: str, tags: list[tuple[str, str]]) -> None:
        state = self.get(name)
        check_tags(tags, MAX_BUCKET_TAGS, "Bucket")
        self.catalog.set_tags(name, [{"Key": k, "Value": v} for k, v in tags])
        self._states[name] = replace(state, tags=tuple(tags))

    def delete_tags(self, name: str) -> None:
        state = self.get(name)
        self.catalog.set_tags(name, None)
        self._states[name] = replace(state, tags=None)

    # --- policy -----------------------------------------------------------------------------

    def policy(self, name: str) -> str:
        policy = self.get(name).policy
        if policy is None:
            raise NoSuchBucketPolicy("The bucket policy does not exist", BucketName=name)
        return policy

    def put_policy(self, name: str, policy: str, caller: str | None = None) -> None:
        """Keep the bucket's policy, as it was written (enforcing it is IAM's, not here),
        unless it is public and the bucket blocks public policies (`caller`: the signer's ARN,
        for the refusal's words)."""
        state = self.get(name)
        region = state.bucket.region
        check_policy(policy, state.bucket.name, region)
        check_not_blocked(policy, state.bucket.name, region, state.public_access, caller)
        self.catalog.set_policy(name, policy)
        self._states[name] = replace(state, policy=policy)

    def delete_policy(self, name: str) -> None:
        state = self.get(name)
        self.catalog.set_policy(name, None)
        self._states[name] = replace(state, policy=None)

    # --- CORS -------------------------------------------------------------------------------

    def cors(self, name: str) -> tuple[CorsRule, ...]:
        rules = self.get(name).cors
        if rules is None:
            raise NoSuchCORSConfiguration("The CORS configuration does not exist", BucketName=name)
        return rules

    def cors_rules(self, name: str) -> tuple[CorsRule, ...] | None:
        """The bucket's CORS rules; None when it has none, or there is no such bucket."""
        state = self._states.get(name)
        return state.cors if state is not None else None

    def put_cors(self, name: str, configuration: dict) -> None:
        state = self.get(name)
        rules = parse_rules(configuration)
        self.catalog.set_cors(name, [rule.to_dict() for rule in rules])
        self._states[name] = replace(state, cors=rules)

    def delete_cors(self, name: str) -> None:
        state = self.get(name)
        self.catalog.set_cors(name, None)
        self._states[name] = replace(state, cors=None)

    # --- versioning -------------------------------------------------------------------------

    def put_versioning(self, name: str, configuration: dict | None) -> None:
        """Enable or suspend versioning (it is never turned off again, as on S3)."""
        state = self.get(name)
        kept = parse_versioning(configuration)
        self.catalog.set_versioning(name, kept)
        self._states[name] = replace(state, versioning=kept)

    # --- notifications ----------------------------------------------------------------------

    def notification(self, name: str) -> dict:
        return configuration_of(self.get(name).rules)

    def put_notification(
        self,
        name: str,
        configuration: dict,
        known_events: frozenset[str],
        request_id: str,
        host_id: str,
        validate: bool = True,
    ) -> None:
        """Replace the bucket's configuration. S3 checks it can reach every destination
        unless told not to (x-amz-skip-destination-validation): a function's policy must let
        S3 invoke it, and each queue and topic must take S3's test event, which S3 sends
        them as it checks ("it first verifies that any Amazon SNS or Amazon SQS destination
        exists, and that the bucket owner has permission to publish to it by sending a test
        notification", PutBucketNotificationConfiguration)."""
        state = self.get(name)
        rules = parse_configuration(configuration, known_events)
        _check_arns(rules)
        test = test_event(name, request_id, host_id)
        if validate:
            self._check_destinations(name, rules, test)
        self.catalog.set_notification(name, {"rules": [rule.to_dict() for rule in rules]})
        self._states[name] = replace(state, rules=rules)
        if not validate:  # sent anyway, as S3 does; what fails is not the caller's answer
            for target in _queues_and_topics(rules):
                self._test(target, test)

    def _check_destinations(self, bucket: str, rules: tuple[Rule, ...], test: bytes) -> None:
        """S3 refuses a configuration whose destinations it cannot reach, naming each one
        that failed and why."""
        failed: dict[str, str] = {}
        for rule in rules:
            if rule.kind == "function" and not self._may_invoke(bucket, rule.target):
                failed[rule.target] = f"Not authorized to invoke function [{rule.target}]"
        for target in _queues_and_topics(rules):
            reason = self._test(target, test)
            if reason is not None:
                failed[target] = reason
        if failed:
            extra = {}
            for index, (arn, reason) in enumerate(failed.items(), start=1):
                extra[f"ArgumentName{index}"] = arn
                extra[f"ArgumentValue{index}"] = reason
            raise InvalidArgument(
                "Unable to validate the following destination configurations", **extra
            )

    def _may_invoke(self, bucket: str, arn: str) -> bool:
        """Whether the function exists and its resource-based policy lets S3 invoke it for
        `bucket`."""
        region, name, qualifier = function_target(arn)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except ServiceError:
            return False
        return self.notifier.refusal(bucket, target) is None

    def _test(self, target: str, test: bytes) -> str | None:
        """Send a queue or topic S3's test event; why it did not take it, if it did not."""
        try:
            self.notifier.send_now(target, test)
        except DeliveryFailed as exc:
            log.warning("S3 test event to %s not delivered: %s", target, exc)
            return _test_failure(target, exc)
        except Exception:
            log.exception("S3 test event to %s", target)
            return f"Unable to publish a test notification to [{target}]"
        return None


def _queues_and_topics(rules: tuple[Rule, ...]) -> list[str]:
    return list(dict.fromkeys(r.target for r in rules if r.kind != "function"))


def _test_failure(target: str, failure: DeliveryFailed) -> str:
    """S3's reason for a queue or topic that refused its test event. The queue's permission
    sentence is S3's (as the AWS CLI's debug output shows it); the topic's and the missing
    destination's follow its form."""
    kind = "queue" if Arn.parse(target).service == "sqs" else "topic"
    if failure.denied:
        return (
            f"Permissions on the destination {kind} do not allow S3 to publish "
            "notifications from this bucket"
        )
    if failure.missing:
        return f"The destination {kind} does not exist"
    return failure.message


def _state(bucket: Bucket, kept: BucketSettings) -> BucketState:
    """A bucket's state from its kept settings. A bucket from before Object Ownership and
    Block Public Access were kept had ACLs disabled and all public access blocked (what
    this server answered for every bucket); "" and {} are controls deleted since."""
    rules = tuple(Rule.from_dict(r) for r in (kept.notification or {}).get("rules", ()))
    tags = kept.tags
    pairs = tuple((t["Key"], t["Value"]) for t in tags) if tags is not None else None
    cors = tuple(CorsRule.from_dict(r) for r in kept.cors) if kept.cors else None
    ownership = ENFORCED if kept.ownership is None else (kept.ownership or None)
    block = dict(ALL_BLOCKED) if kept.public_access is None else (kept.public_access or None)
    acl = loaded(kept.acl)
    lifecycle = LifecycleConfiguration.from_dict(kept.lifecycle) if kept.lifecycle else None
    return BucketState(
        bucket, pairs, rules, kept.policy, cors, kept.versioning, acl, ownership, block, lifecycle
    )


def _check_arns(rules: tuple[Rule, ...]) -> None:
    for rule in rules:
        service = {"function": "lambda", "queue": "sqs", "topic": "sns"}[rule.kind]
        if not _shaped(rule.target, service, rule.kind == "function"):
            raise InvalidArgument(
                "The ARN is not well formed", ArgumentName=rule.target, ArgumentValue=""
            )


def _shaped(target: str, service: str, function: bool) -> bool:
    """An ARN of `service`; a function's names `function:NAME` (a resource of two fields)."""
    try:
        parsed = Arn.parse(target)
    except ValueError:
        return False
    return parsed.service == service and (not function or ":" in parsed.resource)


def _check_location(region: str, location: str | None) -> None:
    if location == LEGACY_REGION or location == "":
        raise InvalidLocationConstraint(
            "The specified location-constraint is not valid", LocationConstraint=location
        )
    if (location or LEGACY_REGION) != region:
        said = location or "unspecified"
        raise IllegalLocationConstraintException(
            f"The {said} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )
