"""The approach engine: what to offer, from whom, through which contact ladder, in which
tone and at which moment - and why. Pure functions; the rules are in config/aanpak.yaml.

Order of precedence: the person's stated preferences > their own segment probabilities
> a safe default that works across all three segments. Administrative attributes (age,
income, neighbourhood, nationality, household type) never change tone or channel, and a
segment is never inferred from them: segment probabilities are accepted only when they
come from the person's own answers (PRODUCT.md principle 12).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from proactief.config import load_policy, policy_path
from proactief.domain import (
    AanbodBasis,
    Dagdeel,
    Kanaal,
    Moment,
    PreferenceState,
    RegelingStatus,
    Toon,
)
from proactief.domain.experiments import Arm, Vergelijking
from proactief.domain.preferences import Berichtsoort

__all__ = [
    "ApproachConfig",
    "AutoGrantRule",
    "CaseSummary",
    "EntitlementSummary",
    "ExperimentArm",
    "LadderStep",
    "Offer",
    "OfferItem",
    "Reason",
    "SegmentProbabilities",
    "choose_approach",
    "load_approach_config",
]


class _Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LadderStepRule(_Policy):
    """One step of a ladder in config/aanpak.yaml."""

    kanaal: Kanaal
    wacht_dagen: int = Field(ge=0)
    dagdeel: Dagdeel | None = None


class SafeDefault(_Policy):
    """The approach that works across all three segments (veilige_standaard)."""

    afzender: str
    afzender_reden: str
    toon: Toon
    toon_reden: str
    ladder: tuple[LadderStepRule, ...] = Field(min_length=1)
    ladder_reden: str
    zelfhulp: bool
    zelfhulp_reden: str


class SegmentApproach(_Policy):
    """A segment's tone and ladder, used only above segment_drempel."""

    toon: Toon
    toon_reden: str
    ladder: tuple[LadderStepRule, ...] = Field(min_length=1)
    ladder_reden: str
    zelfhulp: bool


class MomentRules(_Policy):
    """When an offer is made, with the reason of each choice."""

    bestaand_contact_binnen_dagen: int = Field(ge=0)
    bestaand_contact_reden: str
    soorten: dict[str, str] = {}
    """The kinds of contact moment a municipality registers, with their words."""
    crisis_reden: str
    nu_reden: str


class RegelingUitleg(_Policy):
    """How a regulation is named and explained in messages (B1)."""

    naam: str
    wat: str
    reden: str | None = None
    """One B1 sentence why the household probably qualifies, filled from the explanation's
    values ({toetsingsinkomen}, ...); used when every value it names is known."""
    reden_stappen: tuple[str, ...] = ()
    """Otherwise: explanation steps whose sentence says why (the first that applied)."""


class AutoGrantRule(_Policy):
    """A regulation the municipality grants without application unless the resident
    says no, with the basis it decided on (config/aanpak.yaml automatisch_toekennen)."""

    grondslag: str = Field(min_length=1)
    controle: str = Field(min_length=1)
    bij: str = Field(min_length=1)
    bezwaar_dagen: int = Field(gt=0)
    bron: str = Field(min_length=1)


class ApproachConfig(_Policy):
    """config/aanpak.yaml: how a proactive offer is made, with the source of every choice."""

    segment_drempel: float = Field(gt=0, le=1)
    automatisch_toekennen: dict[str, AutoGrantRule] = Field(default_factory=dict)
    bevolking_bron: str
    gegevens_namen: dict[str, str]
    voorkeur_wacht_dagen: int = Field(ge=0)
    veilige_standaard: SafeDefault
    segmenten: dict[str, SegmentApproach]
    moment: MomentRules
    regelingen: dict[str, RegelingUitleg]
    goed_een_signaal: str


@dataclass(frozen=True, slots=True)
class SegmentProbabilities:
    """Segment probabilities and where they come from; only 'eigen_antwoorden' is used."""

    kansen: Mapping[str, float]
    bron: str = "eigen_antwoorden"


