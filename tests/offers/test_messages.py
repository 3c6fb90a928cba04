"""Every template in every tone passes the message checker; the checker catches what it
should; the letter is a real PDF with the required elements."""

import io

import pytest
from pypdf import PdfReader

from proactief.channels.letter import render_pdf
from proactief.offers.checks import check_message, plain_text
from proactief.offers.messages import CHANNEL_TEMPLATES, render_messages

TONES = ["neutraal", "kort_en_zakelijk", "zakelijk_met_keuze", "rustig_persoonlijk"]
REGELINGEN = [
    {
        "naam": "Zorgtoeslag",
        "bedrag": 1355.04,
        "voorwaarde": "Als uw inkomen onder de grens blijft, heeft u er recht op.",
    }
]


def plain(kanaal: str, inhoud: str) -> str:
    return plain_text(kanaal, inhoud)


@pytest.mark.parametrize("toon", TONES)
@pytest.mark.parametrize("regelingen", [[], REGELINGEN])
@pytest.mark.parametrize("code", [None, "ABCD-EFGH-JKLM"])
def test_every_channel_and_tone_passes_the_checker(
    toon: str,
    regelingen: list,  # type: ignore[type-arg]
    code: str | None,
) -> None:
    rendered = render_messages(
        code=code,
        toon=toon,
        afzender="gemeente",
        organisatie="uw zorgverzekeraar",
        regelingen=regelingen,
        goed="U betaalt uw huur op tijd. Dat is goed.",
    )
    assert set(rendered) == set(CHANNEL_TEMPLATES)
    for kanaal, message in rendered.items():
        problems = check_message(
            plain(kanaal, message.inhoud),
            onderwerp=message.onderwerp,
            kanaal="sms" if kanaal == "sms" else kanaal,
        )
        assert problems == [], (kanaal, problems)
    assert ("1.355,04" in rendered["brief"].inhoud) == bool(regelingen)
    assert (f"Uw code is {code}" in rendered["email_tekst"].inhoud) == bool(code)
    assert "ABCD" not in rendered["sms"].inhoud


def test_tones_really_differ() -> None:
    openings = {
        render_messages(toon=t, afzender="gemeente", organisatie="x")[
            "email_tekst"
        ].inhoud.splitlines()[0]
        for t in TONES
    }
    assert len(openings) == len(TONES)


def test_the_letter_pdf_contains_every_required_element() -> None:
    letter = render_messages(
        toon="neutraal",
        afzender="gemeente",
        organisatie="uw energieleverancier",
        regelingen=REGELINGEN,
    )["brief"]
    pdf = render_pdf(letter.inhoud)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert pdf.startswith(b"%PDF")
    assert check_message(text, onderwerp=letter.onderwerp) == []


@pytest.mark.parametrize(
    ("text", "onderwerp", "kanaal", "regel"),
    [
        ("Dit bericht komt van de gemeente.", "", "brief", "element"),
        ("U heeft problemen met geld. " * 3, "", "brief", "woordkeuze"),
        ("De deurwaarder komt.", "", "brief", "woordkeuze"),
        ("Dit is verplicht.", "", "brief", "woordkeuze"),
        ("x", "Uw betalingsachterstand", "brief", "onderwerp"),
        ("Gemeente: omdat wij helpen. Vrijwillig. Stoppen? " + "a" * 300, "", "sms", "sms"),
        (
            "Gemeente: omdat wij helpen. Vrijwillig. Stoppen? Zie https://example.org",
            "",
            "sms",
            "sms",
        ),
        (
            "Overeenkomstig de toepasselijke wettelijke bepalingen inzake gemeentelijke "
            "schuldhulpverleningsvoorzieningen informeren wij u hierbij omtrent de "
            "mogelijkheden tot ondersteuning ingevolge de betreffende regelgeving.",
            "",
            "brief",
            "leesbaarheid",
        ),
    ],
)
def test_the_checker_catches_bad_messages(
    text: str, onderwerp: str, kanaal: str, regel: str
) -> None:
    assert regel in {p.regel for p in check_message(text, onderwerp=onderwerp, kanaal=kanaal)}
