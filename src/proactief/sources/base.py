"""The source plugin protocol: a source turns one file into raw records with positions."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from proactief.domain.json import JsonObject


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read from a file, before validation.

    ``data`` has the DDAS vroegsignaal shape (``ID``, ``signaalpartner.type``, ``client``,
    ...); ``position`` says where it stood (``line 12`` or ``leveringen[0].vroegsignalen[3]``).
    ``text_values`` is true when every value came in as text (CSV) and may be converted.
    ``raw`` is the record as it stood in the file; when None, it is ``data`` as JSON
    (made only for rejected records, which keeps intake fast).
    """

    position: str
    data: JsonObject
    raw: str | None = None
    text_values: bool = False

    def raw_text(self) -> str:
        """The record as text, for the quarantine."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.data, ensure_ascii=False, default=str)


class IntakeFileError(ValueError):
    """The file as a whole cannot be read; nothing in it was taken in."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class Source(Protocol):
    """A file format for vroegsignalen."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def read(self, path: Path) -> Iterator[RawRecord]:
        """Yield the records of ``path``; raise IntakeFileError if the file is unreadable."""
        ...

    def count(self, path: Path) -> int | None:
        """Number of records (for the progress bar), or None when unknown. Intake calls it
        before it stores anything: a source that can check the whole file's structure
        here raises IntakeFileError, with the position, so a broken file stores nothing."""
        ...
