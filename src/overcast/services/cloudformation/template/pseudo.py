"""The pseudo parameters every template can `Ref` (`AWS::Region`, `AWS::StackName`, ...)."""

from __future__ import annotations

from dataclasses import dataclass


class NoValue:
    """What `Ref AWS::NoValue` evaluates to: the property (or list item) that holds it is
    removed, as CloudFormation removes it."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = NoValue()


@dataclass(frozen=True)
class Pseudo:
    """A stack's pseudo parameters. `stack_id` is the stack's ARN."""

    region: str
    account_id: str
    stack_name: str
    stack_id: str
    partition: str = "aws"
    url_suffix: str = "amazonaws.com"
    notification_arns: tuple[str, ...] = ()

    def values(self) -> dict[str, object]:
        """Each pseudo parameter's value by its name."""
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": list(self.notification_arns),
            "AWS::NoValue": NO_VALUE,
        }


NAMES = frozenset(Pseudo("", "", "", "").values())


def partition_of(region: str) -> str:
    """The partition a region belongs to (`cn-north-1` -> `aws-cn`), as ARNs spell it."""
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov")):
        if region.startswith(prefix):
            return partition
    return "aws"


def url_suffix_of(region: str) -> str:
    """`AWS::URLSuffix`: amazonaws.com, amazonaws.com.cn in the China regions."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
