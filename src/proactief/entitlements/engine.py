"""The vectorised rule engine: every regulation over a whole population at once, with the
rule steps that decided each outcome, and explanations down to the article.

A regulation lives in ``regelingen/<name>/``: ``parameters.yaml`` (dated values with their
source), ``rules.py`` (the formulas, vectorised with NumPy, one predicate or quantity per
function) and ``tests.yaml`` (plain-language cases run by pytest).
"""

import importlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Protocol, TypedDict, cast

import numpy as np
import pandas as pd

from proactief.domain import RegelingStatus
from proactief.domain.json import JsonObject
from proactief.entitlements.catalog import BUILTIN_REGELINGEN, regeling_names, rules_module_name
from proactief.entitlements.parameters import (
    Parameter,
    ParameterMissingError,
    ParameterValue,
    Source,
    load_parameters,
)
from proactief.entitlements.settings import MunicipalSettings

__all__ = [
    "ENGINE_VERSION",
    "REGELINGEN",
    "STATUS_NAMES",
    "Computed",
    "Explanation",
    "Outcome",
    "Params",
    "Status",
    "Step",
    "StepMarker",
    "compute",
    "compute_population",
    "euro",
    "evaluate_population",
    "explain",
    "inputs_of",
    "provenance",
    "rules_hash",
    "step_ids",
]

ENGINE_VERSION = "1.0.0"
REGELINGEN = BUILTIN_REGELINGEN
"""The built-in regulations; :func:`~proactief.entitlements.catalog.regeling_names` adds the
installed ones."""


class Status(IntEnum):
    """Outcome per household and regulation."""

    GEEN_RECHT = 0
    RECHT_NIET_ONTVANGEN = 1
    ONTVANGT = 2
    MOGELIJK_RECHT_GEGEVENS_NODIG = 3


STATUS_NAMES = {
    Status.GEEN_RECHT: RegelingStatus.GEEN_RECHT.value,
    Status.RECHT_NIET_ONTVANGEN: RegelingStatus.RECHT_NIET_ONTVANGEN.value,
    Status.ONTVANGT: RegelingStatus.ONTVANGT.value,
    Status.MOGELIJK_RECHT_GEGEVENS_NODIG: RegelingStatus.MOGELIJK_RECHT_GEGEVENS_NODIG.value,
}
"""The vectorised codes as the scan stores them (domain.RegelingStatus)."""
STATUS_NL = {
    Status.GEEN_RECHT: "Geen recht",
    Status.RECHT_NIET_ONTVANGEN: "U heeft waarschijnlijk recht, maar u krijgt het nu niet",
    Status.ONTVANGT: "U krijgt dit al",
    Status.MOGELIJK_RECHT_GEGEVENS_NODIG: "Misschien heeft u recht. We hebben meer gegevens nodig",
}


def euro(amount: float, *, cents: bool = False) -> str:
    """Dutch notation: 30.000 euro, or 1.573,42 euro with ``cents``.

    >>> euro(28406)
    '28.406 euro'
    >>> euro(1573.422, cents=True)
    '1.573,42 euro'
    """
    text = f"{amount:,.2f}" if cents else f"{amount:,.0f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + " euro"


@dataclass(frozen=True, slots=True)
class Step:
    """One readable rule step: what was checked, with the article it comes from."""

    id: str
    tekst: str
    """Dutch (B1) sentence; ``{name}`` is filled from the step values."""
    bron: str
    """The parameter whose source is cited, or a literal citation."""


@dataclass
class Outcome:
    """What a regulation's rules return for every household (arrays of equal length)."""

    entitled: np.ndarray
    needs_data: np.ndarray
    amount: np.ndarray
    """Euros per year, NaN where no amount can be computed."""
    steps: np.ndarray
    """Bitmask of the steps that applied (bit i = STEPS[i])."""
    values: dict[str, np.ndarray | float] = field(default_factory=dict)
    """The quantities the steps are filled with: an array per household, or one number
    for all (a parameter)."""


