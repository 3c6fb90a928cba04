"""A local Klantinteracties API (Open Klant) that answers only what its published
contract allows.

Built from tests/contracts/klantinteracties-api/openapi.yaml, unmodified: every request is
validated with openapi-core (path, method, query parameters, token header, body); one
that fails is kept in ``violations`` (the tests assert there are none) and refused with a
400, as Open Klant does. Every answer is validated the same way before it is sent, so an
answer the contract does not allow fails the test instead. The document defines no error
answers, so this server gives none; the client's handling of 401, 429, 5xx and timeouts
is tested with httpx2's MockTransport.

The registry's content: partijen (persons, each with a BSN identificator), the
digitale adressen they gave, and the Klantcontacten written to it (``POST
/maak-klantcontact``, found again by ``GET /klantcontacten?referentienummer=``).
``GET /partijen`` and ``GET /digitaleadressen`` filter on the
BSN identificator (paged), ``POST /digitaleadressen`` adds one. The document lists no
error answers besides 400, so timeouts, 429 and 5xx are tested with MockTransport too.
"""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from local_server import serving

SPEC = Path(__file__).resolve().parent / "contracts/klantinteracties-api/openapi.yaml"
PREFIX = "/klantinteracties/api/v1"
TOKEN = "test-token-proactief"
PAGE_SIZE = 2  # small, so the client must follow 'next'


class ContractError(AssertionError):
    """The test server was asked to send what the contract does not allow."""


