"""A generator of hostile intake records (issue 13, item 2): every kind of record that
once passed validation but not the database, or was dropped without a trace, plus the
usual mistakes. Each yields a DDAS-shaped record (or a non-object) and what must become
of it: 'stored', 'duplicate' or 'quarantined'."""

from collections.abc import Iterator
from typing import Any

from conftest import VALID_BSNS, signal

ADDRESS = {
    "geslachtsaanduiding": "Vrouw",
    "geboortedatum": "1980-01-01",
    "postcode": "1234AB",
    "huisnummer": "12",
}


def hostile_records(prefix: str = "H") -> Iterator[tuple[Any, str]]:
    """(record, expected outcome) for every hostile kind; IDs start with ``prefix``."""

    def sid(name: str) -> str:
        return f"{prefix}-{name}"

    # the database limits, derived from the tables
    yield (
        signal(ID=sid("toevoeging"), client={**ADDRESS, "huisnummertoevoeging": "A" * 11}),
        "quarantined",
    )
    yield (
        signal(ID=sid("toevoeging-10"), client={**ADDRESS, "huisnummertoevoeging": "B" * 10}),
        ("stored"),
    )
    yield signal(ID=sid("bedrag-2^31"), bedrag=2**31), "quarantined"
    yield signal(ID=sid("bedrag-max"), bedrag=2**31 - 1), "stored"
    yield signal(ID=sid("bedrag-2^70"), bedrag=2**70), "quarantined"
    yield signal(ID="X" * 201), "quarantined"
    yield signal(ID="Y" * 200), "stored"
    # characters no database stores
    yield signal(ID=sid("nul\x00")), "quarantined"
    yield signal(ID=sid("nul-partner"), signaalpartner={"type": "Zorg\x00"}), "quarantined"
    yield signal(ID=sid("surrogaat\ud800")), "quarantined"
    yield (
        signal(ID=sid("surrogaat-adres"), client={**ADDRESS, "huisnummertoevoeging": "\udfff"}),
        "quarantined",
    )
    yield (
        signal(ID=sid("nul-diep"), client={"burgerservicenummer": VALID_BSNS[0], "x": "\x00"}),
        ("quarantined"),
    )
    # dates and digits that are not JJJJ-MM-DD in ASCII
    yield signal(ID=sid("weekdatum"), ontstaansdatum="2026-W10-1"), "quarantined"
    yield signal(ID=sid("arabisch"), signaaldatum="٢٠٢٦-٠٤-١٥"), "quarantined"
    yield signal(ID=sid("arabisch-bedrag"), bedrag="٢٥٠"), "quarantined"
    yield signal(ID=sid("compact"), ontstaansdatum="20260301"), "quarantined"
    yield signal(ID=sid("toekomst"), signaaldatum="2099-01-01"), "quarantined"
    # implausible dates (bounds in config/inname.yaml)
    yield signal(ID=sid("jaar-1"), ontstaansdatum="0001-01-01"), "quarantined"
    yield signal(ID=sid("oud"), ontstaansdatum="1990-05-01"), "quarantined"
    yield (
        signal(ID=sid("geboren-1026"), client={**ADDRESS, "geboortedatum": "1026-05-01"}),
        "quarantined",
    )
    # the usual mistakes
    yield signal(ID=sid("negatief"), bedrag=-1), "quarantined"
    yield signal(ID=sid("centen"), bedrag=12.5), "quarantined"
    yield signal(ID=sid("bool"), bedrag=True), "quarantined"
    yield signal(ID=sid("elfproef"), client={"burgerservicenummer": "123456789"}), "quarantined"
    yield signal(ID=sid("partner"), signaalpartner={"type": "Bank"}), "quarantined"
    yield signal(ID=sid("geen-client"), client=None), "quarantined"
    yield signal(ID=sid("client-tekst"), client="iemand"), "quarantined"
    yield signal(ID=""), "quarantined"
    yield "geen object", "quarantined"
    yield 42, "quarantined"
    yield None, "quarantined"
    yield [signal(ID=sid("in-lijst"))], "quarantined"
    yield signal(ID=sid("markup [/red]\x1b[2J")), "stored"
    # the same ID twice: same content is a duplicate, other content a conflict
    yield signal(ID=sid("twee")), "stored"
    yield signal(ID=sid("twee")), "duplicate"
    yield signal(ID=sid("twee"), bedrag=999), "quarantined"
