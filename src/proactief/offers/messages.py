"""Rendering the offer's messages per channel and tone: letter (PDF), e-mail (text and
HTML), SMS and the phone script for the contact worker. Dates and euro amounts are
formatted with Babel for Dutch."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency

from proactief.channels.registry import all_specs, spec_of
from proactief.channels.templating import message_environment
from proactief.domain import Kanaal

__all__ = ["CHANNEL_TEMPLATES", "Rendered", "parts_for", "render_messages"]

CHANNEL_TEMPLATES = {
    part: template for spec in all_specs() for part, template in spec.templates.items()
}
"""Every rendered part and its template, from the channels' specs (phone and home visit
share the phone script)."""
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
    regelingen: Sequence[Mapping[str, object]] = (),
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
                "bedrag": format_currency(bedrag, "EUR", locale="nl_NL")
                if isinstance(bedrag := r.get("bedrag"), int | float) and bedrag
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
    spec = spec_of(kanaal)
    return rendered[spec.tekst].inhoud, rendered[spec.html].inhoud if spec.html else None
