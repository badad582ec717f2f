"""Lambda's SnapStart runtime hooks for Python, under the module name Lambda ships.

    from snapshot_restore_py import register_before_snapshot, register_after_restore

    @register_before_snapshot
    def close_connections(): ...

    @register_after_restore
    def reseed(): ...

Hooks run in registration order: before-snapshot hooks once in the template after init,
after-restore hooks in every environment restored from it.
"""

_before_snapshot = []
_after_restore = []


def register_before_snapshot(func, *args, **kwargs):
    _before_snapshot.append((func, args, kwargs))
    return func


def register_after_restore(func, *args, **kwargs):
    _after_restore.append((func, args, kwargs))
    return func


def get_before_snapshot():
    return list(_before_snapshot)


def get_after_restore():
    return list(_after_restore)
