"""Campaign design check: a proactive campaign is declared as data, and the system refuses
designs that citizens rejected in the research (seed 002 ch. 8, citizen cases 2 and 3):
commercial platforms, behavioural or health data, a private party's analysis of its own
data, and any data source without a legal basis or the person's consent. Allowed designs
must declare every transparency element citizens asked for."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from proactief.config import PolicyError, load_policy

__all__ = [
    "TRANSPARANTIE",
    "Campaign",
    "CampaignError",
    "CampaignFile",
    "DataSource",
    "Refusal",
    "check_campaign",
    "load_campaign",
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


class CampaignFile(_Strict):
    """A campaign YAML file (config/campagnes/ holds the four research cases)."""

    naam: str
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
