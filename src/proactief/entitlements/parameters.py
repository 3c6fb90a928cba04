"""Regulation parameters as dated data: every amount, percentage and threshold with its
start date, unit, legal source and confidence (verified / secondary / derived /
unverified). Nothing legal is written in Python."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from proactief.config import load_policy
from proactief.domain.json import JsonObject
from proactief.entitlements.catalog import REGELINGEN_DIR, folder_of

__all__ = [
    "REGELINGEN_DIR",
    "Parameter",
    "ParameterFile",
    "ParameterMissingError",
    "ParameterSet",
    "ParameterValue",
    "Source",
    "YearNotCoveredError",
    "load_parameters",
    "parameter_schema",
]


class ParameterMissingError(LookupError):
    """No value of a parameter applies on the date asked for."""

    def __init__(self, regeling: str, name: str, when: date) -> None:
        super().__init__(
            f"{regeling}: no value of '{name}' applies on {when.isoformat()}; add one to "
            f"regelingen/{regeling}/parameters.yaml with its source"
        )


class YearNotCoveredError(ParameterMissingError):
    """The regulation's parameters are not known for this year."""

    def __init__(self, regeling: str, jaar: int, jaren: tuple[int, ...]) -> None:
        LookupError.__init__(
            self,
            f"{regeling}: parameters are known for {', '.join(map(str, jaren))} only, not for "
            f"{jaar}; add the values of {jaar} with their source to "
            f"regelingen/{regeling}/parameters.yaml",
        )


@dataclass(frozen=True, slots=True)
class Source:
    """Where a parameter is laid down."""

    wet: str
    artikel: str
    bwb_id: str | None = None
    lid: str | None = None

    def cite(self) -> str:
        """'Wet op de zorgtoeslag, art. 2 lid 3'."""
        return f"{self.wet}, art. {self.artikel}" + (f" lid {self.lid}" if self.lid else "")


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """One dated value."""

    vanaf: date
    waarde: float | None
    zekerheid: str
    toelichting: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named parameter with all its dated values."""

    regeling: str
    name: str
    omschrijving: str
    eenheid: str
    bron: Source
    waarden: tuple[ParameterValue, ...]

    def at(self, when: date) -> ParameterValue:
        """The value that applies on ``when`` (the latest that started on or before it)."""
        applicable = [v for v in self.waarden if v.vanaf <= when]
        if not applicable:
            raise ParameterMissingError(self.regeling, self.name, when)
        return max(applicable, key=lambda v: v.vanaf)

    def last_known_before(self, when: date) -> ParameterValue | None:
        """The latest value with a number that started before ``when`` (for unknown years)."""
        known = [v for v in self.waarden if v.vanaf < when and v.waarde is not None]
        return max(known, key=lambda v: v.vanaf) if known else None


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of one regulation, with the fingerprint of its files."""

    regeling: str
    titel: str
    parameters: dict[str, Parameter]
    sha256: str
    jaren: tuple[int, ...] = ()
    """Years for which all parameters are known (empty: no restriction)."""

    def check_year(self, jaar: int) -> None:
        """Refuse a year for which not every parameter is known."""
        if self.jaren and jaar not in self.jaren:
            raise YearNotCoveredError(self.regeling, jaar, self.jaren)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise KeyError(
                f"{self.regeling} has no parameter {name!r}; known: {', '.join(self.parameters)}"
            ) from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SourceModel(_Strict):
    wet: str
    artikel: str
    bwb_id: Annotated[str, Field(pattern=r"^BWBR[0-9]{7}$")] | None = None
    lid: str | None = None
    url: str | None = None

    def source(self) -> Source:
        return Source(wet=self.wet, artikel=self.artikel, bwb_id=self.bwb_id, lid=self.lid)


class _ValueModel(_Strict):
    vanaf: date
    waarde: float | None
    zekerheid: Literal["verified", "secondary", "derived", "unverified"]
    toelichting: str | None = None


class _ParameterModel(_Strict):
    omschrijving: str
    eenheid: Literal["EUR", "EUR/maand", "fractie", "jaar", "aantal"]
    bron: _SourceModel
    waarden: list[_ValueModel] = Field(min_length=1)


class ParameterFile(_Strict):
    """``regelingen/<regeling>/parameters.yaml`` as written (the same rules as
    parameters.schema.json, which documents the format for people writing these files)."""

    regeling: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    titel: str
    jaren: list[int] | None = Field(default=None, min_length=1)
    wet: _SourceModel | None = None
    parameters: dict[str, _ParameterModel] = Field(min_length=1)


@cache
def parameter_schema() -> JsonObject:
    """The JSON Schema every parameters.yaml must satisfy."""
    text = (
        resources.files("proactief.entitlements")
        .joinpath("parameters.schema.json")
        .read_text("utf-8")
    )
    schema: JsonObject = json.loads(text)
    return schema


def files_sha256(regeling: str) -> str:
    """Fingerprint of every file of a regulation (parameters, rules, tests)."""
    digest = hashlib.sha256()
    folder = folder_of(regeling)
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def load_parameters(regeling: str) -> ParameterSet:
    """Read the regulation's ``parameters.yaml`` (in ``regelingen/<regeling>/``, or beside
    an installed regulation's rules module)."""
    data = load_policy(folder_of(regeling) / "parameters.yaml", ParameterFile)
    parameters = {
        name: Parameter(
            regeling=regeling,
            name=name,
            omschrijving=spec.omschrijving,
            eenheid=spec.eenheid,
            bron=spec.bron.source(),
            waarden=tuple(
                ParameterValue(
                    vanaf=v.vanaf, waarde=v.waarde, zekerheid=v.zekerheid, toelichting=v.toelichting
                )
                for v in spec.waarden
            ),
        )
        for name, spec in data.parameters.items()
    }
    return ParameterSet(
        regeling=regeling,
        titel=data.titel,
        parameters=parameters,
        sha256=files_sha256(regeling),
        jaren=tuple(data.jaren or ()),
    )
