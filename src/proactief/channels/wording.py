"""How an offer's account reads (``domain.account.OfferAccount``): Dutch dates and euro
amounts (Babel), the clause for each later ladder step, and the account as the message and
'why' templates see it. Shared by the messages (``offers.messages``) and the 'why did I get
this' page and letter (``trust.messaging``), so both say the same."""

from collections.abc import Sequence
from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency

from proactief.domain import Kanaal
from proactief.domain.account import NextStep, OfferAccount

__all__ = ["context_of", "dag", "euro", "step_phrase"]

_DAGDEEL = {"Ochtend": "'s ochtends", "Middag": "'s middags", "Avond": "'s avonds"}


def dag(day: date) -> str:
    """A date as a resident reads it: '12 december 2026'."""
    return str(format_date(day, format="long", locale="nl_NL"))


def euro(amount: float) -> str:
    """'€ 1.355,04'."""
    return str(format_currency(amount, "EUR", locale="nl_NL"))


def step_phrase(step: NextStep) -> str:
    """What a later ladder step does, as a clause after 'Als u niets doet, ...'."""
    when = f"vanaf {dag(step.datum)}"
    part = f" {_DAGDEEL[step.dagdeel]}" if step.dagdeel in _DAGDEEL else ""
    return {
        Kanaal.BRIEF: f"sturen wij u {when} nog een brief",
        Kanaal.EMAIL: f"sturen wij u {when} een e-mail",
        Kanaal.SMS: f"sturen wij u {when} een sms",
        Kanaal.TELEFOON: f"bellen wij u {when}{part}",
        Kanaal.HUISBEZOEK: f"komen wij {when}{part} bij u langs",
    }[step.kanaal]


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def context_of(
    account: OfferAccount,
    *,
    naam: str = "inwoner",
    adres: Sequence[str] = (),
    code: str | None = None,
) -> dict[str, object]:
    """The account as the templates read it (plus salutation, address and code)."""
    regelingen = []
    for r in account.regelingen:
        bedrag = euro(r.bedrag_per_jaar) if r.bedrag_per_jaar else None
        regelingen.append(
            {
                "naam": r.naam,
                "bedrag": bedrag,
                "wat": r.wat,
                "stappen": list(r.stappen),
                "reden": r.reden,
                "zin": f"{r.naam}{f' (ongeveer {bedrag} per jaar)' if bedrag else ''}: {r.reden}",
                "zelfhulp": r.zelfhulp,
                "automatisch": None
                if r.automatisch is None
                else {
                    "datum": dag(r.automatisch.datum),
                    "controle": r.automatisch.controle,
                    "bij": r.automatisch.bij,
                    "bezwaar": r.automatisch.bezwaar,
                },
            }
        )
    letter_next = next((s for s in account.vervolg if s.kanaal is Kanaal.BRIEF), None)
    by_source: dict[str, list[str]] = {}
    for g in account.gegevens:
        by_source.setdefault(g.bron, []).append(g.wat)
    return {
        "afzender": account.afzender,
        "team": account.contact.team,
        "team_kop": account.contact.team[:1].upper() + account.contact.team[1:],
        "kenmerk": account.kenmerk,
        "website": account.website,
        "datum": dag(account.datum),
        "organisaties": account.organisaties,
        "aanleiding": account.aanleiding,
        "campagne": account.campagne,
        "gebeurtenis": account.gebeurtenis,
        "gebeurtenis_bron": account.gebeurtenis_bron,
        "apk": account.apk,
        "gegevens": account.gegevens,
        "gegevens_per_bron": [(bron, _join(wat)) for bron, wat in by_source.items()],
        "gegevens_zin": "; ".join(f"{_join(wat)} van {bron}" for bron, wat in by_source.items()),
        "een_bron": len(account.bronnen) == 1,
        "grondslagen": _join(account.grondslagen),
        "regelingen": regelingen,
        "zelfhulp": account.zelfhulp,
        "zelfhulp_stappen": any(r.zelfhulp for r in account.regelingen),
        # the resident's page shows a calculation only where the account has its steps
        "berekening": any(r.stappen for r in account.regelingen),
        "vervolg": [step_phrase(s) for s in account.vervolg],
        "brief_volgt": dag(letter_next.datum) if letter_next else None,
        "bewaren": account.bewaren,
        "herhaal_tot": dag(account.bewaren.herhaal_tot) if account.bewaren.herhaal_tot else None,
        "campagne_tot": dag(account.bewaren.campagne_tot) if account.bewaren.campagne_tot else None,
        "telefoon": account.contact.telefoon,
        "eigenaar": account.contact.eigenaar,
        "eigenaar_telefoon": account.contact.eigenaar_telefoon,
        "stoppen": account.stoppen,
        "goed": account.goed,
        "naam": naam,
        "adres": list(adres),
        "code": code,
        "code_tot": dag(account.stoppen.code_tot) if account.stoppen.code_tot else None,
    }
