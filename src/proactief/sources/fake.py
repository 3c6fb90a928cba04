"""An in-memory source for tests: yields the records it was given."""

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from proactief.domain.json import JsonObject
from proactief.sources.base import RawRecord


class FakeSource:
    """Returns fixed DDAS-shaped records, whatever path it is asked to read."""

    name: ClassVar[str] = "fake"
    suffixes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, records: Sequence[JsonObject]) -> None:
        self.records = list(records)

    def count(self, path: Path) -> int | None:
        return len(self.records)

    def read(self, path: Path) -> Iterator[RawRecord]:
        for index, record in enumerate(self.records):
            yield RawRecord(position=f"record {index}", data=record, raw=json.dumps(record))
