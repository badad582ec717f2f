"""A bucket's access settings: its ACL, its Object Ownership controls and its Block Public
Access configuration (the rules between them: ownership.py; the grants: acl.py), and the
ACL an object written to it may keep."""

from __future__ import annotations

from overcast.services.s3.acl import Acl, AclRequest, owner_only
from overcast.services.s3.buckets import Buckets
from overcast.services.s3.catalog import Catalog
from overcast.services.s3.errors import (
    NoSuchPublicAccessBlockConfiguration,
    OwnershipControlsNotFoundError,
)
from overcast.services.s3.ownership import (
    acls_disabled,
    check_bucket_acl,
    check_object_acl,
    check_ownership_change,
    parse_block,
    parse_ownership,
)


class BucketAccess:
    def __init__(self, catalog: Catalog, buckets: Buckets) -> None:
        self.catalog = catalog
        self.buckets = buckets
        self.owner = buckets.owner

    def acl(self, name: str) -> Acl:
        """The bucket's ACL as GetBucketAcl shows it (the owner's alone, where ACLs are
        disabled: a bucket's ACL then grants nothing else)."""
        state = self.buckets.get(name)
        if acls_disabled(state.ownership) or state.acl is None:
            return owner_only(self.owner)
        return state.acl

    def put_acl(self, name: str, grants: Acl) -> None:
        state = self.buckets.get(name)
        check_bucket_acl(state.ownership, state.public_access, grants)
        self.catalog.set_bucket_acl(name, list(grants))
        self.buckets.update(name, acl=grants)

    def object_acl(self, name: str, asked: AclRequest | None) -> Acl | None:
        """The grants an object written to the bucket keeps, if the bucket takes them."""
        state = self.buckets.get(name)
        if asked is None:
            return None
        check_object_acl(state.ownership, state.public_access, asked, self.owner)
        return asked.grants

    def ownership(self, name: str) -> str:
        ownership = self.buckets.get(name).ownership
        if ownership is None:
            raise OwnershipControlsNotFoundError(
                "The bucket ownership controls were not found", BucketName=name
            )
        return ownership

    def put_ownership(self, name: str, controls: dict | None) -> None:
        state = self.buckets.get(name)
        ownership = parse_ownership(controls)
        check_ownership_change(ownership, state.acl, self.owner)
        self.catalog.set_ownership(name, ownership)
        self.buckets.update(name, ownership=ownership)

    def delete_ownership(self, name: str) -> None:
        self.buckets.get(name)  # NoSuchBucket
        self.catalog.set_ownership(name, "")
        self.buckets.update(name, ownership=None)

    def public_access(self, name: str) -> dict:
        block = self.buckets.get(name).public_access
        if block is None:
            raise NoSuchPublicAccessBlockConfiguration(
                "The public access block configuration was not found", BucketName=name
            )
        return block

    def put_public_access(self, name: str, configuration: dict | None) -> None:
        self.buckets.get(name)  # NoSuchBucket
        block = parse_block(configuration)
        self.catalog.set_public_access(name, block)
        self.buckets.update(name, public_access=block)

    def delete_public_access(self, name: str) -> None:
        self.buckets.get(name)  # NoSuchBucket
        self.catalog.set_public_access(name, {})
        self.buckets.update(name, public_access=None)
