"""Request ids are version-4 UUIDs in their canonical form, as Lambda's are."""

import uuid

from overcast.aws.request_id import new_request_id


def test_request_ids_are_distinct_version_4_uuids() -> None:
    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text
