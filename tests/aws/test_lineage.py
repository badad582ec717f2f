"""The Lineage count written into a trace header is the one every service reads back."""

from overcast.aws.lineage import MAX_HOPS, lineage_hops, trace_id


def test_a_trace_header_carries_its_chain_count() -> None:
    for count in (1, 2, MAX_HOPS):
        assert lineage_hops(trace_id(count)) == count


def test_a_header_without_a_readable_lineage_counts_zero() -> None:
    assert lineage_hops(None) == 0
    assert lineage_hops("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1") == 0
    assert lineage_hops("Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=abc") == 0
    assert lineage_hops("Lineage=abc:x;Sampled=0") == 0
