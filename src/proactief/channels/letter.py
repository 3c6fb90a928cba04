"""Letters as real PDFs (WeasyPrint), from Jinja2 templates in Dutch."""

from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape

__all__ = ["render_letter_html", "render_pdf"]


def render_letter_html(template: str, context: dict[str, Any]) -> str:
    """Fill a letter template from ``channels/templates``."""
    text = (
        resources.files("proactief.channels")
        .joinpath(f"templates/{template}")
        .read_text(encoding="utf-8")
    )
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(text).render(**context)


def render_pdf(html: str) -> bytes:
    """A PDF of the HTML (A4, print CSS in the template)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
