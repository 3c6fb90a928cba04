"""Campaign design check: a proactive campaign is declared as data, and the system refuses
designs that citizens rejected in the research (seed 002 ch. 8, citizen cases 2 and 3):
commercial platforms, behavioural or health data, a private party's analysis of its own
data, and any data source without a legal basis or the person's consent. Allowed designs
must declare every transparency element citizens asked for."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Connection

from proactief.config import PolicyError, load_policy, policy_path
from proactief.domain import Doel
from proactief.entitlements.repository import selected_entitlements
from proactief.offers.approach import LadderStepRule
from proactief.trust.access import PersonalDataAccess
from proactief.trust.purposes import load_purposes

if TYPE_CHECKING:
    from proactief.offers.campaign_messages import CampaignPreview

__all__ = [
    "EXIT_CODES",
    "TRANSPARANTIE",
    "Campaign",
    "CampaignError",
    "CampaignFile",
    "CampaignPlan",
    "DataSource",
    "Looptijd",
    "Oordeel",
    "Refusal",
    "Verdict",
    "check_campaign",
    "judge_campaign",
    "load_campaign",
    "load_check_config",
    "plan_campaign",
]

TRANSPARANTIE = {
    "afzender": "wie het bericht stuurt",
    "welke_gegevens": "welke gegevens zijn gebruikt",
    "bron_gegevens": "waar die gegevens vandaan komen",
    "waarom": "waarom de persoon dit krijgt",
    "vrijwillig": "dat het vrijwillig is en wat er gebeurt als je niets doet",
    "nee_zeggen": "hoe je nee zegt",
    "contact": "hoe je een mens spreekt",
    "stoppen": "hoe je deze berichten stopt",
}
"""What every proactive message must say (002 'Gegevensdeling'; principles 4 and 5)."""

GENERAL_TRANSPARANTIE = ("afzender", "contact")
"""What a general message that picked no one must say: who sends it, how to reach a person."""


class CampaignError(PolicyError):
    """The campaign file cannot be read; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSource(_Strict):
    """One source of data a campaign uses to choose or address people."""

    naam: str
    soort: Literal["overheid", "privaat"]
    gevoelig: str | None = None
    """'geen', or the kind of sensitive data ('gedrag', 'gezondheid', ...)."""
    grondslag: str | None = None
    """The legal basis (law and article)."""
    toestemming: bool = False
    """The person agreed to this use."""
    analyse: bool = False
    """The source is an analysis (an algorithm) of the holder's own data."""


class _Sender(_Strict):
    naam: str
    soort: Literal["overheid", "privaat"]


class Selectie(_Strict):
    """Which households a campaign picks from the stored non-take-up scan (its newest
    year): a readable rule, no score."""

    regelingen: list[str] = Field(min_length=1)
    status: Literal["recht_niet_ontvangen", "mogelijk_recht_gegevens_nodig", "beide"] = (
        "recht_niet_ontvangen"
    )
    """'beide': money the scan computed and rights it could not check without more data
    (what a yearly check-up goes through)."""

    @property
    def statussen(self) -> tuple[str, ...]:
        if self.status == "beide":
            return ("recht_niet_ontvangen", "mogelijk_recht_gegevens_nodig")
        return (self.status,)

    bedrag_vanaf: float = Field(default=0, ge=0)
    """Euros a year at least (per regulation)."""


class Looptijd(_Strict):
    """The days a campaign may make cases, both included."""

    van: date
    tot: date

    @model_validator(mode="after")
    def _in_order(self) -> "Looptijd":
        if self.tot < self.van:
            raise ValueError(f"'tot' ({self.tot}) ligt voor 'van' ({self.van})")
        return self


