"""The work-queue configuration (matching period, filters, priority rules) and the pure
priority calculation. The values live in ``config/work_queue.yaml``."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proactief.config import SHIPPED_DIR
from proactief.domain import Eindresultaat, PriorityReason

__all__ = [
    "CaseMeasures",
    "ConfigError",
    "PriorityRule",
    "WorkQueueConfig",
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


class ConfigError(ValueError):
    """The work-queue configuration file is not valid."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}")


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
    def of(cls, signal_rows: Sequence[Any], *, eerdere_zaken_12m: int = 0) -> "CaseMeasures":
        """Measures of a case from its signal rows (objects with signal attributes)."""
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


def _int(path: Path, where: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(path, where, f"expected a whole number >= {minimum}, got {value!r}")
    return value


def _optional_int(path: Path, where: str, value: Any) -> int | None:
    return None if value is None else _int(path, where, value, 1)


def _result(path: Path, where: str, value: Any) -> Eindresultaat:
    try:
        return Eindresultaat(value)
    except ValueError:
        raise ConfigError(
            path, where, f"{value!r} is not a DDAS eindresultaat ({', '.join(Eindresultaat)})"
        ) from None


def _rule(path: Path, index: int, item: Any) -> PriorityRule:
    where = f"priority[{index}]"
    if not isinstance(item, dict) or "id" not in item or "description" not in item:
        raise ConfigError(path, where, "each rule needs 'id' and 'description'")
    if ("when" in item) == ("scale" in item):
        raise ConfigError(path, where, "give exactly one of 'when' or 'scale'")
    spec = item.get("when") or item.get("scale")
    if not isinstance(spec, dict) or spec.get("measure") not in MEASURES:
        raise ConfigError(
            path, where, f"'measure' must be one of {', '.join(MEASURES)}, got {spec!r}"
        )
    if "when" in item:
        return PriorityRule(
            rule_id=str(item["id"]),
            description=str(item["description"]),
            measure=spec["measure"],
            points=_int(path, f"{where}.points", item.get("points")),
            at_least=_int(path, f"{where}.when.at_least", spec.get("at_least")),
        )
    return PriorityRule(
        rule_id=str(item["id"]),
        description=str(item["description"]),
        measure=spec["measure"],
        points=_int(path, f"{where}.scale.points", spec.get("points")),
        per=_int(path, f"{where}.scale.per", spec.get("per"), minimum=1),
        max_points=_int(path, f"{where}.scale.max", spec["max"]) if "max" in spec else None,
    )


def load_work_queue_config(path: Path | None = None) -> WorkQueueConfig:
    """Read and check the work-queue configuration (default: the shipped file)."""
    path = path or DEFAULT_CONFIG
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, "file", f"cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, "file", f"not valid YAML: {exc}") from exc
    try:
        matching = data["matching"]
        minimum = data["filters"]["minimum_amount"]
        repeat = data["filters"]["repeat_signal"]
        priority = data["priority"]
    except (KeyError, TypeError) as exc:
        raise ConfigError(
            path, "file", f"missing section {exc}; see the shipped work_queue.yaml"
        ) from exc
    if not isinstance(priority, list):
        raise ConfigError(path, "priority", "expected a list of rules")
    return WorkQueueConfig(
        matching_period_days=_int(path, "matching.period_days", matching.get("period_days"), 1),
        minimum_amount=_int(path, "filters.minimum_amount.amount", minimum.get("amount")),
        minimum_amount_except_crisis=bool(minimum.get("except_crisis", True)),
        minimum_amount_result=_result(
            path, "filters.minimum_amount.eindresultaat", minimum.get("eindresultaat")
        ),
        repeat_within_days=_int(
            path, "filters.repeat_signal.within_days", repeat.get("within_days")
        ),
        repeat_except_crisis=bool(repeat.get("except_crisis", True)),
        repeat_result=_result(
            path, "filters.repeat_signal.eindresultaat", repeat.get("eindresultaat")
        ),
        rules=tuple(_rule(path, i, item) for i, item in enumerate(priority)),
        collection_pause_days=_optional_int(
            path,
            "hulp_geaccepteerd.incasso_pauze_dagen",
            (data.get("hulp_geaccepteerd") or {}).get("incasso_pauze_dagen"),
        ),
    )
