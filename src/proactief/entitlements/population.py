"""Population files (one row per household) in and out, receipts, and the non-take-up scan."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from proactief.entitlements.catalog import regeling_names
from proactief.entitlements.engine import evaluate_population, step_ids
from proactief.entitlements.settings import MunicipalSettings

__all__ = [
    "PopulationError",
    "ScanResult",
    "add_person_counts",
    "load_persons",
    "load_population",
    "load_receipts",
    "merge_person_counts",
    "person_counts",
    "scan_non_take_up",
    "write_table",
]


class PopulationError(ValueError):
    """A population or receipts file cannot be used."""

    @classmethod
    def unreadable(cls, label: str, exc: Exception) -> "PopulationError":
        """The file is missing, or cannot be read as a whole."""
        if isinstance(exc, FileNotFoundError):
            return cls(f"{label}: dit bestand bestaat niet / the file does not exist")
        return cls(f"{label}: dit bestand is niet te lezen / cannot read it ({exc})")

    @classmethod
    def no_household_id(cls, label: str) -> "PopulationError":
        return cls(
            f"{label}: de kolom household_id ontbreekt / the column 'household_id' is missing"
        )

    @classmethod
    def household_twice(cls, label: str, line: int, value: object) -> "PopulationError":
        return cls(
            f"{label}: regel {line}, household_id {value!r} komt vaker voor (één regel per "
            f"huishouden) / line {line}: household_id {value!r} occurs more than once (one "
            "row per household)"
        )


def _read(path: Path, naam: str | None = None) -> pd.DataFrame:
    label = naam or str(path)
    suffix = Path(label).suffix.lower() if naam else path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            with path.open(encoding="utf-8") as handle:
                header = handle.readline()
            sep = ";" if header.count(";") > header.count(",") else ","
            # the pyarrow reader is several times faster on large files (multi-threaded)
            return pd.read_csv(path, sep=sep, engine="pyarrow")
    except Exception as exc:  # missing, or any parser error: the file as a whole
        raise PopulationError.unreadable(label, exc) from exc
    raise PopulationError(
        f"{label}: onbekend soort bestand {suffix or '(zonder extensie)'}, gebruik .csv of "
        f".parquet / unknown file type {suffix}; use .csv or .parquet"
    )


def load_population(path: Path, *, naam: str | None = None) -> pd.DataFrame:
    """Households, one per row, with a ``household_id`` column (see docs/entitlements.md);
    ``naam``: the file's name in messages (an upload is read from a temporary file)."""
    frame = _read(path, naam)
    label = naam or str(path)
    if "household_id" not in frame.columns:
        raise PopulationError.no_household_id(label)
    duplicated = frame["household_id"][frame["household_id"].duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise PopulationError.household_twice(label, line, duplicated.iloc[0])
    return frame


def load_persons(path: Path, *, naam: str | None = None) -> pd.DataFrame:
    """Persons: rows of (household_id, leeftijd), one per member of a household."""
    frame = _read(path, naam)
    label = naam or str(path)
    _columns(frame, {"household_id", "leeftijd"}, label)
    ages = pd.to_numeric(frame["leeftijd"], errors="coerce")
    bad = frame.index[ages.isna() | (ages < 0) | (ages > 130)]
    if len(bad):
        row = int(bad[0])
        value = frame.loc[row, "leeftijd"]
        raise PopulationError(
            f"{label}: regel {row + 2}, veld leeftijd: {value!r} is geen leeftijd van 0 tot "
            f"130 / line {row + 2}, field leeftijd: {value!r} is not an age from 0 to 130"
        )
    return frame.assign(leeftijd=ages)


def person_counts(persons: pd.DataFrame) -> pd.DataFrame:
    """Per household (the index): children per age band, number of adults and the oldest
    adult's age, from a persons table (one row per member)."""
    age = persons["leeftijd"]
    counts = pd.DataFrame(
        {
            "household_id": persons["household_id"],
            "kinderen_0_11": (age <= 11).astype(int),
            "kinderen_12_15": ((age >= 12) & (age <= 15)).astype(int),
            "kinderen_16_17": ((age >= 16) & (age <= 17)).astype(int),
            "aantal_volwassenen": (age >= 18).astype(int),
            "leeftijd_aanvrager": age.where(age >= 18),
        }
    )
    return counts.groupby("household_id").agg(
        kinderen_0_11=("kinderen_0_11", "sum"),
        kinderen_12_15=("kinderen_12_15", "sum"),
        kinderen_16_17=("kinderen_16_17", "sum"),
        aantal_volwassenen=("aantal_volwassenen", "sum"),
        leeftijd_aanvrager=("leeftijd_aanvrager", "max"),
    )


def merge_person_counts(households: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Households with the :func:`person_counts` in place of their own such columns."""
    base = households.drop(columns=[c for c in counts.columns if c in households.columns])
    return base.merge(counts, left_on="household_id", right_index=True, how="left")


def add_person_counts(households: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Fill in children per age band, number of adults and the oldest adult's age per
    household from a persons table (households x persons -> one row per household)."""
    return merge_person_counts(households, person_counts(persons))


def load_receipts(path: Path, *, naam: str | None = None) -> pd.DataFrame:
    """Current receipts: rows of (household_id, regeling)."""
    frame = _read(path, naam)
    label = naam or str(path)
    _columns(frame, {"household_id", "regeling"}, label)
    known = regeling_names()
    unknown = sorted(set(frame["regeling"]) - set(known))
    if unknown:
        line = int(frame.index[frame["regeling"] == unknown[0]][0]) + 2
        raise PopulationError(
            f"{label}: regel {line}, veld regeling: {unknown[0]!r} kennen wij niet (wel: "
            f"{', '.join(known)}) / line {line}: unknown regeling {unknown[0]!r}; known: "
            f"{', '.join(known)}"
        )
    return frame


def _columns(frame: pd.DataFrame, needed: set[str], label: str) -> None:
    missing = ", ".join(sorted(needed - set(frame.columns)))
    if missing:
        raise PopulationError(
            f"{label}: de kolom(men) {missing} ontbreken / missing column(s) {missing}"
        )


def apply_receipts(population: pd.DataFrame, receipts: pd.DataFrame) -> pd.DataFrame:
    """Add ``ontvangt_<regeling>`` columns from the receipts."""
    out = population.copy()
    for regeling, group in receipts.groupby("regeling"):
        out[f"ontvangt_{regeling}"] = out["household_id"].isin(set(group["household_id"]))
    return out


@dataclass(frozen=True)
class ScanResult:
    """Households entitled but not receiving, and a summary per regulation."""

    results: pd.DataFrame
    missed: pd.DataFrame
    summary: pd.DataFrame
    missed_rows: np.ndarray
    """For each row of ``missed``, the position of its household in the population."""


def scan_non_take_up(
    population: pd.DataFrame,
    *,
    jaar: int,
    receipts: pd.DataFrame | None = None,
    regelingen: Sequence[str] | None = None,
    settings: MunicipalSettings | None = None,
) -> ScanResult:
    """Evaluate the regulations (default: every one, installed ones too) and list what
    households miss, largest amount first."""
    frame = apply_receipts(population, receipts) if receipts is not None else population
    regelingen = regeling_names() if regelingen is None else tuple(regelingen)
    # statuses and amounts for everyone; the rule steps only for the rows the list keeps
    results = evaluate_population(
        frame, jaar=jaar, regelingen=regelingen, settings=settings, stappen=False
    )
    rows = []
    positions = []
    summary = []
    for regeling in regelingen:
        status = results[f"{regeling}_status"]
        cents = results[f"{regeling}_bedrag_centen"]
        missed = (status == "recht_niet_ontvangen").to_numpy()
        positions.append(np.flatnonzero(missed))
        maybe = status == "mogelijk_recht_gegevens_nodig"
        part = pd.DataFrame(
            {
                "household_id": results.loc[missed, "household_id"],
                "regeling": regeling,
                "bedrag_per_jaar": cents[missed].astype("float64") / 100,
                "stappen": step_ids(regeling, frame[missed], jaar=jaar, settings=settings),
            }
        )
        rows.append(part)
        summary.append(
            {
                "regeling": regeling,
                "recht_niet_ontvangen": int(missed.sum()),
                "bedrag_per_jaar_totaal": round(float(part["bedrag_per_jaar"].sum()), 2),
                "mogelijk_recht_gegevens_nodig": int(maybe.sum()),
                "ontvangt": int((status == "ontvangt").sum()),
            }
        )
    missed_all = pd.concat(rows, ignore_index=True).sort_values(
        "bedrag_per_jaar", ascending=False, kind="stable"
    )
    # the index still numbers the rows as concatenated: it orders their positions alike
    missed_rows = np.concatenate(positions)[missed_all.index.to_numpy()]
    return ScanResult(
        results=results,
        missed=missed_all,
        summary=pd.DataFrame(summary),
        missed_rows=missed_rows,
    )


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write CSV or Parquet, by the file suffix (CSV through pyarrow: fast on large files)."""
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
        return
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    plain = frame.copy()
    for column in plain.columns:
        if isinstance(plain[column].dtype, pd.CategoricalDtype):
            plain[column] = plain[column].astype(str)
    pa_csv.write_csv(pa.Table.from_pandas(plain, preserve_index=False), str(path))