@dataclass(frozen=True, slots=True)
class EntitlementSummary:
    """One regulation's outcome for the household (from proactief.entitlements)."""

    regeling: str
    status: str
    bedrag_per_jaar: float | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What the engine may know about the case.

    ``kenmerken`` holds administrative attributes a caller may have at hand (age, income,
    neighbourhood, ...). They are accepted so that a test can prove they change nothing.
    """

    case_id: int | None = None
    """None: no case yet (what a resident is told their answers change)."""
    crisis: bool = False
    bestaand_contact: date | None = None
    vandaag: date = field(default_factory=date.today)
    kenmerken: Mapping[str, object] = field(default_factory=dict)
    soort: Berichtsoort = Berichtsoort.VROEGSIGNAAL
    """The kind of message (Wmebv agreement is per kind): 'regeling' for a campaign."""
    campagne_ladder: "tuple[LadderStep, ...]" = ()
    """A campaign's own ladder, in place of the safe default (stated preferences and the
    person's own segment still go first; never letters alone, principle 13)."""
    onderzoek: "ExperimentArm | None" = None
    """The experiment arm the case's unit got (offers.experiments): in place of the safe
    default only."""


@dataclass(frozen=True, slots=True)
class ExperimentArm:
    """An experiment's arm as the approach engine applies it."""

    experiment: str
    vergelijkt: Vergelijking
    arm: Arm
    toegewezen: date


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One step of the contact ladder."""

    kanaal: Kanaal
    wacht_dagen: int
    dagdeel: str | None = None


@dataclass(frozen=True, slots=True)
class OfferItem:
    """Something offered: a regulation, the help desk, or self-help steps."""

    soort: str
    omschrijving: str
    regeling: str | None = None
    bedrag_per_jaar: float | None = None
    automatisch: bool = False


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a choice was made, with the principle or evidence it follows."""

    keuze: str
    reden: str


@dataclass(frozen=True)
class Offer:
    """The approach for one case (``case_id`` None: for a person without a case yet)."""

    case_id: int | None
    wat: tuple[OfferItem, ...]
    afzender: str
    ladder: tuple[LadderStep, ...]
    toon: Toon
    moment: Moment
    basis: AanbodBasis
    """Which level of precedence decided."""
    redenen: tuple[Reason, ...]
    uitstel_dagen: int = 0
    """Days after the experiment's assignment before the first message (an arm of a
    comparison of moment; never for a crisis signal or against the resident's choices)."""


@cache
def load_approach_config() -> ApproachConfig:
    """config/aanpak.yaml (or the municipality's own), checked.

    Raises:
        PolicyError: the file names an unknown tone or channel, lacks a reason, ...; the
            message names the file and the key.
    """
    return load_policy(policy_path("aanpak.yaml"), ApproachConfig)


def _naam(cfg: ApproachConfig, regeling: str) -> str:
    uitleg = cfg.regelingen.get(regeling)
    return uitleg.naam if uitleg else regeling


def _ladder(spec: Sequence[LadderStepRule]) -> list[LadderStep]:
    return [
        LadderStep(s.kanaal, s.wacht_dagen, s.dagdeel.value if s.dagdeel else None) for s in spec
    ]


def _consent_gate(
    ladder: list[LadderStep],
    state: PreferenceState,
    reasons: list[Reason],
    soort: Berichtsoort = Berichtsoort.VROEGSIGNAAL,
) -> list[LadderStep]:
    """E-mail and SMS only with agreement for this kind of message (Wmebv, Awb 2:8)."""
    if state.may_use_electronic(soort):
        return ladder
    gated = [
        LadderStep(Kanaal.BRIEF, s.wacht_dagen, s.dagdeel) if s.kanaal.electronic else s
        for s in ladder
    ]
    if gated != ladder:
        reasons.append(
            Reason(
                "kanaal",
                "geen toestemming voor e-mail of sms over dit soort bericht: "
                "een brief in plaats daarvan (Wmebv, Awb 2:8)",
            )
        )
    return gated


