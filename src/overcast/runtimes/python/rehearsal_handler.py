"""The handler module a spare environment loads in its rehearsal (rehearsal.py): what a
function's smallest handler module is."""


def handler(event, context):
    return {"event": event, "remaining_ms": context.get_remaining_time_in_millis()}
