"""The creditor CSV format (documented in docs/intake-formats.md).

One signal per line, a header line with these column names (order free, ``;`` or ``,``):

    signaal_id, signaalpartner, bsn, geslacht, geboortedatum, postcode, huisnummer,
    huisnummertoevoeging, bedrag, ontstaansdatum, signaaldatum, crisissignaal,
    warme_overdracht

Either ``bsn`` or ``geslacht`` + ``geboortedatum`` + ``postcode`` + ``huisnummer`` is filled.
"""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from proactief.domain.json import JsonObject
from proactief.sources.base import IntakeFileError, RawRecord

REQUIRED_COLUMNS = ("signaal_id", "signaalpartner", "bedrag", "ontstaansdatum", "signaaldatum")
OPTIONAL_COLUMNS = (
    "bsn",
    "geslacht",
    "geboortedatum",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
    "crisissignaal",
    "warme_overdracht",
)
CLIENT_COLUMNS = {
    "bsn": "burgerservicenummer",
    "geslacht": "geslachtsaanduiding",
    "geboortedatum": "geboortedatum",
    "postcode": "postcode",
    "huisnummer": "huisnummer",
    "huisnummertoevoeging": "huisnummertoevoeging",
}


class CreditorCsvSource:
    """Reads the creditor CSV format into DDAS-shaped raw records."""

    name: ClassVar[str] = "creditor-csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def count(self, path: Path) -> int:
        """The number of records; reads the whole file first, so a line that is not UTF-8
        or not CSV (a field over the csv module's limit, a broken quote) stops the intake
        with its line number before anything is stored."""
        return sum(1 for _ in self.read(path))

    def _header(self, path: Path, first_line: str) -> str:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        columns = [c.strip().lower() for c in first_line.strip().split(delimiter)]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise IntakeFileError(
                path,
                f"line 1: the header misses the column(s) {', '.join(missing)}; "
                f"expected {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)} "
                "(see docs/intake-formats.md)",
            )
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise IntakeFileError(
                path,
                f"line 1: the column(s) {', '.join(twice)} appear more than once; which one "
                "counts is unclear, so nothing is taken in",
            )
        unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if unknown:
            raise IntakeFileError(
                path, f"line 1: unknown column(s) {', '.join(unknown)} (see docs/intake-formats.md)"
            )
        return delimiter

    def read(self, path: Path) -> Iterator[RawRecord]:
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc
        with handle:
            try:
                first = handle.readline()
            except UnicodeDecodeError as exc:
                raise IntakeFileError(path, "the file is not UTF-8 text") from exc
            if not first.strip():
                raise IntakeFileError(path, "the file is empty; expected a header line")
            delimiter = self._header(path, first)
            header = [c.strip().lower() for c in first.strip().split(delimiter)]
            reader = csv.reader(handle, delimiter=delimiter)
            line = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    raise IntakeFileError(
                        path, f"line {line + 1}: the file is not UTF-8 text"
                    ) from exc
                except csv.Error as exc:
                    raise IntakeFileError(
                        path, f"line {reader.line_num + 1}: not readable as CSV ({exc})"
                    ) from exc
                line = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                raw = delimiter.join(row)
                if len(row) != len(header):
                    yield RawRecord(
                        position=f"line {line}",
                        data={"__columns__": (len(row), len(header))},
                        raw=raw,
                        text_values=True,
                    )
                    continue
                yield RawRecord(
                    position=f"line {line}",
                    data=_to_ddas_shape(dict(zip(header, row, strict=True))),
                    raw=raw,
                    text_values=True,
                )


def _to_ddas_shape(row: dict[str, str]) -> JsonObject:
    client = {
        ddas: row[col].strip()
        for col, ddas in CLIENT_COLUMNS.items()
        if row.get(col, "").strip() != ""
    }
    data: JsonObject = {
        "ID": row["signaal_id"].strip(),
        "signaalpartner": {"type": row["signaalpartner"].strip()},
        "client": client,
        "bedrag": row["bedrag"].strip(),
        "ontstaansdatum": row["ontstaansdatum"].strip(),
        "signaaldatum": row["signaaldatum"].strip(),
    }
    for col, key in (("crisissignaal", "crisissignaal"), ("warme_overdracht", "warmeOverdracht")):
        if row.get(col, "").strip():
            data[key] = row[col].strip()
    return data
