"""PynamoDB, unchanged, against the server: a Model with a hash and range key and a global
secondary index, created by PynamoDB itself, then save / get / query / scan / update with
actions / conditional save / batch_write / transactions, as an application uses it."""

from __future__ import annotations

import uuid

import pytest

pynamodb = pytest.importorskip("pynamodb")

from pynamodb.attributes import (  # noqa: E402
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection  # noqa: E402
from pynamodb.exceptions import PutError, TransactWriteError  # noqa: E402
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex  # noqa: E402
from pynamodb.models import Model  # noqa: E402
from pynamodb.transactions import TransactGet, TransactWrite  # noqa: E402


def model_classes(server):
    """A Thread model (forum, subject) with a GSI on (author, views), bound to the server."""
    key = server.credentials

    class ByAuthor(GlobalSecondaryIndex):
        class Meta:
            index_name = "by-author"
            projection = AllProjection()

        author = UnicodeAttribute(hash_key=True)
        views = NumberAttribute(range_key=True)

    class Thread(Model):
        class Meta:
            table_name = f"pynamodb-{uuid.uuid4().hex[:10]}"
            host = server.endpoint
            region = "us-east-1"
            aws_access_key_id = key["aws_access_key_id"]
            aws_secret_access_key = key["aws_secret_access_key"]
            max_retry_attempts = 0
            billing_mode = "PAY_PER_REQUEST"

        forum = UnicodeAttribute(hash_key=True)
        subject = UnicodeAttribute(range_key=True)
        author = UnicodeAttribute()
        views = NumberAttribute(default=0)
        tags = UnicodeSetAttribute(default=set)
        replies = ListAttribute(default=list)
        by_author = ByAuthor()

    return Thread


@pytest.fixture
def thread_model(server):
    model = model_classes(server)
    model.create_table(wait=True)
    yield model
    model.delete_table()


def test_save_get_query_scan_and_the_index(thread_model):
    Thread = thread_model
    for n in range(5):
        Thread("web", f"s{n}", author="ada" if n % 2 else "bob", views=n * 10).save()
    Thread("db", "s0", author="ada", views=7).save()
    got = Thread.get("web", "s3")
    assert (got.author, got.views, got.tags, got.replies) == ("ada", 30, set(), [])
    subjects = [t.subject for t in Thread.query("web", Thread.subject.between("s1", "s3"))]
    assert subjects == ["s1", "s2", "s3"]
    newest = Thread.query("web", scan_index_forward=False, limit=2)
    assert [t.subject for t in newest] == ["s4", "s3"]
    filtered = Thread.query("web", filter_condition=Thread.views >= 20)
    assert sorted(t.subject for t in filtered) == ["s2", "s3", "s4"]
    assert Thread.count("web") == 5
    viewed = Thread.count("web", Thread.subject.startswith("s"), filter_condition=Thread.views > 0)
    assert viewed == 4
    by_ada = Thread.by_author.query("ada", Thread.views > 5)
    assert [(t.forum, t.subject, t.views) for t in by_ada] == [
        ("db", "s0", 7),
        ("web", "s1", 10),
        ("web", "s3", 30),
    ]
    assert sorted((t.forum, t.subject) for t in Thread.scan(Thread.author == "bob")) == [
        ("web", "s0"),
        ("web", "s2"),
        ("web", "s4"),
    ]
    # Pages of 2: PynamoDB follows LastEvaluatedKey to the end.
    assert len(list(Thread.scan(page_size=2))) == 6
    with pytest.raises(Thread.DoesNotExist):
        Thread.get("web", "none")


def test_update_with_actions_and_conditional_save(thread_model):
    Thread = thread_model
    thread = Thread("web", "hello", author="ada", tags={"a"})
    thread.save(condition=Thread.forum.does_not_exist())
    with pytest.raises(PutError) as refused:
        Thread("web", "hello", author="eve").save(condition=Thread.forum.does_not_exist())
    assert refused.value.cause_response_code == "ConditionalCheckFailedException"
    thread.update(
        actions=[
            Thread.views.add(5),
            Thread.tags.add({"b", "c"}),
            Thread.replies.set(Thread.replies.append(["first"])),
            Thread.author.set("grace"),
        ],
        condition=Thread.views == 0,
    )
    assert (thread.views, thread.tags, thread.replies, thread.author) == (
        5,
        {"a", "b", "c"},
        ["first"],
        "grace",
    )
    thread.update(actions=[Thread.tags.delete({"a"}), Thread.replies.remove()])
    again = Thread.get("web", "hello", consistent_read=True)
    assert (again.tags, again.replies, again.views) == ({"b", "c"}, [], 5)
    # Optimistic concurrency as applications write it: the condition on the old value fails.
    with pytest.raises(Exception) as stale:
        thread.update(actions=[Thread.views.set(1)], condition=Thread.views == 0)
    assert stale.value.cause_response_code == "ConditionalCheckFailedException"


def test_batch_write_and_batch_get(thread_model):
    Thread = thread_model
    with Thread.batch_write() as batch:
        for n in range(30):  # more than one BatchWriteItem of 25
            batch.save(Thread("batch", f"s{n:02}", author="ada", views=n))
    keys = [("batch", f"s{n:02}") for n in range(0, 30, 3)]
    got = sorted((t.subject, t.views) for t in Thread.batch_get(keys))
    assert got == [(f"s{n:02}", n) for n in range(0, 30, 3)]
    with Thread.batch_write() as batch:
        for n in range(10):
            batch.delete(Thread("batch", f"s{n:02}"))
    assert Thread.count("batch") == 20


def test_transactions_all_or_nothing(thread_model):
    Thread = thread_model
    Thread("tx", "a", author="ada", views=1).save()
    Thread("tx", "gate", author="ada", views=1).save()
    connection = Connection(
        region="us-east-1",
        host=Thread.Meta.host,
        aws_access_key_id=Thread.Meta.aws_access_key_id,
        aws_secret_access_key=Thread.Meta.aws_secret_access_key,
    )
    with pytest.raises(TransactWriteError) as cancelled:
        with TransactWrite(connection=connection) as tx:
            tx.save(Thread("tx", "b", author="bob"))
            tx.update(Thread("tx", "a"), actions=[Thread.views.add(1)])
            tx.condition_check(Thread, "tx", "gate", condition=Thread.views > 5)
    assert cancelled.value.cause_response_code == "TransactionCanceledException"
    # PynamoDB sends condition checks first, then puts, then updates, and maps the items that
    # caused nothing ("Code": "None") to None.
    assert [r and r.code for r in cancelled.value.cancellation_reasons] == [
        "ConditionalCheckFailed",
        None,
        None,
    ]
    assert Thread.count("tx") == 2 and Thread.get("tx", "a").views == 1
    with TransactWrite(connection=connection, client_request_token="once") as tx:
        tx.save(Thread("tx", "b", author="bob"))
        tx.update(Thread("tx", "a"), actions=[Thread.views.add(1)])
        tx.delete(Thread("tx", "none"))
    with TransactGet(connection=connection) as get:
        a = get.get(Thread, "tx", "a")
        b = get.get(Thread, "tx", "b")
    assert (a.get().views, b.get().author) == (2, "bob")