class StepMarker:
    """Collects, per household, which rule steps applied (as a bitmask).

    With ``record=False`` it marks nothing (a scan over a whole population needs only
    statuses and amounts; the steps are made again on request for the rows kept)."""

    def __init__(self, steps: Sequence[Step], n: int, *, record: bool = True) -> None:
        self._bit = {step.id: np.int64(1) << np.int64(i) for i, step in enumerate(steps)}
        self.bits = np.zeros(n, dtype=np.int64)
        self.record = record

    def __call__(self, condition: np.ndarray, step_id: str) -> None:
        """Mark ``step_id`` for the households where ``condition`` holds."""
        if self.record:
            self.bits |= np.where(condition, self._bit[step_id], 0)


class Params:
    """The parameters of one period, recording every value used (for provenance)."""

    def __init__(self, regelingen: Iterable[str], when: date, *, explaining: bool = True) -> None:
        self.when = when
        self.explaining = explaining
        """False in a scan: the rules need not mark their steps (:meth:`marker`)."""
        self.sets = {name: load_parameters(name) for name in regelingen}
        for pset in self.sets.values():
            pset.check_year(when.year)
        self.used: dict[tuple[str, str], ParameterValue] = {}

    def marker(self, steps: Sequence[Step], n: int) -> StepMarker:
        """The step marker for ``n`` households: one that records only when explaining."""
        return StepMarker(steps, n, record=self.explaining)

    def _find(self, name: str) -> tuple[str, Parameter]:
        for regeling, pset in self.sets.items():
            if name in pset.parameters:
                return regeling, pset.parameters[name]
        raise KeyError(f"no parameter {name!r} in {', '.join(self.sets)}")

    def entry(self, name: str) -> ParameterValue:
        """The dated value that applies (its number may be None when unverified)."""
        regeling, parameter = self._find(name)
        value = parameter.at(self.when)
        self.used[(regeling, name)] = value
        return value

    def __call__(self, name: str) -> float:
        """The number; raises ParameterMissingError when it is unknown for the period."""
        value = self.entry(name)
        if value.waarde is None:
            regeling, _ = self._find(name)
            raise ParameterMissingError(regeling, name, self.when)
        return value.waarde

    def maybe(self, name: str) -> float | None:
        """The number, or None when it is not known (unverified) for the period."""
        return self.entry(name).waarde

    def previous_known(self, name: str) -> float | None:
        """The latest known number from an earlier period."""
        _regeling, parameter = self._find(name)
        earlier = parameter.last_known_before(self.when)
        return None if earlier is None else earlier.waarde

    def source(self, name: str) -> Source:
        """Where the parameter is laid down."""
        return self._find(name)[1].bron


class Regeling(Protocol):
    """What a regulation's rules module offers (``regelingen/<naam>/rules.py``, or an
    installed plug-in module with its ``parameters.yaml`` beside it)."""

    TITEL: str
    """The regulation's name for residents."""
    USES: Sequence[str]
    """The parameter sets it reads (its own, and shared ones such as ``bijstandsnorm``)."""
    INPUTS: Mapping[str, float]
    """Household columns it reads, with the value when a column is absent (NaN: unknown)."""
    STEPS: Sequence[Step]
    """Every rule step it can mark, in bit order."""

    def evaluate(
        self,
        households: dict[str, np.ndarray],
        params: Params,
        settings: MunicipalSettings,
        /,
    ) -> Outcome:
        """The outcome for every household at once (arrays of equal length)."""
        ...


_MEMBERS = ("TITEL", "USES", "INPUTS", "STEPS", "evaluate")


def _module(regeling: str) -> Regeling:
    name = rules_module_name(regeling)
    module = importlib.import_module(name)
    missing = [m for m in _MEMBERS if not hasattr(module, m)]
    if missing:
        raise TypeError(
            f"regeling {regeling!r} ({name}) lacks {', '.join(missing)}; a rules module has "
            f"{', '.join(_MEMBERS)} (proactief.entitlements.engine.Regeling)"
        )
    return cast(Regeling, module)


def provenance(regelingen: Sequence[str] | None = None) -> JsonObject:
    """Engine version and the fingerprint of each regulation's files."""
    out: JsonObject = {"engine_version": ENGINE_VERSION, "regelingen": {}}
    for regeling in regeling_names() if regelingen is None else regelingen:
        module = _module(regeling)
        out["regelingen"][regeling] = {name: load_parameters(name).sha256 for name in module.USES}
    return out


