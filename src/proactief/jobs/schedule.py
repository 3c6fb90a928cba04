"""The schedule of the background tasks (config/taken.yaml)."""

from pathlib import Path
from typing import Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from proactief.config import load_policy, policy_path
from proactief.settings import Settings

__all__ = ["TAKEN", "Schedule", "TaskSchedule", "load_schedule"]

TaakNaam = Literal[
    "matching",
    "huishoudens",
    "ladder",
    "afleverstatus",
    "klantcontacten",
    "antwoorden",
    "toekenningen",
    "bewaartermijnen",
    "terugkoppeling",
    "scan",
    "gebeurtenissen",
    "campagnes",
]

TAKEN: dict[str, str] = {
    "matching": "Signalen koppelen tot zaken",
    "huishoudens": "Huishoudens uit de BRP",
    "ladder": "Stappen van de contactladder",
    "afleverstatus": "Afleverstatus bij de verzenddienst",
    "klantcontacten": "Contactpogingen naar het klantcontactregister",
    "antwoorden": "Antwoorden van inwoners (STOP)",
    "toekenningen": "Automatisch toekennen",
    "bewaartermijnen": "Bewaartermijnen",
    "terugkoppeling": "Terugkoppeling aan schuldeisers",
    "scan": "Regelingencheck (niet-gebruik)",
    "gebeurtenissen": "Levensgebeurtenissen op hun moment",
    "campagnes": "Campagnes: de zaken van deze week",
}
"""Every task, as the team reads its name."""


class TaskSchedule(BaseModel):
    """When one task runs."""

    model_config = ConfigDict(extra="forbid")

    cron: str
    aan: bool = True
    bevolking: Path | None = None
    """Only for ``scan``: the population file."""
    bestanden: list[Path] = []
    """Only for ``campagnes``: the campaign files to run (relative: in the policy folder)."""

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(
                f"'{value}' is geen cron-regel (minuut uur dag maand weekdag, bijv. '0 8 * * 1-5')"
            )
        return value


class Schedule(BaseModel):
    """config/taken.yaml."""

    model_config = ConfigDict(extra="forbid")

    taken: dict[TaakNaam, TaskSchedule] = Field(default_factory=dict)

    def active(self) -> dict[str, TaskSchedule]:
        """The tasks that are on, by name."""
        return {name: t for name, t in self.taken.items() if t.aan}


def load_schedule(path: Path | None = None, settings: Settings | None = None) -> Schedule:
    """Read and check the schedule (default: ``taken.yaml`` in the policy folder).

    Raises:
        PolicyError: the message names the file, the key and what it accepts.
    """
    return load_policy(path or policy_path("taken.yaml", settings), Schedule)
