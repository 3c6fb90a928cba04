"""Running a campaign (``proactief campaign run``): the households its selection finds in
the newest stored scan become cases of their own (``cases.campagne``), each offered
through the same approach engine, honest messages, message door and ladder as a signal
case (``offers.outreach``).

What a run does, and why:

- it refuses a design the campaign check refuses, and one allowed under conditions unless
  the caller confirms them (``akkoord``);
- it makes cases only on the days of ``looptijd``, and at most ``per_week`` in a calendar
  week, richest households first (the most money missed);
- each household is approached once per campaign: ``campagne_leden`` holds it under a key,
  so a second run, or two at the same moment, never doubles it;
- it writes to the household's oldest adult; a person who asked not to be approached, or
  who died, gets no case (recorded as such, so no later run tries again);
- a campaign case takes no signals and is not in the CBS report (``cbs`` is false in its
  messages' account).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.early_detection import repository as early_repo
from proactief.entitlements.repository import residents_of_households, selected_entitlements
from proactief.offers import repository as repo
from proactief.offers.campaigns import Campaign, Oordeel, judge_campaign, load_check_config
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit
from proactief.trust.consent import current_state

__all__ = ["CampaignRun", "CampaignRunError", "run_campaign"]


class CampaignRunError(ValueError):
    """The campaign may not run now; the message says why (Dutch)."""


@dataclass
class CampaignRun:
    """What one run of a campaign did (counts, and the cases it made)."""

    campagne: str
    gevonden: int = 0
    """Households the selection finds in the newest scan."""
    al_benaderd: int = 0
    """Already approached (or passed over) by an earlier run."""
    zaken: list[int] = field(default_factory=list)
    afgemeld: int = 0
    overleden: int = 0
    geen_volwassene: int = 0
    wacht_op_volgende_week: int = 0
    apk_dit_jaar: int = 0
    """A yearly check-up: households invited by one in the last 365 days (skipped)."""
    bedrag_per_jaar: float = 0.0
    """Euros a year the households of the new cases miss."""

    def as_json(self) -> dict[str, object]:
        return {
            "campagne": self.campagne,
            "gevonden": self.gevonden,
            "al_benaderd": self.al_benaderd,
            "nieuwe_zaken": len(self.zaken),
            "afgemeld": self.afgemeld,
            "overleden": self.overleden,
            "geen_volwassene": self.geen_volwassene,
            "wacht_op_volgende_week": self.wacht_op_volgende_week,
            "apk_dit_jaar": self.apk_dit_jaar,
            "bedrag_per_jaar": round(self.bedrag_per_jaar, 2),
        }


def _week_start(now: datetime) -> datetime:
    monday = now.date() - timedelta(days=now.date().weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=now.tzinfo)


def _adult(people: list[tuple[str, date]], today: date) -> str | None:
    """The oldest resident of age (campagnecheck.yaml volwassen_vanaf_jaren, BW 1:233)."""
    years = load_check_config().volwassen_vanaf_jaren
    for pseudonym, born in people:  # oldest first
        try:
            of_age = born.replace(year=born.year + years)
        except ValueError:  # born on 29 February
            of_age = born.replace(year=born.year + years, day=28)
        if of_age <= today:
            return pseudonym
    return None


def run_campaign(
    conn: Connection,
    campaign: Campaign,
    *,
    now: datetime,
    actor: str,
    akkoord: bool = False,
) -> CampaignRun:
    """Make this week's cases of ``campaign`` (see the module's docstring). The caller
    sends their first step (``offers.outreach.send_next_step``) after this commits.

    Raises:
        CampaignRunError: refused by the campaign check, conditions not confirmed, no
            selection, purpose, period or weekly cap, or today outside the period.
        PurposeViolationError: the campaign's purpose may not read the scan.
    """
    verdict = judge_campaign(campaign)
    if verdict.oordeel is Oordeel.GEWEIGERD:
        raise CampaignRunError(
            "de campagnecheck weigert dit ontwerp: "
            + "; ".join(f"{r.regel}: {r.reden}" for r in verdict.weigeringen)
        )
    if verdict.oordeel is Oordeel.VOORWAARDELIJK and not akkoord:
        raise CampaignRunError(
            "dit ontwerp mag alleen onder voorwaarden; lees ze met 'campaign check' en "
            "bevestig met --akkoord"
        )
    if campaign.selectie is None or campaign.doel is None:
        raise CampaignRunError("de campagne noemt geen 'selectie' en 'doel'")
    if campaign.looptijd is None or campaign.per_week is None:
        raise CampaignRunError("de campagne noemt geen 'looptijd' en 'per_week'")
    today = now.date()
    if not campaign.looptijd.van <= today <= campaign.looptijd.tot:
        raise CampaignRunError(
            f"vandaag ({today}) valt buiten de looptijd "
            f"{campaign.looptijd.van} tot en met {campaign.looptijd.tot}"
        )
    naam = campaign.naam[:100]
    repo.lock_campaign(conn, naam)
    repo.save_campaign(
        conn,
        naam,
        campaign.soort,
        None
        if campaign.ladder is None
        else json.dumps([step.model_dump(mode="json") for step in campaign.ladder]),
        now,
    )
    grant = PersonalDataAccess(conn, doel=Doel(campaign.doel), actor=actor).check(
        ["entitlements.*", "residents.household_id", "residents.geboortedatum"],
        about={"campagne": naam[:80]},
    )
    rows = selected_entitlements(
        grant,
        regelingen=campaign.selectie.regelingen,
        statussen=campaign.selectie.statussen,
        min_centen=round(campaign.selectie.bedrag_vanaf * 100),
    )
    money: dict[str, int] = {}
    for household, _regeling, cents in rows:
        money[household] = money.get(household, 0) + (cents or 0)
    result = CampaignRun(campagne=naam, gevonden=len(money))
    done = repo.campaign_households(conn, naam)
    todo = sorted((h for h in money if h not in done), key=lambda h: (-money[h], h))
    result.al_benaderd = len(money) - len(todo)
    room = campaign.per_week - repo.campaign_cases_since(conn, naam, _week_start(now))
    people = residents_of_households(grant, todo)
    year_ago = now - timedelta(days=365)
    for household in todo:
        if campaign.soort == "apk" and repo.recent_yearly_checkup(conn, household, year_ago):
            # one check-up a year per household, whichever campaign invited it; not
            # recorded for this campaign, so a later run invites it when the year is over
            result.apk_dit_jaar += 1
            continue
        if room <= 0:
            result.wacht_op_volgende_week += 1
            continue
        person = _adult(people.get(household, []), today)
        uitkomst = "zaak"
        if person is None:
            uitkomst = "geen_volwassene"
        else:
            state = current_state(conn=conn, person_pseudonym=person)
            if state.overleden:
                uitkomst = "overleden"
            elif state.niet_benaderen:
                uitkomst = "afgemeld"
        claimed = repo.claim_campaign_household(
            conn,
            {
                "campagne": naam,
                "household_id": household,
                "case_id": None,
                "uitkomst": uitkomst,
                "aangemaakt": now,
                "soort": campaign.soort,
                # as long as it is needed to write once: the campaign's last day, or a
                # year for the yearly check-up (the letter says until when)
                "bewaren_tot": today + timedelta(days=365)
                if campaign.soort == "apk"
                else campaign.looptijd.tot,
            },
        )
        if not claimed:  # another run took it at this moment
            result.al_benaderd += 1
            continue
        if uitkomst == "geen_volwassene":
            result.geen_volwassene += 1
            continue
        if uitkomst == "overleden":
            result.overleden += 1
            continue
        if uitkomst == "afgemeld":
            result.afgemeld += 1
            continue
        assert person is not None
        case_id = early_repo.create_case(
            conn,
            {
                "person_pseudonym": person,
                "matchingsdatum": today,
                "startdatum_matchingperiode": today,
                "einddatum_matchingperiode": today,
                "priority": 0,
                "priority_reasons": "[]",
                "campagne": naam,
            },
        )
        repo.update_campaign_member(conn, naam, household, case_id=case_id)
        result.zaken.append(case_id)
        result.bedrag_per_jaar += money[household] / 100
        room -= 1
    append_audit(
        conn,
        actor=actor,
        actie="campagne",
        doel=campaign.doel,
        gegevens="cases,campagne_leden",
        details=result.as_json(),
    )
    return result
