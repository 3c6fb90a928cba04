"""A resident's preferences and consents, as a list of events folded into a current state.

Nothing is overwritten: every change is an event with when, how and by whom; the state is
derived. Opting out ('niet benaderen') stops all proactive contact at once; opting back in
is an event too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

__all__ = [
    "Berichtsoort",
    "Doel",
    "EventSoort",
    "Kanaal",
    "PreferenceEvent",
    "PreferenceState",
    "Wijze",
    "fold_events",
]


class Kanaal(StrEnum):
    """Ways to contact a person."""

    BRIEF = "brief"
    EMAIL = "email"
    SMS = "sms"
    TELEFOON = "telefoon"
    HUISBEZOEK = "huisbezoek"

    @property
    def electronic(self) -> bool:
        """Electronic messages need agreement per kind of message (Wmebv, Awb 2:8)."""
        return self in (Kanaal.EMAIL, Kanaal.SMS)


class Berichtsoort(StrEnum):
    """Kinds of message a person can agree to receive electronically."""

    VROEGSIGNAAL = "vroegsignaal"
    REGELING = "regeling"
    HERINNERING = "herinnering"


class Doel(StrEnum):
    """Purposes for which personal data may be processed (see config/doelen.yaml)."""

    VROEGSIGNALERING = "vroegsignalering"
    REGELINGENCHECK = "regelingencheck"
    EVALUATIE = "evaluatie"
    CBS_RAPPORTAGE = "cbs_rapportage"
    KLANTCONTACT = "klantcontact"
    ZAAK_ZOEKEN = "zaak_zoeken"
    HUISHOUDEN = "huishouden"


class Wijze(StrEnum):
    """How a change reached the municipality."""

    BRIEF = "brief"
    WEB = "web"
    TELEFOON = "telefoon"
    BALIE = "balie"
    SYSTEEM = "systeem"
    SMS = "sms"
    """A reply to one of our SMS messages (e.g. STOP)."""
    EMAIL = "email"
    """A reply to one of our e-mails."""


class EventSoort(StrEnum):
    """What a preference event changes."""

    KANALEN = "kanalen"
    """value: comma-separated Kanaal values in order of preference ('' = no preference)."""
    DAGDEEL = "dagdeel"
    ELEKTRONISCH_AKKOORD = "elektronisch_akkoord"
    """value: a Berichtsoort."""
    ELEKTRONISCH_INGETROKKEN = "elektronisch_ingetrokken"
    GEGEVENS_TOESTEMMING = "gegevens_toestemming"
    """value: 'doel:gegevensbron', e.g. 'regelingencheck:belastingdienst_inkomen'."""
    GEGEVENS_INGETROKKEN = "gegevens_ingetrokken"
    DELEN_TOESTEMMING = "delen_toestemming"
    """value: an organisation that may receive data about the person."""
    DELEN_INGETROKKEN = "delen_ingetrokken"
    VERTEGENWOORDIGER = "vertegenwoordiger"
    """value: who receives messages instead (e.g. 'bewindvoerder:<naam>'); '' removes it."""
    NIET_BENADEREN = "niet_benaderen"
    WEER_BENADEREN = "weer_benaderen"
    OVERLEDEN = "overleden"
    """The BRP says the person died: never contacted again (value: the date, if known)."""


@dataclass(frozen=True, slots=True)
class PreferenceEvent:
    """One change, as it happened."""

    person_pseudonym: str
    soort: EventSoort
    waarde: str
    tijdstip: datetime
    wijze: Wijze
    door: str
    """Who recorded it: 'inwoner', a role such as 'medewerker:vroegsignalering', 'systeem'."""


@dataclass(frozen=True, slots=True)
class PreferenceState:
    """The current preferences of one person, derived from their events."""

    kanalen: tuple[Kanaal, ...] = ()
    dagdeel: str | None = None
    elektronisch: frozenset[Berichtsoort] = field(default_factory=frozenset)
    gegevens: frozenset[str] = field(default_factory=frozenset)
    delen: frozenset[str] = field(default_factory=frozenset)
    vertegenwoordiger: str | None = None
    niet_benaderen: bool = False
    overleden: bool = False
    """Died according to the BRP: no contact, whatever else was recorded."""
    laatste_wijziging: datetime | None = None

    def may_contact(self) -> bool:
        """Proactive contact is allowed (the person did not opt out)."""
        return not self.niet_benaderen

    def may_use_electronic(self, soort: Berichtsoort) -> bool:
        """An electronic message of this kind is allowed (Wmebv)."""
        return soort in self.elektronisch


def _apply(state: PreferenceState, event: PreferenceEvent) -> PreferenceState:
    soort, value = event.soort, event.waarde
    if soort is EventSoort.KANALEN:
        kanalen = tuple(Kanaal(v) for v in value.split(",") if v)
        new = replace(state, kanalen=kanalen)
    elif soort is EventSoort.DAGDEEL:
        new = replace(state, dagdeel=value or None)
    elif soort is EventSoort.ELEKTRONISCH_AKKOORD:
        new = replace(state, elektronisch=state.elektronisch | {Berichtsoort(value)})
    elif soort is EventSoort.ELEKTRONISCH_INGETROKKEN:
        new = replace(state, elektronisch=state.elektronisch - {Berichtsoort(value)})
    elif soort is EventSoort.GEGEVENS_TOESTEMMING:
        new = replace(state, gegevens=state.gegevens | {value})
    elif soort is EventSoort.GEGEVENS_INGETROKKEN:
        new = replace(state, gegevens=state.gegevens - {value})
    elif soort is EventSoort.DELEN_TOESTEMMING:
        new = replace(state, delen=state.delen | {value})
    elif soort is EventSoort.DELEN_INGETROKKEN:
        new = replace(state, delen=state.delen - {value})
    elif soort is EventSoort.VERTEGENWOORDIGER:
        new = replace(state, vertegenwoordiger=value or None)
    elif soort is EventSoort.NIET_BENADEREN:
        new = replace(state, niet_benaderen=True)
    elif soort is EventSoort.OVERLEDEN:
        new = replace(state, niet_benaderen=True, overleden=True)
    else:  # EventSoort.WEER_BENADEREN: never undoes a death
        new = replace(state, niet_benaderen=state.overleden)
    return replace(new, laatste_wijziging=event.tijdstip)


def fold_events(events: Iterable[PreferenceEvent]) -> PreferenceState:
    """The current state after all events, in the order they happened.

    >>> from datetime import datetime
    >>> e = PreferenceEvent("p", EventSoort.NIET_BENADEREN, "", datetime(2026, 1, 1),
    ...                     Wijze.WEB, "inwoner")
    >>> fold_events([e]).may_contact()
    False
    """
    state = PreferenceState()
    for event in sorted(events, key=lambda e: e.tijdstip):
        state = _apply(state, event)
    return state
