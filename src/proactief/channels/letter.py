"""Letters as real PDFs (WeasyPrint), from Jinja2 templates in Dutch."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from proactief.channels.base import ChannelPlugin, ChannelSpec, Delivery, Envelope, write_once
from proactief.channels.templating import letter_environment
from proactief.domain import Contactsoort, Kanaal, StapStatus

__all__ = ["LetterChannel", "render_letter_html", "render_pdf"]


def render_letter_html(template: str, context: dict[str, object]) -> str:
    """Fill a letter template from ``channels/templates``."""
    return letter_environment().get_template(template).render(**context)


def render_pdf(html: str) -> bytes:
    """A PDF of the HTML (A4, print CSS in the template)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


@dataclass
class LetterChannel:
    """Letters as PDF files in an outbox folder, for the print street to pick up."""

    outbox: Path
    render: Callable[[str], bytes] = field(default=render_pdf)
    kanaal: Kanaal = Kanaal.BRIEF

    def deliver(self, envelope: Envelope) -> Delivery:
        """Write ``brief-<referentie>.pdf``, once: a letter already there is not written
        again (idempotent by reference)."""
        if not envelope.html:
            return Delivery(StapStatus.MISLUKT, self.kanaal, "geen brieftekst (html) in de envelop")
        if not envelope.ontvanger.adres:
            return Delivery(StapStatus.MISLUKT, self.kanaal, "geen postadres bekend")
        path = self.outbox / f"brief-{envelope.referentie}.pdf"
        if path.exists():
            return Delivery(StapStatus.AFGELEVERD, self.kanaal, path.name)
        try:
            write_once(path, self.render(envelope.html))
        except OSError as exc:
            return Delivery(
                StapStatus.MISLUKT, self.kanaal, f"schrijven mislukt: {type(exc).__name__}"
            )
        return Delivery(StapStatus.AFGELEVERD, self.kanaal, path.name)


PLUGIN = ChannelPlugin(
    ChannelSpec(
        kanaal=Kanaal.BRIEF,
        contactsoort=Contactsoort.BRIEF,
        naam="Brief",
        zin="een brief",
        tekst="brief",
        html="brief",
        templates={"brief": "aanbod/brief.html.j2"},
        voorbeeld={"brief": "brief.html"},
        code=True,
    ),
    lambda setup: LetterChannel(setup.outbox / "brieven"),
)
"""Letters as PDFs in ``outbox/brieven``, for the print street."""
PLUGINS = (PLUGIN,)
