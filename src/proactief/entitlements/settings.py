"""Municipal settings that the law leaves to the municipality, with their legal range."""

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from proactief.config import PolicyError, load_policy
from proactief.entitlements.parameters import load_parameters

__all__ = ["MunicipalSettings", "SettingsError", "load_municipal_settings"]


class SettingsError(ValueError):
    """A municipal setting is missing or outside its legal range."""


@dataclass(frozen=True, slots=True)
class MunicipalSettings:
    """Choices of the municipality (see config/gemeente.yaml)."""

    kwijtschelding_kosten_van_bestaan_pct: float = 1.0
    """Costs of living as a share of the bijstandsnorm, within the range in
    regelingen/kwijtschelding/parameters.yaml (Regeling kwijtschelding belastingen
    medeoverheden art. 2)."""
    inkomensgrens_bijzondere_bijstand_pct: float = 1.2
    """Income test value for the screening of bijzondere bijstand and individuele
    inkomenstoeslag, within the range in regelingen/bijzondere_bijstand/parameters.yaml."""
    iit_referteperiode_jaar: float = 3.0
    """Years of low income before individuele inkomenstoeslag (municipal ordinance,
    Participatiewet art. 36; usually 3)."""

    def __post_init__(self) -> None:
        kvb_low, kvb_high = _legal_range("kwijtschelding", "kosten_van_bestaan_pct")
        if not kvb_low <= self.kwijtschelding_kosten_van_bestaan_pct <= kvb_high:
            raise SettingsError(
                f"kwijtschelding_kosten_van_bestaan_pct must be between {kvb_low:.2f} and "
                f"{kvb_high:.2f} of the bijstandsnorm, got "
                f"{self.kwijtschelding_kosten_van_bestaan_pct}"
            )
        bb_low, bb_high = _legal_range("bijzondere_bijstand", "inkomensgrens_pct")
        if not bb_low <= self.inkomensgrens_bijzondere_bijstand_pct <= bb_high:
            raise SettingsError(
                f"inkomensgrens_bijzondere_bijstand_pct must be between {bb_low:.2f} and "
                f"{bb_high:.2f} of the bijstandsnorm, got "
                f"{self.inkomensgrens_bijzondere_bijstand_pct}"
            )
        # A sanity bound, not a legal one: the ordinance sets the reference period.
        if not 1 <= self.iit_referteperiode_jaar <= 5:
            raise SettingsError(
                "iit_referteperiode_jaar must be between 1 and 5, "
                f"got {self.iit_referteperiode_jaar}"
            )


def _legal_range(regeling: str, name: str) -> tuple[float, float]:
    """The allowed range of a municipal setting, from the regulation's parameter file."""
    pset = load_parameters(regeling)
    low, high = pset[f"{name}_minimum"], pset[f"{name}_maximum"]
    latest_low = max(low.waarden, key=lambda v: v.vanaf).waarde
    latest_high = max(high.waarden, key=lambda v: v.vanaf).waarde
    assert latest_low is not None and latest_high is not None
    return latest_low, latest_high


class GemeenteFile(BaseModel):
    """config/gemeente.yaml as written: every setting optional (the default applies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kwijtschelding_kosten_van_bestaan_pct: float | None = None
    inkomensgrens_bijzondere_bijstand_pct: float | None = None
    iit_referteperiode_jaar: float | None = None


def load_municipal_settings(path: Path) -> MunicipalSettings:
    """Read the municipal settings file.

    Raises:
        SettingsError: the file cannot be read, has an unknown key or a value outside its
            legal range; the message names the file and the key.
    """
    try:
        data = load_policy(path, GemeenteFile)
    except PolicyError as exc:
        raise SettingsError(str(exc)) from exc
    try:
        return MunicipalSettings(**data.model_dump(exclude_none=True))
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
