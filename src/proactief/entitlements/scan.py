"""A household's entitlements from the newest scan, and their explanation step by step
down to the article, for the case page.

The scan keeps, per regulation, only the household values that regulation reads
(``entitlements.invoer``). Explaining runs the same rule code as the scan
(:func:`proactief.entitlements.explain`) on those values; when the rules or the outcome changed
since the scan, the explanation says so instead of showing an amount that no longer holds.
Everything is read under the ``regelingencheck`` purpose, which is logged.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.domain.records import EntitlementRecord, HouseholdSummary
from proactief.entitlements import (
    STATUS_NAMES,
    Explanation,
    MunicipalSettings,
    ParameterMissingError,
    explain,
    inputs_of,
    rules_hash,
)
from proactief.entitlements import repository as repo
from proactief.entitlements.engine import household_arrays
from proactief.entitlements.population import ScanResult
from proactief.trust.access import PersonalDataAccess

__all__ = [
    "EntitlementExplanation",
    "entitlement_rows",
    "explain_entitlements",
    "explain_rows",
    "household_entitlements",
]

# a scan stores cents rounded from the same float the explanation rounds to 2 decimals
_CENT_TOLERANCE = 1


def entitlement_rows(
    scan: ScanResult, population: pd.DataFrame, *, jaar: int, regelingen: Sequence[str]
) -> list[dict[str, object]]:
    """The rows to store from a non-take-up scan: per household and regulation what it may
    get but does not, with only the values that regulation read (``invoer``), so that
    the outcome can be explained later without a new scan."""
    results = scan.results
    by_household = population.set_index(population["household_id"].astype(str))
    rows: list[dict[str, object]] = []
    for regeling in regelingen:
        digest = rules_hash([regeling])
        columns = [c for c in inputs_of(regeling) if c in by_household.columns]
        status = results[f"{regeling}_status"].astype(str)
        cents = results[f"{regeling}_bedrag_centen"]
        wanted = status.isin(["recht_niet_ontvangen", "mogelijk_recht_gegevens_nodig"])
        ids = results.loc[wanted, "household_id"].astype(str)
        # as the rules read them ('ja'/'nee' as 1/0), so the stored values explain again
        chosen = by_household.loc[ids, columns]
        inputs = pd.DataFrame(
            household_arrays(chosen, dict.fromkeys(columns, math.nan)), index=chosen.index
        )
        values = inputs.astype(object).where(inputs.notna(), None).to_dict("records")
        for household_id, state, amount, invoer in zip(
            ids, status[wanted], cents[wanted], values, strict=True
        ):
            rows.append(
                {
                    "household_id": household_id,
                    "jaar": jaar,
                    "regeling": regeling,
                    "status": state,
                    "bedrag_centen": None
                    if state != "recht_niet_ontvangen" or pd.isna(amount)
                    else int(amount),
                    "regels_hash": digest,
                    "invoer": invoer,
                }
            )
    return rows


def household_entitlements(
    conn: Connection, *, person_pseudonym: str, actor: str
) -> list[EntitlementRecord]:
    """The rows of the newest scan for the person's household (regelingencheck purpose)."""
    grant = PersonalDataAccess(conn, doel=Doel.REGELINGENCHECK, actor=actor).check(
        ["residents.household_id", "entitlements.*"], subject=person_pseudonym
    )
    household = repo.household_of_person(grant, person_pseudonym)
    if household is None:
        return []
    return repo.entitlements_of_household(grant, household)


@dataclass(frozen=True, slots=True)
class EntitlementExplanation:
    """One regulation for one household: what the scan found, and why."""

    regeling: str
    status: str
    """As stored by the scan: 'recht_niet_ontvangen' or 'mogelijk_recht_gegevens_nodig'."""
    bedrag_per_jaar: float | None
    uitleg: Explanation | None
    """The steps with their article, from the values the scan read; None when those
    values were not kept or the year's parameters are unknown."""
    actueel: bool
    """The rules and the outcome are still those of the scan."""
    opmerking: str | None = None
    """For the contact worker (Dutch), when ``actueel`` is false or there is no ``uitleg``."""


def _same_outcome(row: EntitlementRecord, uitleg: Explanation) -> bool:
    if STATUS_NAMES[uitleg.status] != row.status:
        return False
    if row.bedrag_centen is None:
        return True
    now = None if uitleg.bedrag_per_jaar is None else round(uitleg.bedrag_per_jaar * 100)
    return now is not None and abs(now - row.bedrag_centen) <= _CENT_TOLERANCE


def _explain_row(row: EntitlementRecord, settings: MunicipalSettings) -> EntitlementExplanation:
    amount = None if row.bedrag_centen is None else row.bedrag_centen / 100

    def unexplained(opmerking: str) -> EntitlementExplanation:
        return EntitlementExplanation(
            row.regeling, row.status, amount, None, actueel=False, opmerking=opmerking
        )

    if row.invoer is None:
        return unexplained(
            "De gegevens van de scan zijn niet bewaard. Doe de scan opnieuw om de uitleg te zien."
        )
    values = {k: math.nan if v is None else v for k, v in row.invoer.items()}
    try:
        uitleg = explain(row.regeling, values, jaar=row.jaar, settings=settings)
    except ParameterMissingError as exc:
        return unexplained(f"Geen uitleg: de waarden voor {row.jaar} zijn niet bekend ({exc}).")
    current = row.regels_hash == rules_hash([row.regeling]) and _same_outcome(row, uitleg)
    return EntitlementExplanation(
        row.regeling,
        row.status,
        amount,
        uitleg,
        actueel=current,
        opmerking=None
        if current
        else "De regels of de uitkomst zijn veranderd sinds de scan. "
        "Noem dit bedrag pas na een nieuwe scan.",
    )


def explain_entitlements(
    *,
    conn: Connection,
    person_pseudonym: str,
    actor: str,
    settings: MunicipalSettings | None = None,
) -> list[EntitlementExplanation]:
    """Every entitlement of the person's household from the newest scan, explained step by
    step with the article each step comes from, largest amount first."""
    return explain_rows(
        household_entitlements(conn, person_pseudonym=person_pseudonym, actor=actor), settings
    )


def explain_rows(
    rows: Sequence[EntitlementRecord], settings: MunicipalSettings | None = None
) -> list[EntitlementExplanation]:
    """Explain rows already read (e.g. those a case's offer was built on)."""
    chosen = settings or MunicipalSettings()
    return [_explain_row(row, chosen) for row in rows]


def household_of(*, conn: Connection, person_pseudonym: str, actor: str) -> HouseholdSummary | None:
    """The household's type, size and housing for the case page, read for the
    early-detection purpose (audited; no income, no address). None when unknown."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        [
            "residents.household_id",
            "households.huishoudtype",
            "households.aantal_personen",
            "households.woonsituatie",
        ],
        subject=person_pseudonym,
    )
    household_id = repo.household_of_person(grant, person_pseudonym)
    return None if household_id is None else repo.household_summary(grant, household_id)
