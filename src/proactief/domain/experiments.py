"""A randomised comparison of how offers are made, as a municipality defines it (YAML).

The definition, the seeded draw and the guardrail rules are plain data and functions, so
the offers capability (which assigns) and evaluation (which analyses) read one model.
Everything that stores or computes statistics lives above this module.
"""

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proactief.domain.enums import Dagdeel
from proactief.domain.offers import Toon
from proactief.domain.preferences import Kanaal

__all__ = [
    "MAX_UITSTEL_DAGEN",
    "Arm",
    "ArmCounts",
    "Eenheid",
    "ExperimentSpec",
    "Stratum",
    "Uitkomst",
    "Vergelijking",
    "arm_for",
    "draw_arm",
    "guardrail_stops",
    "percent",
    "points",
    "ready_for_verdict",
]


class Vergelijking(StrEnum):
    """What an experiment varies between its arms."""

    WOORDKEUS = "woordkeus"
    """The wording of the messages: one of the tone variants of the templates."""
    LADDER = "ladder"
    """The order of the channels of the contact ladder."""
    WACHTTIJD = "wachttijd"
    """The days between the ladder's steps (the same channels in the same order)."""
    MOMENT = "moment"
    """When the first message goes: right away, or some days after the case began (never
    for a crisis signal, never beyond ``MAX_UITSTEL_DAGEN``)."""


MAX_UITSTEL_DAGEN = 28
"""The longest an arm may hold back a first message. A product rule, not a legal number:
an offer held back longer than four weeks is no longer early (principle 7, not too late);
a crisis signal is never held back."""


class Eenheid(StrEnum):
    """What is randomised: each case, or each household (all its cases get one arm)."""

    ZAAK = "zaak"
    HUISHOUDEN = "huishouden"


class Stratum(StrEnum):
    """What the analysis (and the report) keeps apart."""

    SIGNAALPARTNER = "signaalpartner"
    SEGMENT = "segment"
    """Only from the person's own answers (principle 12); 'geen' for everyone else."""


class Uitkomst(StrEnum):
    """The primary outcome of a unit."""

    BEREIKT_28_DAGEN = "bereikt_28_dagen"
    """A contact attempt reached the resident within 28 days of the assignment."""
    HULP_GEACCEPTEERD = "hulp_geaccepteerd"
    GELD_ONTVANGEN = "geld_ontvangen"
    """A later scan found the household getting a regulation the offer named."""


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArmStep(_Spec):
    """One step of an arm's ladder (as in config/aanpak.yaml)."""

    kanaal: Kanaal
    wacht_dagen: int = Field(ge=0, le=90)
    dagdeel: Dagdeel | None = None


class Arm(_Spec):
    """One arm: what its units get in place of the safe default."""

    naam: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    beschrijving: str = Field(min_length=1, max_length=300)
    controle: bool = False
    toon: Toon | None = None
    ladder: tuple[ArmStep, ...] | None = None
    uitstel_dagen: int | None = Field(default=None, ge=0, le=MAX_UITSTEL_DAGEN)
    """A comparison of moment: days after the assignment before the first message."""

    @model_validator(mode="after")
    def _statutory_minimum(self) -> Self:
        if self.ladder is not None:
            if not self.ladder:
                raise ValueError(
                    f"arm '{self.naam}': a ladder needs at least one step (every signal gets "
                    "an offer of help, Wgs art. 3)"
                )
            if all(s.kanaal is Kanaal.BRIEF or s.kanaal.electronic for s in self.ladder):
                raise ValueError(
                    f"arm '{self.naam}': a ladder of only written messages is below the "
                    "minimum (principle 13: at least one phone call or visit)"
                )
        return self


class Vermogen(_Spec):
    """What the power calculation assumes: the control's expected rate and the smallest
    difference worth finding."""

    verwacht_controle: float = Field(gt=0, lt=1)
    verwacht_arm: float = Field(gt=0, lt=1)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    onderscheidend_vermogen: float = Field(default=0.8, gt=0.5, lt=1)
    bron: str = Field(min_length=1)
    """Where the expected rates come from (a figure, or 'aanname' with why)."""

    @model_validator(mode="after")
    def _a_difference(self) -> Self:
        if self.verwacht_arm == self.verwacht_controle:
            raise ValueError("verwacht_arm must differ from verwacht_controle")
        return self


class Vangrails(_Spec):
    """When an arm stops: its share of opt-outs or complaints exceeds the control's by
    more than the margin, once both have at least ``minimum_per_arm`` units."""

    afmelden_marge: float = Field(default=0.02, gt=0, lt=1)
    klacht_marge: float = Field(default=0.01, gt=0, lt=1)
    minimum_per_arm: int = Field(default=30, ge=1)
    toets_elke_minuten: int = Field(default=60, ge=0, le=7 * 24 * 60)
    """An assignment checks the guardrails when this many minutes have passed since the
    last check (on the assignments' clock); 0 checks before every assignment. Counting
    every unit for each new one would make a year of assignments cost its square."""


