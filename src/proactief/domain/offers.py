"""The vocabulary of an offer and of what happens to its messages."""

from enum import StrEnum

__all__ = ["AanbodBasis", "BerichtStatus", "Moment", "RegelingStatus", "StapStatus", "Toon"]


class Toon(StrEnum):
    """The tone of a message (config/aanpak.yaml; templates in channels/templates/aanbod)."""

    KORT_EN_ZAKELIJK = "kort_en_zakelijk"
    ZAKELIJK_MET_KEUZE = "zakelijk_met_keuze"
    RUSTIG_PERSOONLIJK = "rustig_persoonlijk"
    NEUTRAAL = "neutraal"


class Moment(StrEnum):
    """When an offer is made (principle 7: not too early, not too late)."""

    NU = "nu"
    BIJ_BESTAAND_CONTACT = "bij_bestaand_contact"


class AanbodBasis(StrEnum):
    """Which level of precedence decided the approach."""

    VOORKEUR = "voorkeur"
    """The person's own stated choices (or their opt-out)."""
    SEGMENT = "segment"
    """The person's own questionnaire answers."""
    VEILIGE_STANDAARD = "veilige_standaard"
    """Neither: the safe default."""


class BerichtStatus(StrEnum):
    """What the one message door decided about a message."""

    VERZONDEN = "verzonden"
    GEBLOKKEERD = "geblokkeerd"


class StapStatus(StrEnum):
    """What happened to a step of the contact ladder (and what a channel reports)."""

    IN_WACHTRIJ = "in_wachtrij"
    """Committed with its message in the outbox; no channel has it yet."""
    AFGELEVERD = "afgeleverd"
    VERZONDEN = "verzonden"
    """Handed to a sending service (Notify) that reports later whether it arrived: not
    yet a contact attempt, and not on the resident's page, until it says delivered."""
    MISLUKT = "mislukt"
    TAAK_OPEN = "taak_open"
    GEBLOKKEERD = "geblokkeerd"
    TAAK_AFGEROND = "taak_afgerond"


class GeenStap(StrEnum):
    """Why no step of the contact ladder was taken when one was asked for."""

    GESLOTEN = "gesloten"
    """The case has an end result."""
    BEREIKT = "bereikt"
    """The resident was reached: the ladder stops."""
    GEEN_CONTACT = "geen_contact"
    """The resident does not want to be approached."""
    KLAAR = "klaar"
    """Every step of the ladder was taken."""
    WACHT = "wacht"
    """A task is open, or the next step is not due yet."""


class RegelingStatus(StrEnum):
    """A household's outcome for one regulation, as the scan stores it."""

    GEEN_RECHT = "geen_recht"
    ONTVANGT = "ontvangt"
    RECHT_NIET_ONTVANGEN = "recht_niet_ontvangen"
    MOGELIJK_RECHT_GEGEVENS_NODIG = "mogelijk_recht_gegevens_nodig"
