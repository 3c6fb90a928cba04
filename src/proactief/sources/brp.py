"""The population register (BRP) through the BRP API Personen (Haal Centraal, v2.7):
one ``POST /personen`` with a query ``type`` and the ``fields`` the purpose allows
(../shared/reference/brp-api-personen-v2.7/openapi.yaml is the contract; the tests check
every request and response against it, unmodified).

Two queries so far: ``ZoekMetGeslachtsnaamEnGeboortedatum``, for a worker who looks for
the case of a resident who calls, and ``RaadpleegMetBurgerservicenummer``, for the name
and address on a letter (``BrpContactDirectory``, a contact-detail provider). The caller
names the fields (config/doelen.yaml decides, see trust.identity); nothing the register
answers is stored.

``geheimhoudingPersoonsgegevens`` (Wet BRP art. 2.59) forbids giving the person's data
to third parties; it does not stop the municipality writing to the person itself.
Proactief gives BRP data to no one (the creditor's feedback carries no personal data), so
the flag is read and kept on ``BrpPerson`` but changes nothing here.

Errors of the register (a timeout, 401/403, 4xx, 5xx, an answer that is not the
contract's) raise ``BrpError`` with a Dutch and an English half; a read is tried once
more after a timeout, a 429 or a 5xx (it changes nothing, so a retry is safe).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

import httpx2

from proactief.domain import ContactDetails
from proactief.sources.contactgegevens import ContactSubject

__all__ = [
    "BrpClient",
    "BrpContactDirectory",
    "BrpError",
    "BrpPerson",
    "BrpQueryError",
    "PersonDeceasedError",
    "PersonSearch",
    "split_name",
]

ZOEK_NAAM_GEBOORTEDATUM = "ZoekMetGeslachtsnaamEnGeboortedatum"
RAADPLEEG_BSN = "RaadpleegMetBurgerservicenummer"
ZOEK_POSTCODE_HUISNUMMER = "ZoekMetPostcodeEnHuisnummer"
# the contract's GeslachtsnaamFilter: letters, digits, space . - ' (a * only at the end,
# after at least 3 characters)
_GESLACHTSNAAM = re.compile(r"^[a-zA-Z0-9À-ž \.\-\']{1,200}$|^[a-zA-Z0-9À-ž \.\-\']{3,199}\*$")
_BSN = re.compile(r"^[0-9]{9}$")
# the register keeps a surname without its prefix ('Vries', voorvoegsel 'de'); a worker
# types 'de Vries'. The prefixes of the BRP's table of voorvoegsels that start most names.
_VOORVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "in", "op", "la", "le", "du"}
)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class BrpError(RuntimeError):
    """The register did not give a usable answer (Dutch / English message)."""


class BrpQueryError(ValueError):
    """A search the register would refuse (checked before it is sent; Dutch message)."""


class PersonDeceasedError(LookupError):
    """The register says the person died: never contact them (Dutch / English)."""

    def __init__(self, datum: str | None) -> None:
        self.datum = datum
        super().__init__("Overleden volgens de BRP: geen contact / deceased according to the BRP")


@dataclass(frozen=True, slots=True)
class BrpPerson:
    """A person as a search returns them: only what was asked for."""

    bsn: str
    geheim: bool = False
    """``geheimhoudingPersoonsgegevens``: not to be given to third parties."""

    def __repr__(self) -> str:  # the BSN never ends in a log or a traceback
        return f"BrpPerson(bsn=***, geheim={self.geheim})"


class PersonSearch(Protocol):
    """Finds people in the population register."""

    def search_by_name(
        self, geslachtsnaam: str, geboortedatum: date, *, fields: Sequence[str]
    ) -> list[BrpPerson]:
        """Everyone with this surname (without prefix) and date of birth."""
        ...


def split_name(text: str) -> str:
    """The surname the register searches on: 'de Vries' -> 'Vries', 'van der Berg' ->
    'Berg'. Raises BrpQueryError for a name the contract does not allow."""
    words = text.split()
    while len(words) > 1 and words[0].lower() in _VOORVOEGSELS:
        words = words[1:]
    name = " ".join(words)
    if not _GESLACHTSNAAM.match(name):
        raise BrpQueryError(
            "Een achternaam mag alleen letters, cijfers, spaties, een punt, een streepje of "
            "een apostrof hebben (een * aan het eind na minstens 3 letters)."
        )
    return name


class BrpClient:
    """A client of the BRP API Personen at ``base_url`` (ending before '/personen').

    ``api_key`` goes in the ``X-API-KEY`` header that the RvIG's gateway asks for;
    ``transport`` is for tests (httpx2's own transports)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["X-API-KEY"] = api_key
        self._http = httpx2.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def search_by_name(
        self, geslachtsnaam: str, geboortedatum: date, *, fields: Sequence[str]
    ) -> list[BrpPerson]:
        if not fields:
            raise BrpQueryError("Er zijn geen velden toegestaan voor deze zoekvraag.")
        body = {
            "type": ZOEK_NAAM_GEBOORTEDATUM,
            "geslachtsnaam": split_name(geslachtsnaam),
            "geboortedatum": geboortedatum.isoformat(),
            "fields": list(fields),
        }
        answer = self._post(body)
        return _persons(answer, ZOEK_NAAM_GEBOORTEDATUM)

    def raadpleeg(self, bsn: str, *, fields: Sequence[str]) -> dict[str, Any] | None:
        """One person by BSN with ``fields`` (the register delivers the deceased too when
        asked by BSN), or None when the register does not know the BSN."""
        if not _BSN.match(bsn):
            raise BrpQueryError("Een BSN heeft 9 cijfers.")
        if not fields:
            raise BrpQueryError("Er zijn geen velden toegestaan voor deze vraag.")
        answer = self._post(
            {"type": RAADPLEEG_BSN, "burgerservicenummer": [bsn], "fields": list(fields)}
        )
        people = answer.get("personen", [])
        if answer.get("type") != RAADPLEEG_BSN or not isinstance(people, list):
            raise BrpError(
                "De BRP gaf een antwoord op een andere vraag / the BRP answered another query"
            )
        if not people:
            return None
        if len(people) > 1 or not isinstance(people[0], dict):
            raise BrpError("De BRP gaf meer dan één persoon / more than one person for one BSN")
        person: dict[str, Any] = people[0]
        return person

    def address_of(self, bsn: str, *, fields: Sequence[str]) -> dict[str, Any] | None:
        """The Dutch address (``verblijfadres``: postcode, huisnummer, huisletter,
        huisnummertoevoeging, as far as ``fields`` ask) where the person with ``bsn`` lives,
        or None when the register has none (unknown, abroad, or no address known)."""
        address_fields = [f for f in fields if f.startswith("verblijfplaats.verblijfadres.")]
        if not address_fields:
            raise BrpQueryError("Het doel laat niet toe naar een adres te vragen.")
        person = self.raadpleeg(bsn, fields=address_fields)
        place = (person or {}).get("verblijfplaats")
        address = place.get("verblijfadres") if isinstance(place, dict) else None
        if not isinstance(address, dict):
            return None
        if not isinstance(address.get("postcode"), str) or not isinstance(
            address.get("huisnummer"), int
        ):
            return None
        return address

    def residents(self, bsn: str, *, fields: Sequence[str]) -> list[BrpPerson] | None:
        """The persons registered at the address where the person with ``bsn`` lives
        (the person included), or None when the register has no Dutch address for them.
        ``fields`` are the purpose's: the 'verblijfplaats.verblijfadres.*' ones ask for the
        address, 'burgerservicenummer' for the persons found there."""
        if "burgerservicenummer" not in fields:
            raise BrpQueryError("Het doel laat niet toe te vragen wie op een adres woont.")
        address = self.address_of(bsn, fields=fields)
        if address is None:
            return None
        query: dict[str, Any] = {
            "type": ZOEK_POSTCODE_HUISNUMMER,
            "postcode": address["postcode"],
            "huisnummer": address["huisnummer"],
            "fields": ["burgerservicenummer"],
        }
        for key in ("huisletter", "huisnummertoevoeging"):
            if isinstance(address.get(key), str):
                query[key] = address[key]
        return _persons(self._post(query), ZOEK_POSTCODE_HUISNUMMER)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        last: Exception | None = None
        for _attempt in range(2):
            try:
                response = self._http.post(
                    "/personen",
                    json=body,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
            except httpx2.TimeoutException as exc:
                last = exc
                continue
            except httpx2.HTTPError as exc:
                raise BrpError(
                    f"De BRP is niet bereikbaar / the BRP cannot be reached ({type(exc).__name__})"
                ) from exc
            if response.status_code in _RETRY_STATUS:
                last = BrpError(f"status {response.status_code}")
                continue
            return _checked(response)
        if isinstance(last, httpx2.TimeoutException):
            raise BrpError("De BRP gaf op tijd geen antwoord / the BRP timed out") from last
        raise BrpError(
            "De BRP kon de vraag nu niet beantwoorden; probeer het later opnieuw / the BRP "
            f"could not answer now ({last})"
        ) from last


def _checked(response: httpx2.Response) -> dict[str, Any]:
    status = response.status_code
    if status in (401, 403):
        raise BrpError(
            "Proactief mag de BRP niet bevragen: controleer de sleutel en de autorisatie / "
            f"not authorised by the BRP ({status})"
        )
    if status == 400:
        raise BrpError(f"De BRP weigerde de vraag / the BRP refused the query ({_title(response)})")
    if status != 200:
        raise BrpError(f"De BRP gaf een fout / the BRP answered {status} ({_title(response)})")
    try:
        data = response.json()
    except ValueError as exc:
        raise BrpError("De BRP gaf een onleesbaar antwoord / the BRP answer is not JSON") from exc
    if not isinstance(data, dict):
        raise BrpError("De BRP gaf een onverwacht antwoord / the BRP answer is not an object")
    return data


def _title(response: httpx2.Response) -> str:
    try:
        return str(response.json().get("title", ""))[:80]
    except (ValueError, AttributeError):
        return ""


def _persons(data: dict[str, Any], kind: str) -> list[BrpPerson]:
    """The persons of an answer, each with a valid BSN; anything else is refused whole."""
    people = data.get("personen", [])
    if data.get("type") != kind or not isinstance(people, list):
        raise BrpError(
            "De BRP gaf een antwoord op een andere vraag / the BRP answered another query"
        )
    out = []
    for person in people:
        bsn = person.get("burgerservicenummer") if isinstance(person, dict) else None
        if not isinstance(bsn, str) or not _BSN.match(bsn):
            raise BrpError(
                "De BRP gaf een persoon zonder geldig BSN / a person without a valid BSN"
            )
        out.append(BrpPerson(bsn, geheim=bool(person.get("geheimhoudingPersoonsgegevens"))))
    return out


class BrpContactDirectory:
    """A contact-detail provider from the BRP: the name and address for a letter
    (``adressering``: aanschrijfwijze and adresregels, as the register composes them).
    The BRP knows no e-mail address or phone number, and not the address of a
    representative; those come from the customer-contact system. A person who died is
    never written to: ``lookup`` raises PersonDeceasedError."""

    needs_bsn: ClassVar[bool] = True
    brp_fields: ClassVar[tuple[str, ...]] = (
        "adressering.aanschrijfwijze",
        "adressering.adresregel1",
        "adressering.adresregel2",
        "adressering.adresregel3",
        "adressering.land",
        "overlijden.datum",
    )
    """What it asks the register; trust.identity holds them against 'klantcontact'."""

    def __init__(self, client: BrpClient) -> None:
        self.client = client

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        if ontvanger != "inwoner":
            # the register has no address for a representative
            return ContactDetails(naam="vertegenwoordiger")
        if subject.bsn is None:
            raise BrpQueryError("De BRP vindt iemand alleen op BSN.")
        person = self.client.raadpleeg(subject.bsn, fields=self.brp_fields)
        if person is None:
            raise BrpError("Deze persoon staat niet in de BRP / this person is not in the BRP")
        died = person.get("overlijden")
        if isinstance(died, dict):
            datum = died.get("datum")
            raise PersonDeceasedError(datum.get("datum") if isinstance(datum, dict) else None)
        adres = person.get("adressering") or {}
        name = (adres.get("aanschrijfwijze") or {}).get("naam")
        lines = [adres.get(f"adresregel{n}") for n in (1, 2, 3)]
        land = (adres.get("land") or {}).get("omschrijving")
        if land and land.lower() != "nederland":
            lines.append(land)
        return ContactDetails(
            naam=str(name) if name else "inwoner",
            adres=tuple(str(x) for x in [name, *lines] if x),
        )