class CampaignFile(_Strict):
    """A campaign YAML file (config/campagnes/ holds the four research cases)."""

    naam: str
    soort: Literal["campagne", "apk"] = "campagne"
    """'apk': the yearly check-up conversation, one a year per household (any such
    campaign); its messages say plainly that nothing is wrong."""
    doel: str | None = None
    """The purpose in doelen.yaml under which the selection reads the scan (checked)."""
    selectie: Selectie | None = None
    looptijd: Looptijd | None = None
    """Without one the campaign cannot run (``campaign run``)."""
    ladder: tuple[LadderStepRule, ...] | None = Field(default=None, min_length=1)
    """The campaign's own contact ladder; None: the approach engine's (aanpak.yaml)."""
    per_week: int | None = Field(default=None, ge=1)
    """At most this many new cases a calendar week (Monday to Sunday), so the team can
    answer the calls the letters bring."""
    doelgroep: str | None = None
    regeling: str | None = None
    afzender: _Sender
    gegevensbronnen: list[DataSource] = []
    """Empty: a general message that no data picked anyone for (a poster, a page)."""
    kanaal: str | None = None
    platform: str
    transparantie: list[str] = []

    @field_validator("transparantie")
    @classmethod
    def _known_elements(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in TRANSPARANTIE]
        if unknown:
            raise ValueError(
                f"unknown element(s) {', '.join(unknown)}; choose from {', '.join(TRANSPARANTIE)}"
            )
        return value


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a design is refused, with the evidence."""

    regel: str
    reden: str
    casus: int | None = None
    """The research case (seed 002 ch. 8) behind it, if one."""


@dataclass(frozen=True)
class Campaign:
    """A declared proactive campaign."""

    naam: str
    afzender_soort: str
    platform: str
    gegevensbronnen: tuple[DataSource, ...]
    transparantie: frozenset[str]
    kanaal: str | None = None
    doel: str | None = None
    selectie: Selectie | None = None
    looptijd: Looptijd | None = None
    per_week: int | None = None
    soort: str = "campagne"
    ladder: tuple[LadderStepRule, ...] | None = None


def load_campaign(path: Path) -> Campaign:
    """Read a campaign YAML file (see config/campagnes/ for the four research cases)."""
    try:
        data = load_policy(path, CampaignFile)
    except PolicyError as exc:
        raise CampaignError(exc.path, exc.key, exc.problem) from exc
    return Campaign(
        naam=data.naam,
        afzender_soort=data.afzender.soort,
        platform=data.platform,
        gegevensbronnen=tuple(data.gegevensbronnen),
        transparantie=frozenset(data.transparantie),
        kanaal=data.kanaal,
        doel=data.doel,
        selectie=data.selectie,
        looptijd=data.looptijd,
        per_week=data.per_week,
        soort=data.soort,
        ladder=data.ladder,
    )


class Oordeel(StrEnum):
    """The verdict of the campaign check, as the CLI's exit code tells it."""

    TOEGESTAAN = "toegestaan"
    VOORWAARDELIJK = "voorwaardelijk"
    GEWEIGERD = "geweigerd"


EXIT_CODES = {Oordeel.TOEGESTAAN: 0, Oordeel.VOORWAARDELIJK: 3, Oordeel.GEWEIGERD: 1}
"""``proactief campaign check``: 0 allowed, 3 allowed under conditions, 1 refused."""


class _DataKind(_Strict):
    oordeel: Oordeel
    casus: int | None = None
    bron: str | None = None
    woorden: tuple[str, ...] = ()


class _Channels(_Strict):
    persoonlijk: frozenset[str]
    platform: frozenset[str]
    algemeen: frozenset[str]


class CheckConfig(_Strict):
    """config/campagnecheck.yaml: the closed list of data kinds, the channels, and the
    conditions of case 4."""

    gegevenssoorten: dict[str, _DataKind]
    kanalen: _Channels
    voorwaarden_casus4: tuple[str, ...]
    voorwaarden_toestemming: tuple[str, ...]
    onderzoek: dict[int, str]
    volwassen_vanaf_jaren: int = Field(ge=0)
    """Whom a campaign writes to: the oldest resident of this age (BW 1:233)."""