def rule_sources(regeling: str) -> tuple[str, tuple[Source | str, ...]]:
    """The regulation's title and the source of each of its rule steps, in step order
    without repeats: a parameter's law and article, or the literal citation a step names
    (what the algorithm register lists, so it says what the rules run on)."""
    module = _module(regeling)
    sets = [load_parameters(name) for name in module.USES]
    out: list[Source | str] = []
    for step in module.STEPS:
        found: Source | str = step.bron
        for params in sets:
            if step.bron in params.parameters:
                found = params.parameters[step.bron].bron
                break
        if found not in out:
            out.append(found)
    return module.TITEL, tuple(out)


def inputs_of(regeling: str) -> tuple[str, ...]:
    """The household values a regulation reads: all that must be kept to explain one
    household's outcome again later (data minimisation: nothing else)."""
    return tuple(_module(regeling).INPUTS)


def rules_hash(regelingen: Sequence[str] | None = None) -> str:
    """One SHA-256 over the files of every regulation used (for a result's provenance)."""
    import hashlib

    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for regeling in sorted(regeling_names() if regelingen is None else regelingen):
        for name, sha in sorted(provenance([regeling])["regelingen"][regeling].items()):
            digest.update(f"{name}:{sha}".encode())
    return digest.hexdigest()


def _numbers(column: pd.Series) -> bool:
    return bool(
        pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
    )


def _column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default, dtype=float)
    column = frame[name]
    if _numbers(column):
        # already numbers: no parsing (a float64 column is used as it is, without a copy)
        return np.asarray(column.to_numpy(dtype=float, na_value=np.nan))
    return np.asarray(pd.to_numeric(column, errors="coerce").to_numpy(dtype=float))


def household_arrays(frame: pd.DataFrame, inputs: Mapping[str, float]) -> dict[str, np.ndarray]:
    """The input columns a regulation needs, as float arrays (booleans as 0/1; a missing
    column gets the documented default, NaN = unknown)."""
    arrays = {}
    for name, default in inputs.items():
        if name in frame.columns and not _numbers(frame[name]):
            # text (object, or pandas' string dtype): yes/no words, else a number
            lowered = frame[name].astype(str).str.strip().str.lower()
            mapped = lowered.map(
                {"true": 1.0, "ja": 1.0, "1": 1.0, "false": 0.0, "nee": 0.0, "0": 0.0}
            )
            numeric = pd.to_numeric(frame[name], errors="coerce")
            arrays[name] = np.asarray(mapped.fillna(numeric).to_numpy(dtype=float))
        else:
            arrays[name] = _column(frame, name, default)
    return arrays


def _statuses(outcome: Outcome, receives: np.ndarray | None) -> np.ndarray:
    # GEEN_RECHT 0, RECHT_NIET_ONTVANGEN 1; any true value counts as entitled
    status = np.asarray(outcome.entitled, dtype=bool).astype(np.int8)
    status[outcome.needs_data] = Status.MOGELIJK_RECHT_GEGEVENS_NODIG
    if receives is not None:
        status[(receives > 0) & (status != Status.GEEN_RECHT)] = Status.ONTVANGT
    return status


def _step_strings(masks: np.ndarray, steps: Sequence[Step]) -> np.ndarray:
    unique, inverse = np.unique(masks, return_inverse=True)
    names = np.array(
        [";".join(s.id for i, s in enumerate(steps) if int(u) >> i & 1) for u in unique],
        dtype=object,
    )
    return np.asarray(names[inverse])


BLOCK = 131_072
"""Households evaluated at a time. A block's arrays stay in the processor's cache, and the
blocks run side by side on the processor's cores; both make a regulation's chain of array
operations faster than over a whole population at once (docs/benchmarks-rules.md)."""


@dataclass(frozen=True, slots=True)
class Computed:
    """One regulation's outcome for every household, as arrays (no explanation)."""

    status: np.ndarray
    """:class:`Status` codes (int8)."""
    amount: np.ndarray
    """Euros per year; NaN where no amount can be computed."""
    steps: np.ndarray | None = None
    """Bitmask of the rule steps that applied, when asked for (``explaining``)."""

    def cents(self) -> pd.arrays.IntegerArray:
        """The amount in whole cents, missing where there is none."""
        cents = np.round(self.amount * 100)
        missing = np.isnan(cents)
        return pd.arrays.IntegerArray(np.where(missing, 0, cents).astype("int64"), missing)


