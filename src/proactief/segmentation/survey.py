"""Survey responses: loading from CSV or SPSS .sav, with errors that name respondent and item."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SurveyData", "SurveyError", "load_survey", "to_agree"]


class SurveyError(ValueError):
    """The survey file has problems; the message lists them with respondent and item."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:25])
        more = f"\n  ... and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        super().__init__(f"{path}: {len(self.problems)} problem(s):\n  {shown}{more}")


@dataclass(frozen=True)
class SurveyData:
    """Answers (respondents x items, NaN = missing) with ids and background variables."""

    answers: np.ndarray
    items: tuple[str, ...]
    respondent_ids: tuple[str, ...]
    background: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.answers.shape[0])

    def frame(self) -> pd.DataFrame:
        """Answers as a DataFrame with the item names as columns."""
        return pd.DataFrame(self.answers, columns=list(self.items), index=self.respondent_ids)


def to_agree(answers: np.ndarray, agree_from: float = 4) -> np.ndarray:
    """Top-2 box: 1.0 where the answer is >= ``agree_from``, 0.0 below, NaN stays NaN.

    >>> to_agree(np.array([[1, 4, np.nan, 5]])).tolist()
    [[0.0, 1.0, nan, 1.0]]
    """
    out = (answers >= agree_from).astype(float)
    out[np.isnan(answers)] = np.nan
    return out


def load_survey(
    path: Path | str,
    *,
    items: Sequence[str] | None = None,
    id_column: str | None = None,
    background: Sequence[str] = (),
    scale: Sequence[float] | None = (1, 2, 3, 4, 5),
    max_missing_share: float = 0.5,
) -> SurveyData:
    """Read survey answers from ``.csv`` or ``.sav`` (SPSS, via pyreadstat).

    Args:
        path: the file. One row per respondent, one column per item.
        items: the expected item columns. A column that is not an item, the id column or a
            background variable is an error. Default: every column that is not the id or
            background is an item (column names free).
        id_column: column with respondent ids (default: row numbers from 1).
        background: columns with background variables (kept, not used as items).
        scale: the allowed answer values; None accepts any number.
        max_missing_share: a respondent with more missing answers than this is an error.

    Raises:
        SurveyError: listing every unknown item, out-of-range answer (respondent and item)
            and respondent with too many missing answers.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".sav":
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path))
        else:
            frame = pd.read_csv(path, sep=None, engine="python")
    except FileNotFoundError as exc:
        raise SurveyError(path, ["the file does not exist"]) from exc
    except Exception as exc:  # any parser error means the file as a whole is unreadable
        raise SurveyError(path, [f"cannot read the file: {exc}"]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    problems: list[str] = []
    for column in (id_column, *background):
        if column and column not in frame.columns:
            problems.append(f"column {column!r} is not in the file")
    if problems:
        raise SurveyError(path, problems)
    non_items = {c for c in (id_column, *background) if c}
    if items is None:
        item_columns = [c for c in frame.columns if c not in non_items]
    else:
        unknown = [c for c in frame.columns if c not in non_items and c not in items]
        problems.extend(
            f"unknown item {c!r}: not one of the instrument's items (or declare it as background)"
            for c in unknown
        )
        missing_items = [c for c in items if c not in frame.columns]
        problems.extend(f"item {c!r} is missing from the file" for c in missing_items)
        item_columns = [c for c in items if c in frame.columns]
    if not item_columns:
        problems.append("no item columns found")
    if problems:
        raise SurveyError(path, problems)

    ids = (
        tuple(str(v) for v in frame[id_column])
        if id_column
        else tuple(str(i) for i in range(1, len(frame) + 1))
    )
    numeric = frame[item_columns].apply(pd.to_numeric, errors="coerce")
    raw = frame[item_columns]
    blank = raw.apply(lambda column: column.astype(str).str.strip() == "")
    not_numbers = numeric.isna() & raw.notna() & ~blank
    answers = numeric.to_numpy(dtype=float)
    where = "respondent {rid} (row {row}), item {item!r}"
    for r, c in zip(*np.nonzero(not_numbers.to_numpy()), strict=True):
        problems.append(
            where.format(rid=ids[r], row=r + 2, item=item_columns[c])
            + f": {raw.iat[r, c]!r} is not a number"
        )
    if scale is not None:
        allowed = np.array(sorted(scale), dtype=float)
        bad = ~np.isnan(answers) & ~np.isin(answers, allowed)
        for r, c in zip(*np.nonzero(bad), strict=True):
            problems.append(
                where.format(rid=ids[r], row=r + 2, item=item_columns[c])
                + f": answer {answers[r, c]:g} is outside the scale "
                f"{', '.join(f'{v:g}' for v in allowed)}"
            )
    missing = np.isnan(answers).mean(axis=1)
    for r in np.nonzero(missing > max_missing_share)[0]:
        problems.append(
            f"respondent {ids[r]} (row {r + 2}): {missing[r]:.0%} of the items missing "
            f"(more than {max_missing_share:.0%}); items missing: "
            + ", ".join(item_columns[c] for c in np.nonzero(np.isnan(answers[r]))[0][:10])
        )
    if problems:
        raise SurveyError(path, problems)
    return SurveyData(
        answers=answers,
        items=tuple(item_columns),
        respondent_ids=ids,
        background=frame[list(background)].reset_index(drop=True)
        if background
        else pd.DataFrame(index=range(len(frame))),
    )