def _arm_name(onderzoek: ExperimentArm) -> str:
    return f"groep '{onderzoek.arm.naam}' van het onderzoek '{onderzoek.experiment}'"


def _not_only_letters(ladder: list[LadderStep], default: list[LadderStep]) -> list[LadderStep]:
    """A ladder never stops at letters alone (principle 13), unless the person chose that."""
    if any(not (s.kanaal is Kanaal.BRIEF or s.kanaal.electronic) for s in ladder):
        return ladder
    phone = [s for s in default if s.kanaal is Kanaal.TELEFOON]
    return ladder + phone[:1]


def choose_approach(
    *,
    case: CaseSummary,
    entitlements: Sequence[EntitlementSummary] = (),
    preferences: PreferenceState | None = None,
    segment: SegmentProbabilities | None = None,
    config: ApproachConfig | None = None,
) -> Offer:
    """The offer for one case, with the reason for every choice."""
    cfg = config or load_approach_config()
    state = preferences or PreferenceState()
    default = cfg.veilige_standaard
    reasons: list[Reason] = []
    if segment is not None and segment.bron != "eigen_antwoorden":
        raise ValueError(
            "segment probabilities are only used from the person's own answers "
            f"(bron={segment.bron!r}); never infer a segment from administrative data"
        )

    # what
    wat: list[OfferItem] = []
    for e in entitlements:
        if e.status == RegelingStatus.RECHT_NIET_ONTVANGEN:
            automatisch = e.regeling in cfg.automatisch_toekennen
            wat.append(
                OfferItem(
                    "regeling",
                    f"{_naam(cfg, e.regeling)}: u heeft waarschijnlijk recht",
                    e.regeling,
                    e.bedrag_per_jaar,
                    automatisch,
                )
            )
            if automatisch:
                reasons.append(
                    Reason(
                        f"wat: {e.regeling}",
                        "automatisch toekennen voorstellen: "
                        + cfg.automatisch_toekennen[e.regeling].grondslag,
                    )
                )
        elif e.status == RegelingStatus.MOGELIJK_RECHT_GEGEVENS_NODIG:
            wat.append(
                OfferItem(
                    "regeling",
                    f"{_naam(cfg, e.regeling)}: samen nakijken of u recht heeft",
                    e.regeling,
                )
            )
    wat.append(OfferItem("hulp", "een gesprek met een medewerker van de gemeente, als u dat wilt"))

    # how: preferences > own segment > safe default
    best_name, best_p = None, 0.0
    if segment is not None and segment.kansen:
        best_name, best_p = max(segment.kansen.items(), key=lambda kv: kv[1])
    segment_cfg = (
        cfg.segmenten.get(best_name) if best_name and best_p >= cfg.segment_drempel else None
    )
    default_ladder = _ladder(default.ladder)
    toon, toon_reden = default.toon, default.toon_reden
    zelfhulp, zelfhulp_reden = default.zelfhulp, default.zelfhulp_reden
    if not state.may_contact():
        ladder: list[LadderStep] = []
        basis = AanbodBasis.VOORKEUR
        reasons.append(Reason("kanaal", "de inwoner wil niet benaderd worden: geen contact"))
    elif state.kanalen:
        basis = AanbodBasis.VOORKEUR
        wait = cfg.voorkeur_wacht_dagen
        ladder = [
            LadderStep(k, 0 if i == 0 else wait, state.dagdeel) for i, k in enumerate(state.kanalen)
        ]
        reasons.append(Reason("kanaal", "de inwoner koos zelf hoe we contact opnemen (principe 2)"))
        if set(state.kanalen) != {Kanaal.BRIEF}:
            ladder = _not_only_letters(ladder, default_ladder)
        else:
            reasons.append(Reason("kanaal", "de inwoner koos alleen brieven: we bellen niet"))
    elif segment_cfg is not None:
        basis = AanbodBasis.SEGMENT
        ladder = _not_only_letters(_ladder(segment_cfg.ladder), default_ladder)
        reasons.append(
            Reason(
                "kanaal",
                f"eigen antwoorden: waarschijnlijk {best_name} "
                f"({best_p:.0%}); {segment_cfg.ladder_reden}",
            )
        )
        toon, toon_reden = segment_cfg.toon, segment_cfg.toon_reden
        zelfhulp = segment_cfg.zelfhulp
    elif case.onderzoek is not None and case.onderzoek.arm.ladder:
        basis = AanbodBasis.VEILIGE_STANDAARD
        ladder = _not_only_letters(
            [
                LadderStep(s.kanaal, s.wacht_dagen, s.dagdeel.value if s.dagdeel else None)
                for s in case.onderzoek.arm.ladder
            ],
            default_ladder,
        )
        reasons.append(Reason("kanaal", f"de contactladder van {_arm_name(case.onderzoek)}"))
    elif case.campagne_ladder:
        basis = AanbodBasis.VEILIGE_STANDAARD
        ladder = _not_only_letters(list(case.campagne_ladder), default_ladder)
        reasons.append(Reason("kanaal", "de contactladder van de campagne"))
    else:
        basis = AanbodBasis.VEILIGE_STANDAARD
        ladder = default_ladder
        reasons.append(Reason("kanaal", default.ladder_reden))
    if state.may_contact():
        ladder = _consent_gate(ladder, state, reasons, case.soort)
    uitstel = 0
    if case.onderzoek is not None:
        arm = case.onderzoek.arm
        applies = state.may_contact() and not state.kanalen and segment_cfg is None
        if applies and arm.uitstel_dagen and not case.crisis:
            # a crisis signal is never held back, whatever the arm (principle 7)
            uitstel = arm.uitstel_dagen
        if applies and arm.toon is not None:
            toon, toon_reden = arm.toon, f"de woordkeus van {_arm_name(case.onderzoek)}"
        reasons.append(
            Reason(
                "onderzoek",
                f"{_arm_name(case.onderzoek)}, door loting gekozen op "
                f"{case.onderzoek.toegewezen.isoformat()}: {arm.beschrijving}"
                if applies
                else f"{_arm_name(case.onderzoek)}, door loting gekozen op "
                f"{case.onderzoek.toegewezen.isoformat()}; de eigen keuzes en antwoorden van "
                "de inwoner gaan voor, dus de groep verandert hier niets",
            )
        )
    reasons.append(Reason("toon", toon_reden))
    if zelfhulp:
        wat.insert(
            0,
            OfferItem(
                "zelfhulp", "een paar dingen die u zelf kunt regelen, met hulp op de achtergrond"
            ),
        )
        reasons.append(Reason("wat: zelfhulp", zelfhulp_reden))
    if state.vertegenwoordiger:
        reasons.append(
            Reason("ontvanger", "berichten gaan naar de vertegenwoordiger die de inwoner aanwees")
        )

    # when
    moment_cfg = cfg.moment
    if case.crisis:
        moment, moment_reden = Moment.NU, moment_cfg.crisis_reden
    elif (
        case.bestaand_contact is not None
        and 0
        <= (case.bestaand_contact - case.vandaag).days
        <= moment_cfg.bestaand_contact_binnen_dagen
    ):
        moment, moment_reden = Moment.BIJ_BESTAAND_CONTACT, moment_cfg.bestaand_contact_reden
    else:
        moment, moment_reden = Moment.NU, moment_cfg.nu_reden
    reasons.append(Reason("moment", moment_reden))
    reasons.append(Reason("afzender", default.afzender_reden))
    return Offer(
        case_id=case.case_id,
        wat=tuple(wat),
        afzender=default.afzender,
        ladder=tuple(ladder),
        toon=toon,
        moment=moment,
        basis=basis,
        redenen=tuple(reasons),
        uitstel_dagen=uitstel,
    )
