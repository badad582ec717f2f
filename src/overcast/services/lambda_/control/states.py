"""How a function's state and RevisionId move through a create or an update, as on Lambda.

Lambda gives each step of a change a revision of its own (recorded against AWS in LocalStack's
validated snapshots, `TestLambdaRevisions`):

- CreateFunction answers Pending at revision 1; once Active, GetFunction shows revision 2.
- UpdateFunctionCode / UpdateFunctionConfiguration answer LastUpdateStatus InProgress at a new
  revision 3; once the update is applied (Successful), GetFunction shows yet another, 4.
- PublishVersion gives the version a revision of its own and moves $LATEST's on as well.

Overcast applies a change before it answers, so the in-between revision is the one the answer
(and GetFunction while the code is being stored) shows, and the settled one is what is kept.
"""

from __future__ import annotations

from dataclasses import replace

from overcast.aws.clock import new_revision_id
from overcast.services.lambda_.model.configuration import Configuration, State, UpdateStatus

# Lambda's wording for both a create and an update in progress.
BEING_CREATED = "The function is being created."


def creating(config: Configuration) -> Configuration:
    """How CreateFunction's response shows a new function (Lambda: Pending, Creating)."""
    return replace(
        config,
        state=State.PENDING,
        state_reason=BEING_CREATED,
        state_reason_code="Creating",
        last_update_status=None,
    )


def updating(config: Configuration) -> Configuration:
    """How an update's response shows the function (Lambda: LastUpdateStatus InProgress)."""
    return replace(
        config,
        last_update_status=UpdateStatus.IN_PROGRESS,
        last_update_status_reason=BEING_CREATED,
        last_update_status_reason_code="Creating",
    )


def settled(config: Configuration) -> Configuration:
    """`config` once its create or update is done: Active, Successful, at a new revision."""
    return replace(
        config,
        revision_id=new_revision_id(),
        state=State.ACTIVE,
        state_reason=None,
        state_reason_code=None,
        last_update_status=UpdateStatus.SUCCESSFUL,
        last_update_status_reason=None,
        last_update_status_reason_code=None,
    )
