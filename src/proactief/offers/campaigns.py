"""Campaign design check: a proactive campaign is declared as data, and the system refuses
designs that citizens rejected in the research (seed 002 ch. 8, citizen cases 2 and 3):
commercial platforms, behavioural or health data, a private party's analysis of its own
data, and any data source without a legal basis or the person's consent. Allowed designs
must declare every transparency element citizens asked for."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection

from proactief.config import PolicyError, load_policy
from proactief.domain import Doel
from proactief.entitlements.repository import selected_entitlements
from proactief.trust.access import PersonalDataAccess
from proactief.trust.purposes import load_purposes

__all__ = [
    "TRANSPARANTIE",
    "Campaign",
    "CampaignError",
    "CampaignFile",
    "CampaignPlan",
    "DataSource",
    "Refusal",
    "check_campaign",
    "load_campaign",
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
    status: Literal["recht_niet_ontvangen", "mogelijk_recht_gegevens_nodig"] = (
        "recht_niet_ontvangen"
    )
    bedrag_vanaf: float = Field(default=0, ge=0)
    """Euros a year at least (per regulation)."""


class CampaignFile(_Strict):
    """A campaign YAML file (config/campagnes/ holds the four research cases)."""

    naam: str
    doel: str | None = None
    """The purpose in doelen.yaml under which the selection reads the scan (checked)."""
    selectie: Selectie | None = None
    doelgroep: str | None = None
    regeling: str | None = None
    afzender: _Sender
    gegevensbronnen: list[DataSource] = Field(min_length=1)
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


@dataclass(frozen=True)
class Campaign:
    """A declared proactive campaign."""

    naam: str
    afzender_soort: str
    platform: str
    gegevensbronnen: tuple[DataSource, ...]
    transparantie: frozenset[str]
    doel: str | None = None
    selectie: Selectie | None = None


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
        doel=data.doel,
        selectie=data.selectie,
    )


def check_campaign(campaign: Campaign) -> list[Refusal]:
    """Every reason to refuse the design; an empty list means it may go ahead."""
    refusals = []
    if campaign.platform != "eigen":
        refusals.append(
            Refusal(
                "platform",
                "een overheidsbericht op een commercieel platform "
                "wijzen burgers direct af (002 casus 2)",
            )
        )
    for source in campaign.gegevensbronnen:
        naam = source.naam
        if source.gevoelig in ("gedrag", "gezondheid"):
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: {source.gevoelig}sgegevens voor "
                    "een aanbod wijzen burgers af (002 casus 2 en 3)",
                )
            )
        if source.analyse and source.soort == "privaat":
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: een algoritme van een private partij "
                    "op eigen klantgegevens wijzen burgers grotendeels af "
                    "(002 casus 3)",
                )
            )
        if not source.grondslag and not source.toestemming:
            refusals.append(
                Refusal(
                    "grondslag",
                    f"{naam}: geen wettelijke grondslag en geen "
                    "toestemming van de persoon (principe 3)",
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
    missing = [k for k in TRANSPARANTIE if k not in campaign.transparantie]
    if missing:
        refusals.append(
            Refusal(
                "transparantie",
                "het bericht moet ook zeggen: "
                + "; ".join(TRANSPARANTIE[k] for k in missing)
                + " (002 'Gegevensdeling'; principes 4 en 5)",
            )
        )
    return refusals


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
        status=campaign.selectie.status,
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
