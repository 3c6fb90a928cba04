"""The municipality's customer-interaction registry through the Klantinteracties API (VNG
standard v0.9, as Open Klant serves it; ../shared/reference/klantinteracties-api is the
contract the tests check every request and answer against, unmodified).

A contact-detail provider (``KlantinteractiesContactDirectory``): the e-mail address and
phone number a resident gave the municipality are its digitale adressen, found by the
BSN identificator of the partij that gave them (``verstrektDoorPartij``). Of several of
one kind it prefers the standard address (``isStandaardAdres``), then a verified one (the
latest ``verificatieDatum``), then the first. What a resident gives on their own page is
written back as a new digitaal adres of their partij. The person's postal address comes
from another provider (the BRP).

For a resident whose messages go to a representative, the registry's
``vertegenwoordigingen`` name the partij that represents them: its digitale adressen and
its correspondentieadres are used, and the message does not go to the person.

Authentication is the token header the document describes (``Authorization: Token …``).
Errors (a timeout, 401/403, 4xx, 5xx, an answer that is not the contract's) raise
``KlantinteractiesError`` (Dutch / English); a read is tried once more after a timeout,
429 or 5xx; a write is not repeated, so it is never done twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

import httpx2

from proactief.domain import ContactDetails
from proactief.sources.contactgegevens import ContactDirectory, ContactSubject, GivenDetails

__all__ = [
    "KlantcontactIn",
    "KlantinteractiesClient",
    "KlantinteractiesContactDirectory",
    "KlantinteractiesError",
    "pick",
]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_PAGES = 50
"""More pages than this for one person is a broken answer, not a list to read whole."""
_BSN = {"partijIdentificator__codeRegister": "brp", "partijIdentificator__codeSoortObjectId": "bsn"}


@dataclass(frozen=True, slots=True)
class KlantcontactIn:
    """One contact attempt as the registry gets it (no text a resident wrote)."""

    partij_uuid: str
    zaak: str
    kanaal: str
    onderwerp: str
    inhoud: str
    gelukt: bool
    moment: datetime
    referentie: str
    """At most 10 characters; unique per attempt (``PF00000123``)."""
    objecttype: str = "vroegsignaalzaak"
    """The case's kind in the registry: 'vroegsignaalzaak', or 'aanbodzaak' for a case a
    campaign or a life event made."""


class KlantinteractiesError(RuntimeError):
    """The registry did not give a usable answer (Dutch / English message)."""


class KlantinteractiesClient:
    """A client of the Klantinteracties API at ``base_url`` (ending in '/api/v1')."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        timeout: float = 10.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self._http = httpx2.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def digitale_adressen(self, bsn: str) -> list[dict[str, Any]]:
        """The digitale adressen the person with this BSN gave (all pages)."""
        params = {f"verstrektDoorPartij__{k}": v for k, v in _BSN.items()}
        params["verstrektDoorPartij__partijIdentificator__objectId"] = bsn
        return self._all("/digitaleadressen", params)

    def partij_uuid(self, bsn: str) -> str | None:
        """The uuid of the person's partij, or None when the registry has none."""
        found = self._get("/partijen", {**_BSN, "partijIdentificator__objectId": bsn})
        results = found.get("results")
        if not isinstance(results, list):
            raise _invalid()
        if not results:
            return None
        uuid = results[0].get("uuid") if isinstance(results[0], dict) else None
        if not isinstance(uuid, str):
            raise _invalid()
        return uuid

    def adressen_of_partij(self, partij_uuid: str) -> list[dict[str, Any]]:
        """The digitale adressen a partij gave (all pages)."""
        return self._all("/digitaleadressen", {"verstrektDoorPartij__uuid": partij_uuid})

    def representative_of(self, partij_uuid: str) -> dict[str, Any] | None:
        """The partij that represents this one (the first vertegenwoordiging), or None."""
        found = self._all("/vertegenwoordigingen", {"vertegenwoordigdePartij__uuid": partij_uuid})
        if not found:
            return None
        ref = found[0].get("vertegenwoordigendePartij")
        uuid = ref.get("uuid") if isinstance(ref, dict) else None
        if not isinstance(uuid, str):
            raise _invalid()
        return self._get(f"/partijen/{uuid}", {})

    def add_digitaal_adres(self, partij_uuid: str, soort: str, adres: str) -> dict[str, Any]:
        """Write a digitaal adres the partij gave (once: a write is not retried)."""
        body = {
            "verstrektDoorPartij": {"uuid": partij_uuid},
            "adres": adres,
            "soortDigitaalAdres": soort,
            "isStandaardAdres": True,
            "omschrijving": "Gegeven op de eigen pagina",
        }
        return self._post("/digitaleadressen", body)

    def klantcontact_by_referentie(self, referentie: str) -> str | None:
        """The uuid of the Klantcontact that carries ``referentie``, or None."""
        found = self._get("/klantcontacten", {"referentienummer": referentie})
        results = found.get("results")
        if not isinstance(results, list):
            raise _invalid()
        for result in results:
            if isinstance(result, dict) and result.get("referentienummer") == referentie:
                uuid = result.get("uuid")
                if not isinstance(uuid, str):
                    raise _invalid()
                return uuid
        return None

    def maak_klantcontact(self, contact: "KlantcontactIn") -> str:
        """Write one Klantcontact with its betrokkene (the person's partij) and its
        onderwerpobject (the case) in one request (``/maak-klantcontact``: the registry
        makes all three or none); the Klantcontact's uuid. Not retried: the caller asks
        ``klantcontact_by_referentie`` first."""
        body = {
            "klantcontact": {
                "kanaal": contact.kanaal,
                "onderwerp": contact.onderwerp,
                "inhoud": contact.inhoud,
                "indicatieContactGelukt": contact.gelukt,
                "taal": "nld",
                "vertrouwelijk": True,
                "plaatsgevondenOp": contact.moment.isoformat(),
                "referentienummer": contact.referentie,
            },
            "betrokkene": {
                "wasPartij": {"uuid": contact.partij_uuid},
                "rol": "klant",
                "initiator": False,
            },
            "onderwerpobject": {
                "onderwerpobjectidentificator": {
                    "objectId": contact.zaak,
                    "codeObjecttype": contact.objecttype,
                    "codeRegister": "proactief",
                    "codeSoortObjectId": "zaaknummer",
                }
            },
        }
        made = self._post("/maak-klantcontact", body).get("klantcontact")
        uuid = made.get("uuid") if isinstance(made, dict) else None
        if not isinstance(uuid, str):
            raise _invalid()
        return uuid

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One write, never repeated: the caller decides what a lost answer means."""
        try:
            response = self._http.post(path, json=body)
        except httpx2.HTTPError as exc:
            raise KlantinteractiesError(
                "Het klantcontactsysteem is niet bereikbaar / the registry cannot be reached "
                f"({type(exc).__name__})"
            ) from exc
        return _checked(response, expected=201)

    def _all(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            found = self._get(path, {**params, "page": str(page)})
            results = found.get("results")
            if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
                raise _invalid()
            out.extend(results)
            if not found.get("next"):
                return out
            if page >= _MAX_PAGES:  # never a silent part of the list
                raise KlantinteractiesError(
                    f"Het klantcontactsysteem gaf meer dan {_MAX_PAGES} pagina's / more than "
                    f"{_MAX_PAGES} pages"
                )
            page += 1

    def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        last: Exception | None = None
        for _attempt in range(2):
            try:
                response = self._http.get(path, params=dict(params))
            except httpx2.TimeoutException as exc:
                last = exc
                continue
            except httpx2.HTTPError as exc:
                raise KlantinteractiesError(
                    "Het klantcontactsysteem is niet bereikbaar / the registry cannot be "
                    f"reached ({type(exc).__name__})"
                ) from exc
            if response.status_code in _RETRY_STATUS:
                last = KlantinteractiesError(f"status {response.status_code}")
                continue
            return _checked(response, expected=200)
        raise KlantinteractiesError(
            "Het klantcontactsysteem gaf nu geen antwoord; probeer het later opnieuw / the "
            f"registry did not answer now ({type(last).__name__})"
        ) from last


def _invalid() -> KlantinteractiesError:
    return KlantinteractiesError(
        "Het klantcontactsysteem gaf een onverwacht antwoord / the registry's answer is not "
        "the contract's"
    )


def _checked(response: httpx2.Response, *, expected: int) -> dict[str, Any]:
    status = response.status_code
    if status in (401, 403):
        raise KlantinteractiesError(
            "Proactief mag het klantcontactsysteem niet gebruiken: controleer het token / "
            f"not authorised by the registry ({status})"
        )
    if status != expected:
        raise KlantinteractiesError(
            f"Het klantcontactsysteem gaf een fout / the registry answered {status}"
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise _invalid() from exc
    if not isinstance(data, dict):
        raise _invalid()
    return data


def pick(adressen: list[dict[str, Any]], soort: str) -> str | None:
    """The address of this kind to use: the standard one, else the latest verified one,
    else the first given."""
    mine = [a for a in adressen if a.get("soortDigitaalAdres") == soort and a.get("adres")]
    if not mine:
        return None
    standard = [a for a in mine if a.get("isStandaardAdres")]
    verified = sorted(
        (a for a in mine if a.get("verificatieDatum")),
        key=lambda a: str(a["verificatieDatum"]),
        reverse=True,
    )
    return str((standard or verified or mine)[0]["adres"])


class KlantinteractiesContactDirectory:
    """E-mail address and phone number from the customer-interaction registry, the postal
    address (and the name on it) from ``postal`` (the BRP), if given."""

    needs_bsn: ClassVar[bool] = True

    def __init__(
        self, client: KlantinteractiesClient, *, postal: ContactDirectory | None = None
    ) -> None:
        self.client = client
        self.postal = postal
        # what the BRP is asked, held against 'klantcontact' (trust.identity)
        self.brp_fields: tuple[str, ...] = tuple(getattr(postal, "brp_fields", ()))

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        if ontvanger != "inwoner":
            return self._representative(subject)
        found = (
            self.postal.lookup(subject, ontvanger)
            if self.postal is not None
            else ContactDetails(naam="inwoner")
        )
        if subject.bsn is None:
            return found
        adressen = self.client.digitale_adressen(subject.bsn)
        return replace(
            found, email=pick(adressen, "email"), telefoon=pick(adressen, "telefoonnummer")
        )

    def _representative(self, subject: ContactSubject) -> ContactDetails:
        """The representative's details from the registry; none when it has none (a step
        then fails clearly: 'geen postadres bekend')."""
        nobody = ContactDetails(naam="vertegenwoordiger")
        partij = self.client.partij_uuid(subject.bsn) if subject.bsn else None
        if partij is None:
            return nobody
        representative = self.client.representative_of(partij)
        if representative is None:
            return nobody
        adressen = self.client.adressen_of_partij(str(representative.get("uuid")))
        return ContactDetails(
            naam="vertegenwoordiger",
            email=pick(adressen, "email"),
            telefoon=pick(adressen, "telefoonnummer"),
            adres=_postal(representative),
        )

    def record_given(self, subject: ContactSubject, given: GivenDetails) -> None:
        """Each given address as a new standard digitaal adres of the person's partij; an
        address the partij already gave is not written again, so sending the same form
        after a failure halfway writes each address once."""
        if subject.bsn is None:
            raise KlantinteractiesError("Zonder BSN vinden wij de partij niet / no BSN")
        partij = self.client.partij_uuid(subject.bsn)
        if partij is None:
            raise KlantinteractiesError(
                "Het klantcontactsysteem kent deze inwoner niet / no partij for this person"
            )
        known = {
            (a.get("soortDigitaalAdres"), a.get("adres"))
            for a in self.client.digitale_adressen(subject.bsn)
        }
        for soort, adres in (("email", given.email), ("telefoonnummer", given.telefoon)):
            if adres and (soort, adres) not in known:
                self.client.add_digitaal_adres(partij, soort, adres)


def _postal(partij: dict[str, Any]) -> tuple[str, ...]:
    """A partij's correspondentieadres as address lines, with its name on top."""
    ident = partij.get("partijIdentificatie") or {}
    name = ident.get("naam") or ident.get("volledigeNaam")
    adres = partij.get("correspondentieadres") or {}
    lines = [adres.get(f"adresregel{n}") for n in (1, 2, 3)]
    if not any(lines) and adres.get("straatnaam"):
        number = f"{adres.get('huisnummer') or ''}{adres.get('huisnummertoevoeging') or ''}"
        lines = [
            f"{adres['straatnaam']} {number}".strip(),
            f"{adres.get('postcode', '')}  {adres.get('stad', '')}".strip(),
        ]
    if not any(lines):
        return ()
    return tuple(str(x) for x in [name, *lines] if x)
