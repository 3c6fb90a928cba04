"""The account of an offer (``OfferAccount``): what the system did for one message and
what it will do next, as facts. Every message a resident reads renders from it, the
claim checker (``proactief.offers.checks``) holds the text against it, and the 'why did I
get this' page and letter render from the copy kept with the message, so they cannot
disagree (docs/offers.md, 'Eerlijke berichten').

Plain data: built by ``proactief.offers.account``, stored as JSON with the message.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from proactief.domain.json import JsonObject
from proactief.domain.preferences import Kanaal

__all__ = [
    "AutoGrant",
    "Contact",
    "DataUse",
    "EntitlementAccount",
    "Keeping",
    "NextStep",
    "OfferAccount",
    "SelfHelp",
    "Stopping",
]

ACCOUNT_VERSION = 1


@dataclass(frozen=True, slots=True)
class DataUse:
    """Data read for the offer: what, from whom, and on which legal basis."""

    wat: str
    """B1 Dutch, e.g. 'een bericht over een rekening die nog openstaat', 'uw inkomen'."""
    bron: str
    """Who or which register it came from, e.g. 'uw zorgverzekeraar'."""
    grondslag: str
    """The legal basis in B1 words (config/doelen.yaml ``grondslag_b1``)."""


@dataclass(frozen=True, slots=True)
class NextStep:
    """A later step of the contact ladder, if the resident does nothing."""

    datum: date
    """The earliest day; a phone step may come later (the worker calls when free)."""
    kanaal: Kanaal
    dagdeel: str | None = None


@dataclass(frozen=True, slots=True)
class SelfHelp:
    """What a resident can do alone for one regulation (its folder's zelfhulp.yaml)."""

    waar: str
    """Where to apply, by the official page's name."""
    stappen: tuple[str, ...]
    nodig: tuple[str, ...]
    bron: str


@dataclass(frozen=True, slots=True)
class AutoGrant:
    """'Wij regelen het voor u, tenzij u nee zegt': the grant the municipality will make."""

    datum: date
    """The day it is granted unless the resident objects before."""
    controle: str
    """What is checked first, in B1 words."""
    bij: str
    """With whom it is checked."""
    grondslag: str
    bezwaar: str
    """How to say no before that day."""


@dataclass(frozen=True, slots=True)
class EntitlementAccount:
    """One regulation in the offer."""

    regeling: str
    naam: str
    bedrag_per_jaar: float | None
    """Only when the scan computed it (status 'recht_niet_ontvangen')."""
    reden: str
    """One B1 sentence from the explanation steps: why this household probably qualifies."""
    wat: str = ""
    """What the regulation is, in B1 (config/aanpak.yaml regelingen)."""
    stappen: tuple[str, ...] = ()
    """The whole explanation, step by step (for the 'why' page; no internal ids)."""
    zelfhulp: SelfHelp | None = None
    automatisch: AutoGrant | None = None


@dataclass(frozen=True, slots=True)
class Keeping:
    """What is kept when the resident says no or does nothing, as the code does it."""

    dagen_zonder_hulp: int
    """Retention of a case without help (config/doelen.yaml; trust.retention)."""
    dagen_met_hulp: int
    cbs: bool
    """The case is in the DDAS report to CBS (Wgs art. 8)."""
    herhaal_dagen: int
    """A new signal within this many days of this case's start gets no new contact unless
    urgent (config/work_queue.yaml repeat_signal; 0: off)."""
    herhaal_tot: date | None = None
    """The day that window ends for this case (its start + ``herhaal_dagen``)."""
    voorrang: bool = False
    """A later signal within 12 months gets priority (a work-queue rule on earlier cases)."""
    regelingencheck_dagen: int | None = None
    """When the offer used scan values (income, household): how long the scan's results
    with those values are kept after the scan (config/doelen.yaml regelingencheck; the
    retention run deletes them by scan date, not with the case)."""
    cbs_met: str = "uw BSN"
    """What identifies the person in that report: the BSN, or (no BSN was delivered) sex,
    birth date, postcode and house number, as the DDAS schema allows."""
    campagne_tot: date | None = None
    """A campaign case: the last day the campaign keeps that it wrote to the household
    (so it writes once); retention deletes that record after it."""
    gebeurtenis_dagen: int | None = None
    """A life-event case: how many days after it came the event's message is kept (the
    scan's period, config/doelen.yaml regelingencheck; trust.retention deletes it then)."""


@dataclass(frozen=True, slots=True)
class Contact:
    """Who the resident talks to."""

    telefoon: str
    team: str
    eigenaar: str | None = None
    """The case owner's name: only then is 'a fixed contact person' promised."""
    eigenaar_telefoon: str | None = None


@dataclass(frozen=True, slots=True)
class Stopping:
    """The ways to say no or stop that really work."""

    telefoon: bool = True
    web: str | None = None
    """Where on the web (the resident's own page), if the message carries a code."""
    code_tot: date | None = None
    """The last day the message's code works."""
    sms_antwoord: bool = False
    """'Stuur STOP' works: replies to our SMS are read (an SMS inbox is configured)."""
    email_antwoord: bool = False
    """Replying STOP to the e-mail works (an e-mail inbox is configured)."""


@dataclass(frozen=True)
class OfferAccount:
    """The facts one message may state; nothing else."""

    kenmerk: str
    """The message's reference: the resident quotes it to check the message is genuine."""
    datum: date
    afzender: str
    """The sender's full name, e.g. 'Gemeente Voorbeeld'."""
    website: str
    aanleiding: str
    organisaties: str
    gegevens: tuple[DataUse, ...]
    regelingen: tuple[EntitlementAccount, ...]
    zelfhulp: bool
    vervolg: tuple[NextStep, ...]
    bewaren: Keeping
    contact: Contact
    stoppen: Stopping
    goed: str | None = None
    ontvanger: str = "inwoner"
    case_id: int | None = None
    campagne: str | None = None
    """The campaign that chose the household (from the municipality's own scan): the
    message says what was searched, not what was received from whom."""
    gebeurtenis: str | None = None
    """A life event's B1 phrase ('er een kind is geboren in uw huishouden'): the message
    says what happened and who told us (``gebeurtenis_bron``)."""
    gebeurtenis_bron: str | None = None
    apk: bool = False
    """A yearly check-up invitation: every household gets one, nothing is wrong."""
    versie: int = field(default=ACCOUNT_VERSION)

    @property
    def bronnen(self) -> tuple[str, ...]:
        """Every source named, in order, once."""
        return tuple(dict.fromkeys(g.bron for g in self.gegevens))

    @property
    def grondslagen(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.grondslag for g in self.gegevens))

    def as_json(self) -> JsonObject:
        """For the messages table (kept with the message) and the web."""
        data = _dates_to_text(asdict(self))
        assert isinstance(data, dict)
        return data

    @classmethod
    def from_json(cls, data: JsonObject) -> "OfferAccount":
        """The account kept with a message."""
        d = dict(data)

        def day(value: object) -> date:
            return date.fromisoformat(str(value))

        regelingen = []
        for r in d["regelingen"]:
            r = dict(r)
            zh, auto = r.pop("zelfhulp"), r.pop("automatisch")
            r["stappen"] = tuple(r.get("stappen", ()))
            regelingen.append(
                EntitlementAccount(
                    **r,
                    zelfhulp=None
                    if zh is None
                    else SelfHelp(
                        waar=zh["waar"],
                        stappen=tuple(zh["stappen"]),
                        nodig=tuple(zh["nodig"]),
                        bron=zh["bron"],
                    ),
                    automatisch=None
                    if auto is None
                    else AutoGrant(**{**auto, "datum": day(auto["datum"])}),
                )
            )
        return cls(
            kenmerk=str(d["kenmerk"]),
            datum=day(d["datum"]),
            afzender=str(d["afzender"]),
            website=str(d["website"]),
            aanleiding=str(d["aanleiding"]),
            organisaties=str(d["organisaties"]),
            gegevens=tuple(DataUse(**g) for g in d["gegevens"]),
            regelingen=tuple(regelingen),
            zelfhulp=bool(d["zelfhulp"]),
            vervolg=tuple(
                NextStep(day(s["datum"]), Kanaal(s["kanaal"]), s["dagdeel"]) for s in d["vervolg"]
            ),
            bewaren=Keeping(
                **{
                    **d["bewaren"],
                    "herhaal_tot": None
                    if d["bewaren"].get("herhaal_tot") is None
                    else day(d["bewaren"]["herhaal_tot"]),
                    "campagne_tot": None
                    if d["bewaren"].get("campagne_tot") is None
                    else day(d["bewaren"]["campagne_tot"]),
                }
            ),
            contact=Contact(**d["contact"]),
            stoppen=Stopping(
                **{
                    **d["stoppen"],
                    "code_tot": None
                    if d["stoppen"].get("code_tot") is None
                    else day(d["stoppen"]["code_tot"]),
                }
            ),
            goed=d.get("goed"),
            ontvanger=str(d.get("ontvanger", "inwoner")),
            case_id=d.get("case_id"),
            campagne=d.get("campagne"),
            gebeurtenis=d.get("gebeurtenis"),
            gebeurtenis_bron=d.get("gebeurtenis_bron"),
            apk=bool(d.get("apk", False)),
            versie=int(d.get("versie", ACCOUNT_VERSION)),
        )


def _dates_to_text(value: object) -> object:
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
