"""Source plugins: each reads one file format into DDAS-shaped raw records."""

from pathlib import Path

from proactief.sources.base import IntakeFileError, RawRecord, Source
from proactief.sources.creditor_csv import CreditorCsvSource
from proactief.sources.ddas_json import DdasJsonSource
from proactief.sources.fake import FakeSource

__all__ = [
    "CreditorCsvSource",
    "DdasJsonSource",
    "FakeSource",
    "IntakeFileError",
    "RawRecord",
    "Source",
    "source_for",
]

_REGISTRY: tuple[type[DdasJsonSource] | type[CreditorCsvSource], ...] = (
    DdasJsonSource,
    CreditorCsvSource,
)


def source_for(path: Path) -> Source:
    """Pick the source plugin by file suffix (.json = DDAS JSON, .csv = creditor CSV)."""
    suffix = path.suffix.lower()
    for cls in _REGISTRY:
        if suffix in cls.suffixes:
            return cls()
    known = ", ".join(s for cls in _REGISTRY for s in cls.suffixes)
    raise IntakeFileError(path, f"unknown file type {suffix or '(none)'}; expected one of {known}")
