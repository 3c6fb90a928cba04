"""The survey instrument of the HU segmentation study as data.

28 statements (26 with published agreement per segment), their dimension, Dutch text,
wording direction and answer scale. Source: seed 001 (Segmentatiestudie Proactieve
Dienstverlening, Hogeschool Utrecht 2026), extracted in ``data/segment_profiles.csv``;
segment names and shares in ``data/segments.yaml``.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

__all__ = ["LIKERT_SCALE", "Instrument", "Segment", "Statement", "hu_instrument"]

LIKERT_SCALE = (1, 2, 3, 4, 5)
"""1 = helemaal oneens ... 5 = helemaal eens; 'agree' is the top-2 box (4 or 5)."""
AGREE_FROM = 4


@dataclass(frozen=True, slots=True)
class Statement:
    """One survey statement."""

    item_id: str
    dimension: str
    dimension_nl: str
    text_nl: str
    negatively_worded: bool
    pct_agree: tuple[float, float, float] | None
    """Published % agreeing (top-2 box) in segment 1, 2, 3; None where not published."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One of the three segments of the study."""

    number: int
    name_nl: str
    name_en: str
    share: float


@dataclass(frozen=True, slots=True)
class Instrument:
    """The statements plus the published segment model."""

    statements: tuple[Statement, ...]
    segments: tuple[Segment, ...]
    scale: tuple[int, ...] = LIKERT_SCALE

    @property
    def item_ids(self) -> tuple[str, ...]:
        """All 28 item ids, in questionnaire order."""
        return tuple(s.item_id for s in self.statements)

    @property
    def published(self) -> tuple[Statement, ...]:
        """The 26 statements with published figures."""
        return tuple(s for s in self.statements if s.pct_agree is not None)

    def shares(self) -> np.ndarray:
        """Published segment shares (sum 1)."""
        shares = np.array([s.share for s in self.segments], dtype=float)
        return np.asarray(shares / shares.sum())

    def agree_probabilities(self) -> np.ndarray:
        """Published P(agree) per segment x published statement, shape (3, 26)."""
        return np.array([s.pct_agree for s in self.published], dtype=float).T / 100.0

    def statement(self, item_id: str) -> Statement:
        """Look a statement up by id."""
        for s in self.statements:
            if s.item_id == item_id:
                return s
        raise KeyError(f"unknown item {item_id!r}; known items: {', '.join(self.item_ids)}")


class _SegmentRow(BaseModel):
    """What the instrument reads of one segment (the file says much more, for people)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: int
    name_nl: str
    name_en: str
    share_pct: float


class _SegmentsFile(BaseModel):
    """data/segments.yaml, as far as the instrument reads it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    segments: list[_SegmentRow]


@cache
def hu_instrument() -> Instrument:
    """The HU instrument with its published figures (loaded from the shipped data)."""
    base = resources.files("proactief.segmentation").joinpath("data")
    statements = []
    with base.joinpath("segment_profiles.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cells = (row["pct_seg1"], row["pct_seg2"], row["pct_seg3"])
            pct = None if any(c == "" for c in cells) else tuple(float(c) for c in cells)
            statements.append(
                Statement(
                    item_id=row["item_id"],
                    dimension=row["dimension"],
                    dimension_nl=row["dimension_nl"],
                    text_nl=row["statement_nl"],
                    negatively_worded=row["negatively_worded"] == "1",
                    pct_agree=pct,  # type: ignore[arg-type]
                )
            )
    meta = _SegmentsFile.model_validate(
        yaml.safe_load(base.joinpath("segments.yaml").read_text(encoding="utf-8"))
    )
    segments = tuple(
        Segment(number=s.id, name_nl=s.name_nl, name_en=s.name_en, share=s.share_pct / 100.0)
        for s in meta.segments
    )
    return Instrument(statements=tuple(statements), segments=segments)
