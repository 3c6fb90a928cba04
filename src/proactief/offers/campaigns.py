"""Campaign design check: a proactive campaign is declared as data, and the system refuses
designs that citizens rejected in the research (seed 002 ch. 8, citizen cases 2 and 3):
commercial platforms, behavioural or health data, a private party's analysis of its own
data, and any data source without a legal basis or the person's consent. Allowed designs
must declare every transparency element citizens asked for."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "TRANSPARANTIE",
    "Campaign",
    "CampaignError",
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


class CampaignError(ValueError):
    """The campaign file cannot be read."""


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
    gegevensbronnen: tuple[dict[str, Any], ...]
    transparantie: frozenset[str]


def load_campaign(path: Path) -> Campaign:
    """Read a campaign YAML file (see config/campagnes/ for the four research cases)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Campaign(
            naam=str(data["naam"]),
            afzender_soort=str(data["afzender"]["soort"]),
            platform=str(data["platform"]),
            gegevensbronnen=tuple(data["gegevensbronnen"]),
            transparantie=frozenset(data.get("transparantie", [])),
        )
    except (OSError, yaml.YAMLError) as exc:
        raise CampaignError(f"{path}: cannot read it ({exc})") from exc
    except (KeyError, TypeError) as exc:
        raise CampaignError(
            f"{path}: missing field {exc}; needed: naam, afzender.soort, platform, "
            "gegevensbronnen, transparantie"
        ) from exc


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
        naam = source.get("naam", "?")
        if source.get("gevoelig") in ("gedrag", "gezondheid"):
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: {source['gevoelig']}sgegevens voor "
                    "een aanbod wijzen burgers af (002 casus 2 en 3)",
                )
            )
        if source.get("analyse") and source.get("soort") == "privaat":
            refusals.append(
                Refusal(
                    "gegevens",
                    f"{naam}: een algoritme van een private partij "
                    "op eigen klantgegevens wijzen burgers grotendeels af "
                    "(002 casus 3)",
                )
            )
        if not source.get("grondslag") and not source.get("toestemming"):
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