@dataclass
class KlantinteractiesServer:
    """Partijen by BSN, their digitale adressen, what was asked and written."""

    bsns: list[str] = field(default_factory=list)
    adressen: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    url: str = ""
    api: Any = None
    partijen: dict[str, str] = field(default_factory=dict)
    organisaties: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Partijen without a BSN (a bewindvoerder's office): uuid -> name and address."""
    vertegenwoordigingen: list[tuple[str, str]] = field(default_factory=list)
    """(represented partij uuid, representing partij uuid)."""
    klantcontacten: list[dict[str, Any]] = field(default_factory=list)
    """What ``/maak-klantcontact`` made: each the Klantcontact with its betrokkene and
    onderwerpobject, as the registry answered them."""

    def __post_init__(self) -> None:
        self.api = OpenAPI.from_file_path(str(SPEC))
        self.partijen = {bsn: str(uuid.uuid4()) for bsn in self.bsns}

    def represent(self, bsn: str, naam: str, correspondentieadres: dict[str, Any]) -> str:
        """An organisation that represents the person with ``bsn``; its uuid."""
        ident = str(uuid.uuid4())
        self.organisaties[ident] = {"naam": naam, "correspondentieadres": correspondentieadres}
        self.vertegenwoordigingen.append((self.partijen[bsn], ident))
        return ident

    def give_partij(self, partij: str, soort: str, adres: str, **extra: Any) -> None:
        """A digitaal adres a partij (e.g. an organisation) gave."""
        self.adressen.append(self._adres(partij, soort, adres, **extra))

    def give(self, bsn: str, soort: str, adres: str, **extra: Any) -> None:
        """A digitaal adres the person with ``bsn`` gave."""
        self.adressen.append(self._adres(self.partijen[bsn], soort, adres, **extra))

    def _base(self) -> str:
        return self.url

    def _adres(self, partij: str, soort: str, adres: str, **extra: Any) -> dict[str, Any]:
        ident = str(uuid.uuid4())
        return {
            "uuid": ident,
            "url": f"{self._base() or 'http://localhost' + PREFIX}/digitaleadressen/{ident}",
            "verstrektDoorPartij": {
                "uuid": partij,
                "url": f"{self._base() or 'http://localhost' + PREFIX}/partijen/{partij}",
            },
            "adres": adres,
            "soortDigitaalAdres": soort,
            "isStandaardAdres": extra.pop("isStandaardAdres", False),
            "omschrijving": extra.pop("omschrijving", ""),
            "referentie": f"proactief-{ident[:8]}",
            "verificatieDatum": extra.pop("verificatieDatum", None),
            **extra,
        }

    def _organisatie(self, ident: str) -> dict[str, Any]:
        org = self.organisaties[ident]
        return {
            **self._partij_base(ident),
            "soortPartij": "organisatie",
            "correspondentieadres": org["correspondentieadres"],
            "partijIdentificatie": {"naam": org["naam"]},
        }

    def _partij_base(self, ident: str) -> dict[str, Any]:
        return {
            "uuid": ident,
            "url": f"{self.url}/partijen/{ident}",
            "betrokkenen": [],
            "categorieRelaties": [],
            "digitaleAdressen": [],
            "vertegenwoordigden": [],
            "rekeningnummers": [],
            "partijIdentificatoren": [],
            "indicatieGeheimhouding": False,
            "voorkeurstaal": "nld",
            "indicatieActief": True,
        }

    def _partij(self, bsn: str) -> dict[str, Any]:
        ident = self.partijen[bsn]
        return {
            "uuid": ident,
            "url": f"{self.url}/partijen/{ident}",
            "nummer": "0000000001",
            "interneNotitie": "",
            "betrokkenen": [],
            "categorieRelaties": [],
            "digitaleAdressen": [],
            "vertegenwoordigden": [],
            "rekeningnummers": [],
            "partijIdentificatoren": [],
            "soortPartij": "persoon",
            "indicatieGeheimhouding": False,
            "voorkeurstaal": "nld",
            "indicatieActief": True,
            "partijIdentificatie": {"volledigeNaam": "J. Jansen"},
        }

    def _maak_klantcontact(self, body: dict[str, Any]) -> dict[str, Any]:
        """The Klantcontact, betrokkene and onderwerpobject of one request, all three."""
        kc, bt, ow = (str(uuid.uuid4()) for _ in range(3))

        def ref(kind: str, ident: str) -> dict[str, str]:
            return {"uuid": ident, "url": f"{self.url}/{kind}/{ident}"}

        made = {
            "klantcontact": {
                **ref("klantcontacten", kc),
                "gingOverOnderwerpobjecten": [ref("onderwerpobjecten", ow)],
                "hadBetrokkenActoren": [],
                "omvatteBijlagen": [],
                "hadBetrokkenen": [ref("betrokkenen", bt)],
                "leiddeTotInterneTaken": [],
                **body["klantcontact"],
            },
            "betrokkene": {
                **ref("betrokkenen", bt),
                "hadKlantcontact": ref("klantcontacten", kc),
                "digitaleAdressen": [],
                "volledigeNaam": "",
                **body["betrokkene"],
                "wasPartij": ref("partijen", body["betrokkene"]["wasPartij"]["uuid"]),
            },
            "onderwerpobject": {
                **ref("onderwerpobjecten", ow),
                "klantcontact": ref("klantcontacten", kc),
                **body["onderwerpobject"],
            },
        }
        self.klantcontacten.append(made)
        return made

    def _mock(self, http: Request, raw: bytes) -> MockRequest:
        return MockRequest(
            "http://localhost",
            http.method.lower(),
            http.url.path,
            args=dict(http.query_params),
            headers=dict(http.headers),
            data=raw or None,
            content_type=http.headers.get("content-type", "application/json"),
        )

    def _answer(self, request: MockRequest, status: int, body: dict[str, Any]) -> Response:
        raw = json.dumps(body).encode()
        try:
            self.api.validate_response(
                request, MockResponse(raw, status_code=status, content_type="application/json")
            )
        except Exception as exc:
            raise ContractError(f"answer {status} breaks the contract: {exc}") from exc
        return Response(raw, status_code=status, media_type="application/json")

    async def handle(self, http: Request) -> Response:
        raw = await http.body()
        request = self._mock(http, raw)
        self.requests.append((http.method, http.url.path))
        try:
            self.api.validate_request(request)
        except Exception as exc:  # outside the contract: refused, as the registry would
            self.violations.append(f"{http.method} {http.url.path}: {exc}")
            return Response(
                json.dumps({"title": "ongeldig verzoek", "detail": str(exc)[:200]}).encode(),
                status_code=400,
                media_type="application/json",
            )
        path = http.url.path.removeprefix(PREFIX)
        query = dict(http.query_params)
        if http.method == "POST" and path == "/maak-klantcontact":
            return self._answer(request, 201, self._maak_klantcontact(json.loads(raw)))
        if path == "/klantcontacten":
            wanted = query.get("referentienummer")
            found = [
                m["klantcontact"]
                for m in self.klantcontacten
                if wanted is None or m["klantcontact"]["referentienummer"] == wanted
            ]
            return self._answer(
                request,
                200,
                {"count": len(found), "next": None, "previous": None, "results": found},
            )
        if http.method == "POST":
            body = json.loads(raw)
            partij = body["verstrektDoorPartij"]["uuid"]
            made = self._adres(
                partij,
                body["soortDigitaalAdres"],
                body["adres"],
                isStandaardAdres=body.get("isStandaardAdres", False),
                omschrijving=body.get("omschrijving", ""),
            )
            self.adressen.append(made)
            return self._answer(request, 201, made)
        if path.startswith("/partijen/"):
            return self._answer(request, 200, self._organisatie(path.rsplit("/", 1)[1]))
        if path == "/vertegenwoordigingen":
            who = query.get("vertegenwoordigdePartij__uuid")
            rows = [
                {
                    "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{a}{b}")),
                    "url": f"{self.url}/vertegenwoordigingen/{a}",
                    "vertegenwoordigdePartij": {"uuid": a, "url": f"{self.url}/partijen/{a}"},
                    "vertegenwoordigendePartij": {"uuid": b, "url": f"{self.url}/partijen/{b}"},
                }
                for a, b in self.vertegenwoordigingen
                if a == who
            ]
            return self._answer(
                request, 200, {"count": len(rows), "next": None, "previous": None, "results": rows}
            )
        if path == "/partijen":
            bsn = query.get("partijIdentificator__objectId")
            found = [self._partij(b) for b in self.partijen if b == bsn]
            return self._answer(
                request,
                200,
                {"count": len(found), "next": None, "previous": None, "results": found},
            )
        bsn = query.get("verstrektDoorPartij__partijIdentificator__objectId")
        partij = query.get("verstrektDoorPartij__uuid") or self.partijen.get(bsn or "")
        found = [a for a in self.adressen if a["verstrektDoorPartij"]["uuid"] == partij]
        page = int(query.get("page", "1"))
        part = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        more = page * PAGE_SIZE < len(found)
        following = f"{self.url}/digitaleadressen?page={page + 1}" if more else None
        return self._answer(
            request,
            200,
            {"count": len(found), "next": following, "previous": None, "results": part},
        )


@contextmanager
def running(server: KlantinteractiesServer) -> Iterator[KlantinteractiesServer]:
    """The server on a free local port; ``server.url`` is the API's base address."""
    app = Starlette(
        routes=[
            Route(f"{PREFIX}/partijen", server.handle, methods=["GET"]),
            Route(f"{PREFIX}/partijen/{{uuid}}", server.handle, methods=["GET"]),
            Route(f"{PREFIX}/vertegenwoordigingen", server.handle, methods=["GET"]),
            Route(f"{PREFIX}/digitaleadressen", server.handle, methods=["GET", "POST"]),
            Route(f"{PREFIX}/klantcontacten", server.handle, methods=["GET"]),
            Route(f"{PREFIX}/maak-klantcontact", server.handle, methods=["POST"]),
        ]
    )
    with serving(app, "the Klantinteracties test server") as base:
        server.url = f"{base}{PREFIX}"
        yield server
