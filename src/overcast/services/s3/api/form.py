"""A multipart/form-data body read as it arrives (python-multipart's streaming parser): each
part's start (its form field name, file name and type), its bytes, and its end, in order,
so that a browser POST's file goes to a blob a chunk at a time, never held whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from overcast.services.s3.errors import MalformedPOSTRequest

MALFORMED = "The body of your POST request is not well-formed multipart/form-data."


@dataclass(frozen=True)
class FormPart:
    """A part's headers: its field `name` (lower case: S3 takes field names in any case),
    the `filename` a file field names, and its Content-Type."""

    name: str
    filename: str | None = None
    content_type: str | None = None


Event = tuple[str, object]  # ("part", FormPart) | ("data", bytes) | ("end", None)


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise MalformedPOSTRequest(MALFORMED)
    return boundary


class FormReader:
    """Feed it the body's chunks; each feed returns the events they complete."""

    def __init__(self, content_type: str) -> None:
        self._events: list[Event] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self.ended = False
        self._parser = MultipartParser(
            boundary_of(content_type),
            {
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    def feed(self, chunk: bytes) -> list[Event]:
        try:
            self._parser.write(chunk)
        except MultipartParseError:
            raise MalformedPOSTRequest(MALFORMED) from None
        events, self._events = self._events, []
        return events

    def finish(self) -> None:
        """At the end of the body: it must have ended as multipart/form-data ends."""
        if not self.ended:
            raise MalformedPOSTRequest(MALFORMED)

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name")
        if name is None:
            raise MalformedPOSTRequest(MALFORMED)
        filename = options.get(b"filename")
        content_type = self._headers.get(b"content-type")
        part = FormPart(
            name.decode("utf-8", "replace").lower(),
            filename.decode("utf-8", "replace") if filename is not None else None,
            content_type.decode("latin-1") if content_type is not None else None,
        )
        self._headers = {}
        self._events.append(("part", part))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", bytes(data[start:end])))

    def _on_part_end(self) -> None:
        self._events.append(("end", None))

    def _on_end(self) -> None:
        self.ended = True
