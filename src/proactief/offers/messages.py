"""Rendering the offer's messages per channel and tone: letter (PDF), e-mail (text and
HTML), SMS and the phone script for the contact worker. Dates and euro amounts are
formatted with Babel for Dutch."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from proactief.channels.templating import message_environment
from proactief.domain import Kanaal

__all__ = ["CHANNEL_TEMPLATES", "Rendered", "parts_for", "render_messages"]

CHANNEL_TEMPLATES = {
    "brief": "aanbod/brief.html.j2",
    "email_tekst": "aanbod/email.txt.j2",
    "email_html": "aanbod/email.html.j2",
    "sms": "aanbod/sms.txt.j2",
    "belscript": "aanbod/belscript.txt.j2",
}
TEXT_PART = {Kanaal.BRIEF: "brief", Kanaal.EMAIL: "email_tekst", Kanaal.SMS: "sms"}
"""Which rendered message is a channel's text; phone and visit get the phone script."""
HTML_PART = {Kanaal.BRIEF: "brief", Kanaal.EMAIL: "email_html"}
ONDERWERP = "Een aanbod van de gemeente: misschien kunnen wij u helpen"


@dataclass(frozen=True)
class Rendered:
    """One rendered message."""

    kanaal: str
    onderwerp: str
    inhoud: str


def render_messages(
    *,
    toon: str,
    afzender: str,
    organisatie: str,
    naam: str = "inwoner",
    regelingen: Sequence[Mapping[str, Any]] = (),
    goed: str | None = None,
    telefoon: str = "14 0000",
    afmelden: str = "de website van de gemeente (Mijn gegevens)",
    datum: date | None = None,
    adres: Sequence[str] = (),
    code: str | None = None,
) -> dict[str, Rendered]:
    """Every channel's message for one offer, in the given tone. ``code`` is the one-time
    code for the resident's web page (letter and e-mail only; never in an SMS)."""
    context = {
        "afzender": afzender,
        "organisatie": organisatie,
        "naam": naam,
        "adres": list(adres),
        "code": code,
        "regelingen": [
            {
                "naam": r["naam"],
                "bedrag": format_currency(r["bedrag"], "EUR", locale="nl_NL")
                if r.get("bedrag")
                else None,
                "voorwaarde": r.get("voorwaarde", ""),
            }
            for r in regelingen
        ],
        "goed": goed,
        "telefoon": telefoon,
        "afmelden": afmelden,
        "datum": format_date(datum or date.today(), format="long", locale="nl_NL"),
    }
    env = message_environment()
    return {
        kanaal: Rendered(
            kanaal,
            ONDERWERP,
            env.get_template(name).render(c=context, toon=toon, onderwerp=ONDERWERP),
        )
        for kanaal, name in CHANNEL_TEMPLATES.items()
    }


def parts_for(rendered: Mapping[str, Rendered], kanaal: Kanaal) -> tuple[str, str | None]:
    """The text and (for letter and e-mail) the HTML that a channel sends."""
    text = rendered[TEXT_PART.get(kanaal, "belscript")].inhoud
    html = rendered[HTML_PART[kanaal]].inhoud if kanaal in HTML_PART else None
    return text, html
