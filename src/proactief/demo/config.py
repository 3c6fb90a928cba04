"""The synthetic municipality of ``proactief demo`` (config/demo_municipality.yaml) and the
national figures it draws contact outcomes from (data/outreach_evidence.yaml), each read
through a pydantic model so a wrong value names the file and the key."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from proactief.config import load_policy, policy_path

__all__ = ["DemoMunicipality", "Evidence", "load_demo_config", "load_evidence"]

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HouseholdType(_Strict):
    share: float
    persons: tuple[int, int]
    income_median: int


class Households(_Strict):
    types: dict[str, HouseholdType]
    income_spread: float
    housing: dict[str, float]


class Signals(_Strict):
    per_1000_residents_per_month: float
    partner_shares: dict[str, float]
    amount_median: dict[str, int]
    amount_spread: float
    arrears_days: tuple[int, int]
    crisis_share: float
    warme_overdracht_share: float
    repeat_share: float
    address_identification_share: float
    invalid_share: float


class Contact(_Strict):
    strategy_shares: dict[str, float]
    days_to_first_attempt: tuple[int, int]
    days_to_close_after_last_attempt: int
    outcome_if_accepted: dict[str, float]
    outcome_if_declined: dict[str, float]


class DemoExperiment(_Strict):
    bestand: str
    bereik_factor: dict[str, float]


class Voorkeuren(_Strict):
    opt_out: float
    kanaal: float
    elektronisch: float
    vertegenwoordiger: float
    vragenlijst: float


class DemoEntitlements(_Strict):
    jaar: int
    vermogen_mu: float
    vermogen_sigma: float
    kale_huur: dict[str, tuple[int, int]]
    netto_aandeel: list[tuple[int, float]]
    auto_kans: float
    auto_waarde: tuple[int, int]
    aanslag_basis: int
    aanslag_per_persoon: int
    niet_gebruik: dict[str, float]


class DemoMunicipality(_Strict):
    """config/demo_municipality.yaml."""

    name: str
    gemeentecode: str
    postcode_range: tuple[int, int]
    households: Households
    signals: Signals
    contact: Contact
    voorkeuren: Voorkeuren
    entitlements: DemoEntitlements
    experiment: DemoExperiment


class NationalFigures(BaseModel):
    """The figures the contact simulation draws from; the file holds more (ignored here)."""

    accepted_share_of_reached: float
    reach_by_channel_mix: dict[str, float]


class Evidence(BaseModel):
    """data/outreach_evidence.yaml (a copy of shared/reference/outreach_evidence.yaml)."""

    national_figures: NationalFigures


def load_demo_config() -> DemoMunicipality:
    """The demo municipality (the municipality's own folder first, then the shipped one)."""
    return load_policy(policy_path("demo_municipality.yaml"), DemoMunicipality)


def load_evidence() -> Evidence:
    """The national outreach figures shipped with Proactief."""
    return load_policy(_DATA_DIR / "outreach_evidence.yaml", Evidence)