@cache
def load_check_config() -> CheckConfig:
    """The shipped or the municipality's campagnecheck.yaml."""
    return load_policy(policy_path("campagnecheck.yaml"), CheckConfig)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The campaign check's verdict, with every reason and condition and the research
    behind each."""

    oordeel: Oordeel
    weigeringen: tuple[Refusal, ...]
    voorwaarden: tuple[Refusal, ...]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.oordeel]

    @property
    def onderzoek(self) -> tuple[str, ...]:
        """How residents received the research cases behind the reasons, once each."""
        reasons = self.weigeringen or self.voorwaarden
        cases = sorted({r.casus for r in reasons if r.casus})
        texts = load_check_config().onderzoek
        return tuple(texts[c] for c in cases if c in texts)


def _citations(text: str) -> set[tuple[str, str]]:
    """The (law, article) pairs a legal text cites, e.g. 'Participatiewet art. 7' ->
    ('participatiewet', '7'); the law is the word before 'art.'/'artikel'."""
    return {
        (law.casefold(), article.casefold())
        for law, article in re.findall(
            r"([A-Za-z\u00c0-\u017f-]+)\s+(?:art\.|artikel)\s*(\d+[a-z]?)", text
        )
    }


def _basis_known(grondslag: str) -> bool:
    """A source's legal basis is a purpose in doelen.yaml, or cites a law and article
    that a purpose there rests on: a basis nobody wrote down there does not count."""
    purposes = load_purposes()
    if grondslag.strip().casefold() in {d.value for d in purposes}:
        return True
    cited = _citations(grondslag)
    known = set().union(*(_citations(p.grondslag) for p in purposes.values()))
    return bool(cited) and cited <= known


def _word_in(word: str, text: str) -> bool:
    if len(word) >= 6:
        return word in text
    return re.search(rf"\b{re.escape(word)}", text) is not None


def _kinds(source: DataSource, cfg: CheckConfig) -> tuple[list[str], list[str]]:
    """The data kinds a source holds (its label and every kind its name betrays), and the
    labels the closed list does not know."""
    kinds: list[str] = []
    unknown: list[str] = []
    label = (source.gevoelig or "geen").strip().casefold().replace(" ", "_")
    if label in cfg.gegevenssoorten:
        kinds.append(label)
    else:
        unknown.append(source.gevoelig or "")
    name = source.naam.casefold()
    for kind, spec in cfg.gegevenssoorten.items():
        if kind not in kinds and any(_word_in(w.casefold(), name) for w in spec.woorden):
            kinds.append(kind)
    return kinds, unknown


def judge_campaign(
    campaign: Campaign, previews: "Sequence[CampaignPreview] | None" = None
) -> Verdict:
    """Hold a campaign design against what residents accepted in the research: the data
    its selection reads (the closed list of kinds, by label and by name), where its
    message is shown, its legal basis against doelen.yaml, and what its message says.
    ``previews``: the campaign's messages when the caller rendered them already."""
    cfg = load_check_config()
    refusals: list[Refusal] = []
    conditions: list[Refusal] = []
    kanaal = (campaign.kanaal or "").strip().casefold()
    targeted = bool(campaign.gegevensbronnen) or campaign.selectie is not None
    known_channels = cfg.kanalen.persoonlijk | cfg.kanalen.platform | cfg.kanalen.algemeen
    if kanaal and kanaal not in known_channels:
        refusals.append(
            Refusal(
                "kanaal",
                f"kanaal '{campaign.kanaal}' kent de check niet; kies uit "
                + ", ".join(sorted(known_channels)),
            )
        )
    on_platform = kanaal in cfg.kanalen.platform or campaign.platform.casefold() != "eigen"
    if targeted and on_platform:
        refusals.append(
            Refusal(
                "platform",
                "een gericht overheidsbericht op het platform van een ander "
                f"('{campaign.kanaal or campaign.platform}'): het platform kiest wie het ziet "
                "met zijn eigen gegevens over die persoon",
                casus=2,
            )
        )
    if targeted and kanaal in cfg.kanalen.algemeen:
        refusals.append(
            Refusal(
                "kanaal",
                f"'{campaign.kanaal}' is voor een algemene boodschap; een selectie van "
                "personen hoort bij een persoonlijk bericht",
            )
        )
    for source in campaign.gegevensbronnen:
        naam = source.naam
        kinds, unknown = _kinds(source, cfg)
        for label in unknown:
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: soort gegevens '{label}' staat niet in de gesloten lijst "
                    "(campagnecheck.yaml); kies uit " + ", ".join(cfg.gegevenssoorten),
                )
            )
        for kind in kinds:
            spec = cfg.gegevenssoorten[kind]
            why = f" ({spec.bron})" if spec.bron else ""
            if spec.oordeel is Oordeel.GEWEIGERD:
                refusals.append(
                    Refusal(
                        "gegevens",
                        f"{naam}: gegevens over {kind.replace('_', ' ')}{why}",
                        spec.casus,
                    )
                )
            elif spec.oordeel is Oordeel.VOORWAARDELIJK:
                conditions.extend(Refusal("voorwaarde", c, 4) for c in cfg.voorwaarden_casus4)
        if source.analyse and source.soort == "privaat":
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: een algoritme van een private partij op eigen klantgegevens",
                    casus=3,
                )
            )
        if source.grondslag and not _basis_known(source.grondslag):
            refusals.append(
                Refusal(
                    "grondslag",
                    f"{naam}: grondslag '{source.grondslag}' is geen doel in doelen.yaml en "
                    "noemt geen wet en artikel waar een doel daar op rust (principe 3)",
                )
            )
        elif source.grondslag and source.soort == "privaat":
            # case 4: residents were surprised that it is allowed at all
            conditions.extend(Refusal("voorwaarde", c, 4) for c in cfg.voorwaarden_casus4)
        elif not source.grondslag and source.toestemming:
            conditions.extend(Refusal("voorwaarde", c) for c in cfg.voorwaarden_toestemming)
        elif not source.grondslag:
            refusals.append(
                Refusal(
                    "grondslag",
                    f"{naam}: geen wettelijke grondslag en geen toestemming van de persoon "
                    "(principe 3)",
                )
            )
    if campaign.doel is not None and campaign.doel not in {d.value for d in load_purposes()}:
        refusals.append(
            Refusal(
                "grondslag",
                f"doel '{campaign.doel}' staat niet in doelen.yaml: zonder vastgelegd doel "
                "en grondslag mag de selectie geen gegevens lezen (principe 3)",
            )
        )
    required = TRANSPARANTIE if targeted else GENERAL_TRANSPARANTIE
    missing = [k for k in required if k not in campaign.transparantie]
    if missing:
        refusals.append(
            Refusal(
                "transparantie",
                "het bericht moet ook zeggen: "
                + "; ".join(TRANSPARANTIE[k] for k in missing)
                + " (002 'Gegevensdeling'; principes 4 en 5)",
            )
        )
    refusals.extend(_message_problems(campaign, previews))
    unique = tuple(dict.fromkeys(conditions))
    if refusals:
        return Verdict(Oordeel.GEWEIGERD, tuple(refusals), unique)
    return Verdict(Oordeel.VOORWAARDELIJK if unique else Oordeel.TOEGESTAAN, (), unique)


