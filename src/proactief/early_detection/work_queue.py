"""The work-queue configuration (matching period, filters, priority rules) and the pure
priority calculation. The values live in ``config/work_queue.yaml``."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from proactief.config import SHIPPED_DIR, PolicyError, load_policy
from proactief.domain import Eindresultaat, PriorityReason
from proactief.domain.records import SignalRecord

__all__ = [
    "CaseMeasures",
    "ConfigError",
    "PriorityRule",
    "WorkQueueConfig",
    "WorkQueueFile",
    "load_work_queue_config",
    "score",
]

DEFAULT_CONFIG = SHIPPED_DIR / "work_queue.yaml"
MEASURES = (
    "crisis",
    "warme_overdracht",
    "aantal_signalen",
    "aantal_signaalpartners",
    "totaal_bedrag",
    "max_dagen_achterstand",
    "eerdere_zaken_12m",
)

# what a contact worker reads after the value of a scaled measure
_UNITS = {
    "aantal_signalen": "signalen",
    "aantal_signaalpartners": "signaalpartners",
    "totaal_bedrag": "euro",
    "max_dagen_achterstand": "dagen",
    "eerdere_zaken_12m": "eerdere zaken",
}


class ConfigError(PolicyError):
    """The work-queue configuration file is not valid."""


@dataclass(frozen=True, slots=True)
class CaseMeasures:
    """What the priority rules can look at: facts about the signals of one case."""

    crisis: int
    warme_overdracht: int
    aantal_signalen: int
    aantal_signaalpartners: int
    totaal_bedrag: int
    max_dagen_achterstand: int
    eerdere_zaken_12m: int = 0
    """Earlier cases of the same person that started in the 12 months before this one."""

    @classmethod
    def of(
        cls, signal_rows: Sequence[SignalRecord], *, eerdere_zaken_12m: int = 0
    ) -> "CaseMeasures":
        """Measures of a case from its stored signals."""
        return cls(
            eerdere_zaken_12m=eerdere_zaken_12m,
            crisis=int(any(s.crisissignaal for s in signal_rows)),
            warme_overdracht=int(any(s.warme_overdracht for s in signal_rows)),
            aantal_signalen=len(signal_rows),
            aantal_signaalpartners=len({s.signaalpartner for s in signal_rows}),
            totaal_bedrag=sum(s.bedrag for s in signal_rows),
            max_dagen_achterstand=max(
                ((s.signaaldatum - s.ontstaansdatum).days for s in signal_rows), default=0
            ),
        )


@dataclass(frozen=True, slots=True)
class PriorityRule:
    """One readable priority rule."""

    rule_id: str
    description: str
    measure: str
    points: int
    at_least: int | None = None
    per: int | None = None
    max_points: int | None = None

    def apply(self, measures: CaseMeasures) -> PriorityReason | None:
        """The points this rule gives, with the reason, or None if it does not apply."""
        value = int(getattr(measures, self.measure))
        if self.at_least is not None:
            if value >= self.at_least:
                return PriorityReason(self.rule_id, self.points, self.description)
            return None
        assert self.per is not None
        points = (value // self.per) * self.points
        if self.max_points is not None:
            points = min(points, self.max_points)
        if points <= 0:
            return None
        unit = _UNITS.get(self.measure, "")
        return PriorityReason(self.rule_id, points, f"{self.description}: {value} {unit}".strip())


@dataclass(frozen=True, slots=True)
class WorkQueueConfig:
    """Matching period, filters and priority rules of the early-detection team."""

    matching_period_days: int
    minimum_amount: int
    minimum_amount_except_crisis: bool
    minimum_amount_result: Eindresultaat
    repeat_within_days: int
    repeat_except_crisis: bool
    repeat_result: Eindresultaat
    rules: tuple[PriorityRule, ...]
    collection_pause_days: int | None = None
    """Days creditors suspend collection once help is accepted (convenant), if known."""
    feedback: frozenset[str] = frozenset({"opgepakt", "niet_opgepakt", "hulp_aangenomen"})
    """What may go back to a creditor about its own signals (config 'terugkoppeling')."""

    def accepted_help_notice(self) -> str:
        """What the contact worker must do after recording that help was accepted."""
        pause = (
            f"die stopt de incasso dan {self.collection_pause_days} dagen"
            if self.collection_pause_days
            else "die stopt de incasso dan een tijd"
        )
        return f"Meld dit aan de schuldeiser: {pause}."


def score(
    rules: Sequence[PriorityRule], measures: CaseMeasures
) -> tuple[int, list[PriorityReason]]:
    """Add up the points of every rule that applies; return the total and the reasons."""
    reasons = [r for r in (rule.apply(measures) for rule in rules) if r is not None]
    return sum(r.points for r in reasons), reasons


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Count = Annotated[int, Field(strict=True, ge=0)]
Positive = Annotated[int, Field(strict=True, ge=1)]


def _eindresultaat(value: object) -> Eindresultaat:
    try:
        return Eindresultaat(value if isinstance(value, str) else repr(value))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a DDAS eindresultaat ({', '.join(Eindresultaat)})"
        ) from None


DdasResult = Annotated[Eindresultaat, BeforeValidator(_eindresultaat)]


def _measure(value: object) -> str:
    if value not in MEASURES:
        raise ValueError(f"'measure' must be one of {', '.join(MEASURES)}, got {value!r}")
    return str(value)


Measure = Annotated[str, BeforeValidator(_measure)]


class _Matching(_Strict):
    period_days: Positive


class _MinimumAmount(_Strict):
    amount: Count
    except_crisis: bool = True
    eindresultaat: DdasResult


class _RepeatSignal(_Strict):
    within_days: Count
    except_crisis: bool = True
    eindresultaat: DdasResult


class _Filters(_Strict):
    minimum_amount: _MinimumAmount
    repeat_signal: _RepeatSignal


class _HulpGeaccepteerd(_Strict):
    incasso_pauze_dagen: Positive | None = None


class _Terugkoppeling(_Strict):
    # only THAT something happened may go back, never why (Landelijk convenant
    # vroegsignalering 2020; DDAS 'Niet opgepakt: andere reden'): a key for a reason or an
    # end result is refused by _Strict, so the file cannot ask for more
    opgepakt: bool = True
    niet_opgepakt: bool = True
    hulp_aangenomen: bool = True


class _When(_Strict):
    measure: Measure
    at_least: Count


class _Scale(_Strict):
    measure: Measure
    per: Positive
    points: Count
    max: Count | None = None


class _Rule(_Strict):
    id: str
    description: str
    when: _When | None = None
    scale: _Scale | None = None
    points: Count | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "_Rule":
        if (self.when is None) == (self.scale is None):
            raise ValueError("give exactly one of 'when' or 'scale'")
        if self.when is not None and self.points is None:
            raise ValueError("a 'when' rule needs 'points'")
        return self

    def rule(self) -> PriorityRule:
        if self.when is not None:
            assert self.points is not None
            return PriorityRule(
                rule_id=self.id,
                description=self.description,
                measure=self.when.measure,
                points=self.points,
                at_least=self.when.at_least,
            )
        assert self.scale is not None
        return PriorityRule(
            rule_id=self.id,
            description=self.description,
            measure=self.scale.measure,
            points=self.scale.points,
            per=self.scale.per,
            max_points=self.scale.max,
        )


class WorkQueueFile(_Strict):
    """config/work_queue.yaml as written; :func:`load_work_queue_config` makes the
    :class:`WorkQueueConfig` from it."""

    matching: _Matching
    hulp_geaccepteerd: _HulpGeaccepteerd | None = None
    terugkoppeling: _Terugkoppeling = _Terugkoppeling()
    filters: _Filters
    priority: list[_Rule]


def load_work_queue_config(path: Path | None = None) -> WorkQueueConfig:
    """Read and check the work-queue configuration (default: the shipped file).

    Raises:
        ConfigError: the message names the file, the key and what it accepts.
    """
    path = path or DEFAULT_CONFIG
    try:
        data = load_policy(path, WorkQueueFile)
    except PolicyError as exc:
        raise ConfigError(exc.path, exc.key, exc.problem) from exc
    minimum = data.filters.minimum_amount
    repeat = data.filters.repeat_signal
    return WorkQueueConfig(
        matching_period_days=data.matching.period_days,
        minimum_amount=minimum.amount,
        minimum_amount_except_crisis=minimum.except_crisis,
        minimum_amount_result=minimum.eindresultaat,
        repeat_within_days=repeat.within_days,
        repeat_except_crisis=repeat.except_crisis,
        repeat_result=repeat.eindresultaat,
        rules=tuple(r.rule() for r in data.priority),
        collection_pause_days=data.hulp_geaccepteerd.incasso_pauze_dagen
        if data.hulp_geaccepteerd
        else None,
        feedback=frozenset(k for k, on in data.terugkoppeling.model_dump().items() if on),
    )
