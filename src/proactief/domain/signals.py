"""The vroegsignaal: an arrears signal from a signaalpartner (Wgs art. 3, DDAS v1.2)."""

from dataclasses import dataclass
from datetime import date

from proactief.domain.enums import Geslacht, Signaalpartner, Signaalstatus
from proactief.domain.residents import Adres


@dataclass(frozen=True, slots=True)
class ClientIdentificatie:
    """How a signal names the person: by BSN, or by sex, birth date and address.

    DDAS v1.2 allows exactly one of the two forms (data minimisation). Only the pseudonym
    of the BSN travels through the system; the number itself is kept in the BSN vault for
    the one purpose that needs it (the CBS report).
    """

    bsn: str | None = None
    geslacht: Geslacht | None = None
    geboortedatum: date | None = None
    adres: Adres | None = None

    @property
    def uses_bsn(self) -> bool:
        """Whether the person is identified by BSN."""
        return self.bsn is not None


@dataclass(frozen=True, slots=True)
class Vroegsignaal:
    """One arrears signal as received and validated."""

    signal_id: str
    signaalpartner: Signaalpartner
    client: ClientIdentificatie
    bedrag: int
    """Arrears in whole euros (DDAS $defs/bedrag)."""
    ontstaansdatum: date
    signaaldatum: date
    crisissignaal: bool = False
    warme_overdracht: bool = False
    status: Signaalstatus = Signaalstatus.NOG_NIET_OPGEPAKT

    @property
    def days_in_arrears(self) -> int:
        """Days between the arrears arising and the signal being sent."""
        return (self.signaaldatum - self.ontstaansdatum).days
