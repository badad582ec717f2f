"""What stored code the control plane still uses: the census the code collector works from
(store/code_collector.py), taken under the control plane's locks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.control.layers import LayerService
from overcast.store.code import CodeStore
from overcast.store.code_collector import References


class CodeCensus:
    def __init__(self, catalog: Catalog, layers: LayerService, code_store: CodeStore) -> None:
        self.catalog = catalog
        self.layers = layers
        self.code_store = code_store

    @contextmanager
    def take(self) -> Iterator[References | None]:
        """Hold the catalog's and the layers' locks while open (the collector moves what it
        removes meanwhile); None while an upload has stored code it has not yet recorded (a
        function `busy` creating or updating its code, a layer version being published)."""
        with self.catalog.lock, self.layers.lock:
            entries = self.catalog.all()
            if self.layers.uploading or any(entry.busy for entry in entries):
                yield None
                return
            yield self._references(entries)

    def _references(self, entries: list) -> References:
        packages = self.layers.code_in_use()
        merged = set()
        for entry in entries:
            for config in [entry.latest, *entry.versions.values()]:
                if config.code_sha256:
                    packages.add(config.code_sha256)
                if config.layers:
                    # A version keeps its layers' code even after a layer version is deleted.
                    shas = [layer.code_sha256 for layer in config.layers]
                    packages.update(shas)
                    merged.add(self.code_store.merged_path(shas).name)
        return References(frozenset(packages), frozenset(merged))
