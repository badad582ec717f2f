"""botocore's service models (`botocore/data/<service>/<version>/service-2.json`), the
specification every protocol and error class reads, each loaded once per process.

One botocore `Loader` for the process: it caches what it loads, including the list of every
service it knows, which it builds by listing botocore's data folder (about 35,000 `stat`s).
A `Loader()` made per call pays for that list and for reading the model again each time: the
server used to read some models three times while starting, and again at requests.
botocore is imported on first use: the CLI's help imports error classes and must start fast.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.loaders import Loader


@cache
def loader() -> Loader:
    from botocore.loaders import Loader

    return Loader()


def service_document(service: str) -> dict:
    """The model as botocore loads it (shared: copy before changing it)."""
    return loader().load_service_model(service, "service-2")