def compute(
    regeling: str,
    frame: pd.DataFrame,
    *,
    jaar: int,
    settings: MunicipalSettings | None = None,
    explaining: bool = False,
) -> Computed:
    """Status and amount of one regulation for every household of ``frame``, computed as
    arrays block by block; the rule steps only when ``explaining``."""
    module = _module(regeling)
    params = Params(module.USES, date(jaar, 1, 1), explaining=explaining)
    arrays = household_arrays(frame, module.INPUTS)
    received = f"ontvangt_{regeling}"
    receives = np.nan_to_num(_column(frame, received, 0.0)) if received in frame.columns else None
    chosen = settings or MunicipalSettings()
    n = len(frame)
    status = np.empty(n, dtype=np.int8)
    amount = np.empty(n, dtype=float)
    steps = np.zeros(n, dtype=np.int64) if explaining else None

    def run(start: int) -> None:
        block = slice(start, start + BLOCK)
        outcome = module.evaluate({k: v[block] for k, v in arrays.items()}, params, chosen)
        status[block] = _statuses(outcome, None if receives is None else receives[block])
        amount[block] = outcome.amount
        if steps is not None:
            steps[block] = outcome.steps

    starts = range(0, max(n, 1), BLOCK)
    workers = min(len(starts), os.cpu_count() or 1)
    if workers == 1:
        for start in starts:
            run(start)
    else:
        # NumPy lets go of the GIL inside each array operation, so blocks run side by side
        with ThreadPoolExecutor(workers) as pool:
            for done in [pool.submit(run, start) for start in starts]:
                done.result()
    return Computed(status, amount, steps)


def compute_population(
    frame: pd.DataFrame,
    *,
    jaar: int,
    regelingen: Sequence[str] | None = None,
    settings: MunicipalSettings | None = None,
) -> dict[str, Computed]:
    """Status and amount of every regulation (default: every one, installed ones too) for
    every household, as arrays: what a scan needs, without explanations."""
    chosen = regeling_names() if regelingen is None else tuple(regelingen)
    return {r: compute(r, frame, jaar=jaar, settings=settings) for r in chosen}


def step_ids(
    regeling: str, frame: pd.DataFrame, *, jaar: int, settings: MunicipalSettings | None = None
) -> np.ndarray:
    """Per household of ``frame``, the ids of the rule steps that decided the outcome
    (';'-separated): made on request, for the rows a caller keeps."""
    computed = compute(regeling, frame, jaar=jaar, settings=settings, explaining=True)
    assert computed.steps is not None
    return _step_strings(computed.steps, _module(regeling).STEPS)


def evaluate_population(
    frame: pd.DataFrame,
    *,
    jaar: int,
    regelingen: Sequence[str] | None = None,
    settings: MunicipalSettings | None = None,
    stappen: bool = True,
) -> pd.DataFrame:
    """Evaluate every regulation for every household (one row per household).

    Returns one row per household with, per regulation, ``<r>_status``,
    ``<r>_bedrag_centen`` (per year; missing where it cannot be computed) and, with
    ``stappen``, ``<r>_stappen`` (the ids of the rule steps that decided it,
    ';'-separated).
    """
    out = pd.DataFrame(index=frame.index)
    if "household_id" in frame.columns:
        out["household_id"] = frame["household_id"].to_numpy()
    chosen = regeling_names() if regelingen is None else tuple(regelingen)
    categories = [STATUS_NAMES[s] for s in Status]
    for regeling in chosen:
        result = compute(regeling, frame, jaar=jaar, settings=settings, explaining=stappen)
        out[f"{regeling}_status"] = pd.Categorical.from_codes(result.status, categories)
        out[f"{regeling}_bedrag_centen"] = pd.Series(result.cents(), index=out.index)
        if result.steps is not None:
            out[f"{regeling}_stappen"] = _step_strings(result.steps, _module(regeling).STEPS)
    # provenance on every row, so that each decision can be reproduced later
    out["engine_version"] = pd.Categorical.from_codes(np.zeros(len(out), np.int8), [ENGINE_VERSION])
    out["regels_hash"] = pd.Categorical.from_codes(
        np.zeros(len(out), np.int8), [rules_hash(chosen)]
    )
    out["jaar"] = np.int16(jaar)
    return out