def _message_problems(
    campaign: Campaign, previews: "Sequence[CampaignPreview] | None"
) -> list[Refusal]:
    """What the message checker finds in the messages the campaign would send: a
    campaign with a selection is sent through the offer templates, so they are rendered
    (every tone and channel, for a household as the selection describes it) and checked
    as at sending; a design without one declares its elements (``transparantie``)."""
    if campaign.selectie is None:
        return []
    from proactief.offers.account import Afzender
    from proactief.offers.campaign_messages import campaign_previews
    from proactief.offers.outreach import GATE_RULES

    if previews is None:
        previews = campaign_previews(campaign, afzender=Afzender(), datum=date.today())
    return [
        Refusal("bericht", f"{preview.toon.value}, {kanaal}: {problem}")
        for preview in previews
        for kanaal, problem in preview.problemen
        if problem.regel in GATE_RULES
    ]


def check_campaign(campaign: Campaign) -> list[Refusal]:
    """Every reason to refuse the design; an empty list means it may go ahead (perhaps
    under conditions: :func:`judge_campaign`)."""
    return list(judge_campaign(campaign).weigeringen)


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """What a campaign's selection finds in the stored scan (counts and sums only)."""

    huishoudens: int
    bedrag_per_jaar: float
    """Euros a year the selected households miss, over the selected regulations."""
    per_regeling: dict[str, tuple[int, float]]
    """Regulation -> (households, euros a year)."""

    def as_json(self) -> dict[str, object]:
        return {
            "huishoudens": self.huishoudens,
            "bedrag_per_jaar": round(self.bedrag_per_jaar, 2),
            "per_regeling": {
                r: {"huishoudens": n, "bedrag_per_jaar": round(b, 2)}
                for r, (n, b) in sorted(self.per_regeling.items())
            },
        }


def plan_campaign(conn: Connection, campaign: Campaign, *, actor: str) -> CampaignPlan:
    """Count the households the campaign's selection finds in the newest stored scan, and
    the money they miss; read under the campaign's purpose (audited), nothing changed.

    Raises:
        ValueError: the campaign has no selection or no purpose.
        PurposeViolationError: its purpose does not allow reading the scan.
    """
    if campaign.selectie is None or campaign.doel is None:
        raise ValueError(
            "de campagne noemt geen 'selectie' en 'doel': er is niets te plannen / no selection"
        )
    grant = PersonalDataAccess(conn, doel=Doel(campaign.doel), actor=actor).check(
        ["entitlements.*"], about={"campagne": campaign.naam[:80]}
    )
    rows = selected_entitlements(
        grant,
        regelingen=campaign.selectie.regelingen,
        statussen=campaign.selectie.statussen,
        min_centen=round(campaign.selectie.bedrag_vanaf * 100),
    )
    per: dict[str, tuple[set[str], int]] = {}
    for household, regeling, cents in rows:
        seen, total = per.get(regeling, (set(), 0))
        seen.add(household)
        per[regeling] = (seen, total + (cents or 0))
    households = {h for h, _, _ in rows}
    return CampaignPlan(
        huishoudens=len(households),
        bedrag_per_jaar=sum((c or 0) for _, _, c in rows) / 100,
        per_regeling={r: (len(seen), total / 100) for r, (seen, total) in per.items()},
    )
