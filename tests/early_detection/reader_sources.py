"""Sources for the reading-process tests, in a module of their own so that intake's reading
process (a new interpreter) can import them by name."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from proactief.sources import IntakeFileError, RawRecord
from proactief.sources.ddas_json import DdasJsonSource


class BreaksAfter:
    """A DDAS file that turns out broken after ``n`` records, in a format whose structure
    cannot be checked ahead (count says None)."""

    name: ClassVar[str] = "breekt"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def __init__(self, n: int) -> None:
        self.n = n

    def count(self, path: Path) -> int | None:
        return None

    def read(self, path: Path) -> Iterator[RawRecord]:
        for index, record in enumerate(DdasJsonSource().read(path)):
            if index == self.n:
                raise IntakeFileError(path, f"record {index}: the file ends in the middle")
            yield record


class DiesAfter:
    """A DDAS file whose reading process is killed after ``n`` records (as by the kernel's
    out-of-memory killer): exit code 7, no message. Read in the intake's own process it
    reads on, so the test cannot kill itself."""

    name: ClassVar[str] = "sterft"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def __init__(self, n: int) -> None:
        self.n = n
        self.made_in = os.getpid()

    def count(self, path: Path) -> int | None:
        return DdasJsonSource().count(path)

    def read(self, path: Path) -> Iterator[RawRecord]:
        for index, record in enumerate(DdasJsonSource().read(path)):
            if index == self.n and os.getpid() != self.made_in:
                os._exit(7)
            yield record


def reading_processes() -> list[int]:
    """This process's children that run intake's reader (Linux /proc)."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"_reader_main" in command:
                found.append(int(pid))
    return found


class CannotStart(DdasJsonSource):
    """A source that cannot be set up in the reading process (say, a module it needs is
    missing there): the process stops before it reads anything."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        raise ImportError("a module this source needs is missing")