class ExperimentSpec(_Spec):
    """A randomised comparison (``proactief experiment``)."""

    naam: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    beschrijving: str = Field(min_length=1)
    vergelijkt: Vergelijking
    eenheid: Eenheid = Eenheid.ZAAK
    strata: tuple[Stratum, ...] = ()
    uitkomst: Uitkomst = Uitkomst.BEREIKT_28_DAGEN
    vermogen: Vermogen
    start: date
    stop: date
    seed: int
    armen: tuple[Arm, ...] = Field(min_length=2, max_length=6)
    vangrails: Vangrails = Vangrails()
    venster_dagen: int = Field(default=28, ge=1, le=730)
    """How long after its assignment a unit's outcome is looked for; a unit counts in the
    analysis once this has passed (28 for 'bereikt_28_dagen')."""
    geplande_steekproef: int | None = Field(default=None, ge=1)
    """Units per arm, from the power calculation (set when the experiment starts)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.stop < self.start:
            raise ValueError("stop lies before start")
        if self.uitkomst is Uitkomst.BEREIKT_28_DAGEN and self.venster_dagen != 28:
            raise ValueError("the outcome 'bereikt_28_dagen' has a window of 28 days")
        names = [a.naam for a in self.armen]
        if len(set(names)) != len(names):
            raise ValueError("every arm needs its own naam")
        if sum(a.controle for a in self.armen) != 1:
            raise ValueError("exactly one arm is the control (controle: true)")
        for arm in self.armen:
            if (arm.uitstel_dagen is not None) != (self.vergelijkt is Vergelijking.MOMENT):
                raise ValueError(
                    f"arm '{arm.naam}': 'uitstel_dagen' belongs to a comparison of moment, "
                    "and every arm of one has it"
                )
            if self.vergelijkt is Vergelijking.MOMENT and (arm.toon or arm.ladder):
                raise ValueError(
                    f"arm '{arm.naam}': a comparison of moment gives every arm uitstel_dagen "
                    "and no toon or ladder"
                )
            if self.vergelijkt is Vergelijking.WOORDKEUS and (arm.toon is None or arm.ladder):
                raise ValueError(
                    f"arm '{arm.naam}': a comparison of wording gives every arm a toon "
                    f"({', '.join(Toon)}) and no ladder"
                )
            if self.vergelijkt in (Vergelijking.LADDER, Vergelijking.WACHTTIJD) and (
                arm.ladder is None or arm.toon is not None
            ):
                raise ValueError(
                    f"arm '{arm.naam}': a comparison of {self.vergelijkt} gives every arm a "
                    "ladder and no toon"
                )
        if self.vergelijkt is Vergelijking.WACHTTIJD:
            orders = {tuple(s.kanaal for s in a.ladder or ()) for a in self.armen}
            if len(orders) != 1:
                raise ValueError(
                    "a comparison of waiting time keeps the same channels in the same order "
                    "in every arm (only wacht_dagen differs)"
                )
        return self

    @property
    def controle(self) -> Arm:
        return next(a for a in self.armen if a.controle)

    def arm(self, naam: str) -> Arm:
        return next(a for a in self.armen if a.naam == naam)

    def running_on(self, day: date) -> bool:
        return self.start <= day <= self.stop


def draw_arm(spec: ExperimentSpec, eenheid: str) -> str:
    """The arm the seeded draw gives a unit: SHA-256 of seed, experiment and unit, modulo
    the number of arms. Random over units, and the same for the same unit key on every
    machine and every run, so an assignment can be checked from the seed (the algorithm
    register publishes it) and the unit key ('zaak:<id>', or 'huishouden:<the keyed
    address hash>', which depends on the installation's key)."""
    digest = hashlib.sha256(f"{spec.seed}:{spec.naam}:{eenheid}".encode()).digest()
    return spec.armen[int.from_bytes(digest[:8], "big") % len(spec.armen)].naam


def arm_for(spec: ExperimentSpec, eenheid: str, stopped: Collection[str]) -> str:
    """The arm a new unit gets: the draw's, or the control when the draw's was stopped."""
    drawn = draw_arm(spec, eenheid)
    return spec.controle.naam if drawn in stopped else drawn


@dataclass(frozen=True, slots=True)
class ArmCounts:
    """Units of an arm so far, and how many of them opted out or complained since."""

    eenheden: int
    afgemeld: int
    klachten: int

    def share(self, count: int) -> float:
        return count / self.eenheden if self.eenheden else 0.0


def percent(share: float, digits: int = 1) -> str:
    """A share as Dutch percentage text: 0.234 -> '23,4%'."""
    return f"{share * 100:.{digits}f}".replace(".", ",") + "%"


def points(diff: float) -> str:
    """A difference of shares as signed Dutch percentage points: 0.055 -> '+5,5'."""
    return f"{diff * 100:+.1f}".replace(".", ",")


def guardrail_stops(spec: ExperimentSpec, counts: Mapping[str, ArmCounts]) -> dict[str, str]:
    """The arms that must stop, each with its reason: its share of opt-outs (or of
    complaints) exceeds the control's by more than the margin, once it and the control
    have the minimum number of units. The control itself never stops this way."""
    rails = spec.vangrails
    control = counts.get(spec.controle.naam, ArmCounts(0, 0, 0))
    stops: dict[str, str] = {}
    if control.eenheden < rails.minimum_per_arm:
        return stops
    for arm in spec.armen:
        got = counts.get(arm.naam)
        if arm.controle or got is None or got.eenheden < rails.minimum_per_arm:
            continue
        for what, mine, theirs, margin in (
            (
                "afmeldingen",
                got.share(got.afgemeld),
                control.share(control.afgemeld),
                rails.afmelden_marge,
            ),
            (
                "klachten",
                got.share(got.klachten),
                control.share(control.klachten),
                rails.klacht_marge,
            ),
        ):
            if mine - theirs > margin:
                stops[arm.naam] = (
                    f"{what} {percent(mine)} tegen {percent(theirs)} in de controlegroep "
                    f"(grens: {percent(margin)} meer)"
                )
                break
    return stops


def ready_for_verdict(spec: ExperimentSpec, units_per_arm: Mapping[str, int]) -> bool:
    """A conclusion only when every arm has the planned sample (no peeking)."""
    planned = spec.geplande_steekproef
    if planned is None:
        return False
    return all(units_per_arm.get(a.naam, 0) >= planned for a in spec.armen)