class ParameterUse(TypedDict):
    """One dated value an explanation used, with where it comes from."""

    regeling: str
    parameter: str
    waarde: float | None
    geldig_vanaf: str
    zekerheid: str
    bron: str


@dataclass
class Explanation:
    """The outcome for one household, with every step in Dutch and its source."""

    regeling: str
    titel: str
    jaar: int
    status: Status
    bedrag_per_jaar: float | None
    bedrag_per_maand: float | None
    stappen: list[dict[str, str]]
    parameters: list[ParameterUse]
    provenance: JsonObject
    waarden: dict[str, str] = field(default_factory=dict)
    """The values the steps were filled with, formatted as the steps show them (for a
    regulation's one-sentence reason in a message, config/aanpak.yaml ``reden``)."""

    def as_json(self) -> JsonObject:
        """For the web app, scripts and an objection procedure."""
        return {
            "regeling": self.regeling,
            "titel": self.titel,
            "jaar": self.jaar,
            "status": STATUS_NAMES[self.status],
            "status_tekst": STATUS_NL[self.status],
            "bedrag_per_jaar": self.bedrag_per_jaar,
            "bedrag_per_maand": self.bedrag_per_maand,
            "stappen": self.stappen,
            "parameters": self.parameters,
            "provenance": self.provenance,
        }


def _format(name: str, value: float) -> str:
    if math.isnan(value):
        return "onbekend"
    if name.endswith("_pct"):
        return f"{value * 100:.4g}%".replace(".", ",")
    if name.startswith(("aantal", "leeftijd")):
        return f"{value:.0f}"
    if name.endswith("_centen"):
        return euro(value / 100, cents=True)
    return euro(value, cents=abs(value - round(value)) > 1e-9)


def explain(
    regeling: str,
    household: Mapping[str, object],
    *,
    jaar: int,
    settings: MunicipalSettings | None = None,
) -> Explanation:
    """Evaluate one household and explain every step (the same code as for a population)."""
    if regeling not in regeling_names():
        raise KeyError(
            f"unknown regulation {regeling!r}; choose from {', '.join(regeling_names())}"
        )
    settings = settings or MunicipalSettings()
    module = _module(regeling)
    frame = pd.DataFrame([dict(household)])
    params = Params(module.USES, date(jaar, 1, 1))
    outcome: Outcome = module.evaluate(household_arrays(frame, module.INPUTS), params, settings)
    receives = _column(frame, f"ontvangt_{regeling}", 0.0)
    status = Status(int(_statuses(outcome, np.nan_to_num(receives))[0]))
    values = {k: float(np.ravel(v)[0]) for k, v in outcome.values.items()}
    filled = {k: _format(k, v) for k, v in values.items()}
    stappen = []
    for i, step in enumerate(module.STEPS):
        if int(outcome.steps[0]) >> i & 1:
            try:
                bron = params.source(step.bron).cite()
            except KeyError:
                bron = step.bron
            stappen.append({"id": step.id, "tekst": step.tekst.format(**filled), "bron": bron})
    amount = float(outcome.amount[0])
    per_month = values.get("bedrag_per_maand")
    used: list[ParameterUse] = [
        {
            "regeling": reg,
            "parameter": name,
            "waarde": value.waarde,
            "geldig_vanaf": value.vanaf.isoformat(),
            "zekerheid": value.zekerheid,
            "bron": params.sets[reg].parameters[name].bron.cite(),
        }
        for (reg, name), value in sorted(params.used.items())
    ]
    return Explanation(
        regeling=regeling,
        titel=module.TITEL,
        jaar=jaar,
        status=status,
        bedrag_per_jaar=None if math.isnan(amount) else round(amount, 2),
        bedrag_per_maand=None if per_month is None or math.isnan(per_month) else per_month,
        stappen=stappen,
        parameters=used,
        provenance=provenance([regeling]),
        waarden=filled,
    )
