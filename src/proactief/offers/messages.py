"""Rendering the offer's messages per channel and tone from its account
(``domain.account.OfferAccount``): letter (PDF), e-mail (text and HTML), SMS and the phone
script for the contact worker. The templates see only the account, made readable here
(Dutch dates and euro amounts with Babel), the tone, the salutation, the address and the
access code."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from proactief.channels.registry import all_specs, spec_of
from proactief.channels.templating import message_environment
from proactief.channels.wording import context_of
from proactief.domain import Kanaal
from proactief.domain.account import OfferAccount

__all__ = [
    "CHANNEL_TEMPLATES",
    "ONDERWERP",
    "Rendered",
    "parts_for",
    "render_messages",
]

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
    account: OfferAccount,
    *,
    toon: str,
    naam: str = "inwoner",
    adres: Sequence[str] = (),
    code: str | None = None,
) -> dict[str, Rendered]:
    """Every channel's message for one offer, in the given tone, from its account.
    ``code`` is the access code for the resident's web page (letter and e-mail only;
    never in an SMS)."""
    context = context_of(account, naam=naam, adres=adres, code=code)
    sms_context = {**context, "code": None}
    env = message_environment()
    return {
        kanaal: Rendered(
            kanaal,
            ONDERWERP,
            env.get_template(name).render(
                c=sms_context if kanaal == "sms" else context, toon=toon, onderwerp=ONDERWERP
            ),
        )
        for kanaal, name in CHANNEL_TEMPLATES.items()
    }


def parts_for(rendered: Mapping[str, Rendered], kanaal: Kanaal) -> tuple[str, str | None]:
    """The text and (for letter and e-mail) the HTML that a channel sends."""
    spec = spec_of(kanaal)
    return rendered[spec.tekst].inhoud, rendered[spec.html].inhoud if spec.html else None
