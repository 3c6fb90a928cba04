"""A local BRP API Personen that answers only what its published contract allows.

Built from ../shared/reference/brp-api-personen-v2.7/openapi.yaml, unmodified: every
request is validated with openapi-core (path, method, content type, body) and against the
schema its ``type`` maps to (openapi-core does not follow the discriminator, so the mapped
schema is checked with jsonschema and the document's own registry); a request that fails
gets the contract's 400 (problem+json). Every answer, 200 or error, is validated the same
way before it is sent: an answer the contract does not allow fails the test instead.

The register's content is a list of persons in the response shape (``Person``); a search
returns those that match, with only the requested ``fields`` (plus the automatically
delivered ``geheimhoudingPersoonsgegevens``). ``fail_next`` makes the next answers a
given status (401, 429, 503) or a delay (``"traag"``), to test the client's handling.
"""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from local_server import serving

SPEC = Path(__file__).resolve().parent / "contracts/brp-api-personen-v2.7/openapi.yaml"
# the document's own server: the path under which it describes /personen
SERVER = "https://proefomgeving.haalcentraal.nl"
PREFIX = "/haalcentraal/api/brp"
JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json"


class ContractError(AssertionError):
    """The test server was asked to send what the contract does not allow."""


class Contract:
    """The unmodified document: openapi-core for the operation, jsonschema for the schema
    a discriminator maps to."""

    def __init__(self, path: Path = SPEC) -> None:
        # problem+json is JSON (RFC 9457); openapi-core only knows application/json itself
        self.api = OpenAPI.from_file_path(
            str(path), config=Config(extra_media_type_deserializers={PROBLEM: json.loads})
        )
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:brp", resource)

    def mapped(self, schema: str, instance: dict[str, Any]) -> list[str]:
        """What is wrong with ``instance`` against the schema its ``type`` maps to."""
        mapping = self.doc["components"]["schemas"][schema]["discriminator"]["mapping"]
        target = mapping.get(str(instance.get("type")))
        if target is None:
            return [f"type {instance.get('type')!r} is not one of {sorted(mapping)}"]
        validator = Draft202012Validator(
            {"$ref": f"urn:brp{target}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        return [
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(instance)
        ]

    def request(self, body: bytes, content_type: str) -> MockRequest:
        return MockRequest(
            SERVER, "post", f"{PREFIX}/personen", data=body, content_type=content_type
        )


@dataclass
class BrpServer:
    """The register's persons, what it was asked, and the failures to play next."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int | str] = field(default_factory=list)
    url: str = ""
    contract: Contract = field(default_factory=Contract)

    def _answer(self, request: Any, status: int, body: dict[str, Any], kind: str) -> Response:
        raw = json.dumps(body).encode()
        try:
            self.contract.api.validate_response(
                request, MockResponse(raw, status_code=status, content_type=kind)
            )
        except Exception as exc:
            raise ContractError(f"answer {status} breaks the contract: {exc}") from exc
        if status == 200:
            problems = self.contract.mapped("PersonenQueryResponse", body)
            if problems:
                raise ContractError(f"answer breaks the contract: {problems}")
        return Response(raw, status_code=status, media_type=kind)

    def _problem(self, request: Any, status: int, title: str, code: str) -> Response:
        return self._answer(
            request,
            status,
            {
                "type": "https://www.rfc-editor.org/rfc/rfc9110",
                "title": title,
                "status": status,
                "code": code,
            },
            PROBLEM,
        )

    async def personen(self, http: Request) -> Response:
        raw = await http.body()
        content_type = http.headers.get("content-type", "")
        request = self.contract.request(raw, content_type)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if failure == "traag":
                await asyncio.sleep(1.5)  # longer than the client waits
            elif isinstance(failure, int):
                titles = {
                    401: "Niet geauthenticeerd",
                    429: "Te veel verzoeken",
                    503: "Bronservice BRP is tijdelijk niet beschikbaar",
                }
                return self._problem(request, failure, titles[failure], f"status{failure}")
        try:
            self.contract.api.validate_request(request)
            body = json.loads(raw)
            problems = self.contract.mapped("PersonenQuery", body)
        except Exception as exc:  # the operation's own check (content type, body)
            problems = [str(exc)]
            body = {}
        self.requests.append(body)
        if problems:
            return self._problem(
                request, 400, "Een of meer parameters zijn niet correct", "paramsValidation"
            )
        if body["type"] == "RaadpleegMetBurgerservicenummer":
            # asked by BSN, the register delivers the deceased too
            wanted = body["burgerservicenummer"]
            found = [p for p in self.persons if p["burgerservicenummer"] in wanted]
        elif body["type"] == "ZoekMetGeslachtsnaamEnGeboortedatum":
            found = [p for p in self.persons if _matches(p, body)]
        elif body["type"] == "ZoekMetPostcodeEnHuisnummer":
            found = [p for p in self.persons if _lives_at(p, body)]
        else:
            return self._problem(
                request, 400, "Deze zoekvraag kent de testserver niet", "unsupported"
            )
        return self._answer(
            request,
            200,
            {"type": body["type"], "personen": [_only(p, body["fields"]) for p in found]},
            JSON,
        )


def _matches(person: dict[str, Any], query: dict[str, Any]) -> bool:
    wanted = query["geslachtsnaam"].lower()
    name = person.get("naam", {}).get("geslachtsnaam", "").lower()
    same_name = name.startswith(wanted[:-1]) if wanted.endswith("*") else name == wanted
    born = person.get("geboorte", {}).get("datum", {}).get("datum")
    alive = "overlijden" not in person or query.get("inclusiefOverledenPersonen", False)
    return same_name and born == query["geboortedatum"] and alive


def _lives_at(person: dict[str, Any], query: dict[str, Any]) -> bool:
    address = person.get("verblijfplaats", {}).get("verblijfadres", {})
    alive = "overlijden" not in person or query.get("inclusiefOverledenPersonen", False)
    return (
        alive
        and address.get("postcode") == query["postcode"].replace(" ", "").upper()
        and address.get("huisnummer") == query["huisnummer"]
        and all(
            address.get(key) == query[key]
            for key in ("huisletter", "huisnummertoevoeging")
            if key in query
        )
    )


def _only(person: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The person with only the requested fields (dotted paths), as the API filters."""
    out: dict[str, Any] = {}
    for path in fields:
        source: Any = person
        parts = path.split(".")
        for part in parts:
            source = source.get(part) if isinstance(source, dict) else None
        if source is None:
            continue
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = source
    if person.get("geheimhoudingPersoonsgegevens"):
        out["geheimhoudingPersoonsgegevens"] = True
    if "verblijfplaats" in out:  # a polymorphic object comes with its type
        out["verblijfplaats"]["type"] = person["verblijfplaats"]["type"]
    return out


def person(bsn: str, geslachtsnaam: str, geboren: str, **extra: Any) -> dict[str, Any]:
    """A person of the register in the response's shape, with the address lines the
    register composes for a letter."""
    return {
        "burgerservicenummer": bsn,
        "naam": {"geslachtsnaam": geslachtsnaam, "volledigeNaam": f"J. {geslachtsnaam}"},
        "geboorte": {"datum": datum(geboren)},
        "adressering": {
            "aanschrijfwijze": {"naam": f"J. {geslachtsnaam}"},
            "adresregel1": "Dorpsstraat 12",
            "adresregel2": "1234 AB  VOORBEELD",
            "land": {"code": "6030", "omschrijving": "Nederland"},
        },
        "verblijfplaats": {
            "type": "Adres",
            "verblijfadres": {
                "officieleStraatnaam": "Dorpsstraat",
                "korteStraatnaam": "Dorpsstraat",
                "huisnummer": 12,
                "postcode": "1234AB",
                "woonplaats": "Voorbeeld",
            },
        },
        **extra,
    }


_MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def datum(iso: str) -> dict[str, Any]:
    """A full date in the contract's shape: {'type': 'Datum', 'datum', 'langFormaat'}."""
    year, month, day = (int(x) for x in iso.split("-"))
    return {"type": "Datum", "datum": iso, "langFormaat": f"{day} {_MAANDEN[month - 1]} {year}"}


def died(on: str) -> dict[str, Any]:
    """An ``overlijden`` in the response's shape."""
    return {"datum": datum(on)}


@contextmanager
def running(server: BrpServer) -> Iterator[BrpServer]:
    """The server on a free local port; ``server.url`` is the API's base address."""
    app = Starlette(routes=[Route(f"{PREFIX}/personen", server.personen, methods=["POST"])])
    with serving(app, "the BRP test server") as base:
        server.url = f"{base}{PREFIX}"
        yield server
