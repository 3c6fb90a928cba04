"""Purpose binding and data minimisation: the purposes are data (config/doelen.yaml), and
every read of personal data is checked against the fields its purpose may use."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from proactief.config import PolicyError, load_policy, policy_path
from proactief.domain import Doel

__all__ = ["Purpose", "PurposeViolationError", "check_fields", "load_purposes"]


class PurposeViolationError(PermissionError):
    """A field was read for a purpose that may not use it."""

    def __init__(self, doel: Doel, fields: Iterable[str]) -> None:
        listed = ", ".join(sorted(fields))
        super().__init__(
            f"Doel '{doel.value}' mag {listed} niet lezen (doelbinding, AVG art. 5 lid 1 b/c). "
            f"Purpose '{doel.value}' may not read {listed}; see config/doelen.yaml."
        )
        self.doel = doel
        self.fields = tuple(sorted(fields))


@dataclass(frozen=True, slots=True)
class Purpose:
    """One purpose with its legal basis, allowed fields and retention."""

    doel: Doel
    grondslag: str
    velden: frozenset[str]
    bewaartermijn_dagen: int
    bewaartermijn_dagen_met_hulp: int | None
    bewaartermijn_status: str
    grondslag_b1: str = ""
    """The basis as a resident reads it in a message (B1); empty: ``grondslag``."""

    def allows(self, field: str) -> bool:
        """``table.column`` is in the list, directly or by ``table.*`` / ``table.prefix_*``."""
        if field in self.velden:
            return True
        table, _, column = field.partition(".")
        return any(
            allowed.endswith("*")
            and allowed.startswith(table + ".")
            and column.startswith(allowed.split(".", 1)[1][:-1])
            for allowed in self.velden
        )


class PurposeSpec(BaseModel):
    """One purpose in config/doelen.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grondslag: str = Field(min_length=1)
    grondslag_b1: str | None = None
    velden: tuple[str, ...] = Field(min_length=1)
    bewaartermijn_dagen: int | None = Field(default=None, gt=0)
    bewaartermijn_dagen_zonder_hulp: int | None = Field(default=None, gt=0)
    bewaartermijn_dagen_met_hulp: int | None = Field(default=None, gt=0)
    bewaartermijn_status: str

    @model_validator(mode="after")
    def _one_period(self) -> "PurposeSpec":
        if (self.bewaartermijn_dagen is None) == (self.bewaartermijn_dagen_zonder_hulp is None):
            raise ValueError(
                "give exactly one of bewaartermijn_dagen and bewaartermijn_dagen_zonder_hulp"
            )
        return self


PurposesFile = RootModel[dict[Doel, PurposeSpec]]


@cache
def load_purposes() -> dict[Doel, Purpose]:
    """Read config/doelen.yaml (or the municipality's own), checked: every purpose known,
    every field list and retention period there (PolicyError names file and key)."""
    path = policy_path("doelen.yaml")
    specs = load_policy(path, PurposesFile).root
    missing = set(Doel) - set(specs)
    if missing:
        raise PolicyError(path, ", ".join(sorted(missing)), "purpose missing")
    return {
        doel: Purpose(
            doel=doel,
            grondslag=spec.grondslag,
            velden=frozenset(spec.velden),
            bewaartermijn_dagen=int(
                spec.bewaartermijn_dagen or spec.bewaartermijn_dagen_zonder_hulp or 0
            ),
            bewaartermijn_dagen_met_hulp=spec.bewaartermijn_dagen_met_hulp,
            bewaartermijn_status=spec.bewaartermijn_status,
            grondslag_b1=spec.grondslag_b1 or spec.grondslag,
        )
        for doel, spec in specs.items()
    }


def check_fields(doel: Doel, fields: Iterable[str]) -> None:
    """Raise PurposeViolationError when any ``table.column`` is outside the purpose."""
    purpose = load_purposes()[doel]
    outside = [f for f in fields if not purpose.allows(f)]
    if outside:
        raise PurposeViolationError(doel, outside)
