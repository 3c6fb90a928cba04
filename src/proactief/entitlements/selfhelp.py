"""What a resident can do alone per regulation: the ``zelfhulp.yaml`` in the regulation's
folder (where to apply by the official page's name, the steps, what to have at hand, and
the source). A message names them when the approach has ``zelfhulp``."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from proactief.config import load_policy
from proactief.domain.account import SelfHelp

__all__ = ["SelfHelpSpec", "self_help"]


class SelfHelpSpec(BaseModel):
    """One regulation's zelfhulp.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    waar: str = Field(min_length=1)
    stappen: tuple[str, ...] = Field(min_length=1)
    nodig: tuple[str, ...] = ()
    bron: str = Field(min_length=1)


@cache
def self_help(regeling: str) -> SelfHelp | None:
    """The self-help steps of a regulation, or None when its folder has none."""
    path = Path(__file__).parent / "regelingen" / regeling / "zelfhulp.yaml"
    if not path.is_file():
        return None
    spec = load_policy(path, SelfHelpSpec)
    return SelfHelp(waar=spec.waar, stappen=spec.stappen, nodig=spec.nodig, bron=spec.bron)
