"""Source plugins: each reads one file format into DDAS-shaped raw records.

A municipality adds a format by installing a package with an entry point in the group
``proactief.sources`` that names a class following the ``Source`` protocol (docs/plugins.md).
"""

from pathlib import Path

from proactief.plugins import GROUPS, PluginError, Registry
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
    "sources",
]

sources: Registry[type[Source]] = Registry(
    GROUPS["sources"],
    {DdasJsonSource.name: DdasJsonSource, CreditorCsvSource.name: CreditorCsvSource},
)
"""Every file format, by name: the built-ins, then the installed plug-ins."""


def source_for(path: Path) -> Source:
    """Pick the source plugin by file suffix (.json = DDAS JSON, .csv = creditor CSV, and
    the suffixes of installed plug-ins). A plug-in that cannot be loaded is named in the
    error when no other plug-in reads the file."""
    suffix = path.suffix.lower()
    known: list[str] = []
    broken: list[str] = []
    for name in sources.names():
        try:
            cls = sources.get(name)
        except PluginError as exc:
            broken.append(str(exc).split(";")[0])
            continue
        if suffix in cls.suffixes:
            return cls()
        known.extend(cls.suffixes)
    problem = f"unknown file type {suffix or '(none)'}; expected one of {', '.join(known)}"
    if broken:
        problem += " (not loaded: " + "; ".join(broken) + ")"
    raise IntakeFileError(path, problem)
