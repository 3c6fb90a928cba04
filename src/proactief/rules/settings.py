"""Municipal settings that the law leaves to the municipality, with their legal range."""

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["MunicipalSettings", "SettingsError", "load_municipal_settings"]


class SettingsError(ValueError):
    """A municipal setting is missing or outside its legal range."""


@dataclass(frozen=True, slots=True)
class MunicipalSettings:
    """Choices of the municipality (see config/gemeente.yaml)."""

    kwijtschelding_kosten_van_bestaan_pct: float = 1.0
    """Costs of living as a share of the bijstandsnorm: 0.90 to 1.00 (Regeling kwijtschelding
    belastingen medeoverheden art. 2)."""
    inkomensgrens_bijzondere_bijstand_pct: float = 1.2
    """Income test value for the screening of bijzondere bijstand and individuele
    inkomenstoeslag: 1.00 to 1.50 of the bijstandsnorm (municipal policy)."""
    iit_referteperiode_jaar: float = 3.0
    """Years of low income before individuele inkomenstoeslag (municipal ordinance,
    Participatiewet art. 36; usually 3)."""

    def __post_init__(self) -> None:
        if not 1 <= self.iit_referteperiode_jaar <= 5:
            raise SettingsError(
                "iit_referteperiode_jaar must be between 1 and 5, "
                f"got {self.iit_referteperiode_jaar}"
            )
        if not 0.9 <= self.kwijtschelding_kosten_van_bestaan_pct <= 1.0:
            raise SettingsError(
                "kwijtschelding_kosten_van_bestaan_pct must be between 0.90 and 1.00 of the "
                f"bijstandsnorm, got {self.kwijtschelding_kosten_van_bestaan_pct}"
            )
        if not 1.0 <= self.inkomensgrens_bijzondere_bijstand_pct <= 1.5:
            raise SettingsError(
                "inkomensgrens_bijzondere_bijstand_pct must be between 1.00 and 1.50 of the "
                f"bijstandsnorm, got {self.inkomensgrens_bijzondere_bijstand_pct}"
            )


def load_municipal_settings(path: Path) -> MunicipalSettings:
    """Read the municipal settings file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = set(MunicipalSettings.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    return MunicipalSettings(**{k: float(v) for k, v in data.items()})
