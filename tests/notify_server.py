"""A local Notify-compatible service (GOV.UK Notify API v2, which NotifyNL serves too)
that answers only what the API documentation describes.

Notify publishes no OpenAPI document; its documentation (docs.notifications.service.gov.uk,
"REST API") gives the requests, answers and errors, and the schemas below are written from
it: every request is checked against them and a request that fails is kept in
``violations`` (the tests assert there are none) and refused as Notify refuses it (400,
``ValidationError``). Every answer is checked against the documented answer before it is
sent.

- Authentication as documented: ``Authorization: Bearer <JWT>``, HS256, ``iss`` the
  service id and ``iat`` within 30 seconds, signed with the key's secret; else 403
  ``AuthError``.
- E-mail and SMS only from a template the service keeps; a placeholder without a value is
  a 400 ``BadRequestError``, as Notify gives it. Letters only precompiled (a base64 PDF).
- Statuses move when a test says so (``set_status``); a final one is posted as a delivery
  receipt to ``callback_url`` with the agreed bearer token, as Notify does; ``return_letter``
  posts a returned-letter report.
- ``hold`` keeps posted messages waiting until the test releases them (a client killed
  while Notify takes its message).
- ``fail_next`` gives the next answers as errors (500, 429, 403); ``lose_answer_of``
  stores the message and then answers 502, as when a connection breaks after Notify took
  it.
"""

import asyncio
import base64
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2
import jsonschema
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from local_server import serving

SERVICE_ID = "8d7b0b8e-5a4c-4f1e-9a3e-2c6f0e1d2a3b"
SECRET = "0f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098"
API_KEY = f"proactief_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "11111111-2222-4333-8444-555555555555"
SMS_TEMPLATE = "66666666-7777-4888-8999-000000000000"
CALLBACK_TOKEN = "notify-callback-token-proactief-0123456789"

UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
PERSONALISATION = {"type": "object", "additionalProperties": {"type": ["string", "number"]}}
TEMPLATE = {
    "type": "object",
    "properties": {"id": UUID, "version": {"type": "integer"}, "uri": {"type": "string"}},
    "required": ["id", "version", "uri"],
}

# requests (documentation: "Send a message")
EMAIL_REQUEST = {
    "type": "object",
    "properties": {
        "email_address": {"type": "string"},
        "template_id": UUID,
        "personalisation": PERSONALISATION,
        "reference": {"type": "string", "maxLength": 1000},
        "email_reply_to_id": UUID,
        "one_click_unsubscribe_url": {"type": "string"},
    },
    "required": ["email_address", "template_id"],
    "additionalProperties": False,
}
SMS_REQUEST = {
    "type": "object",
    "properties": {
        "phone_number": {"type": "string"},
        "template_id": UUID,
        "personalisation": PERSONALISATION,
        "reference": {"type": "string", "maxLength": 1000},
        "sms_sender_id": UUID,
    },
    "required": ["phone_number", "template_id"],
    "additionalProperties": False,
}
PRECOMPILED_REQUEST = {
    "type": "object",
    "properties": {
        "reference": {"type": "string", "minLength": 1, "maxLength": 1000},
        "content": {"type": "string", "minLength": 1},
        "postage": {"enum": ["first", "second", "economy", "europe", "rest-of-world"]},
    },
    "required": ["reference", "content"],
    "additionalProperties": False,
}
LIST_QUERY = {
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "status": {"type": "string"},
        "template_type": {"enum": ["email", "sms", "letter"]},
        "older_than": UUID,
        "include_jobs": {"enum": ["true", "True"]},
    },
    "additionalProperties": False,
}

# answers (documentation: "Response")
EMAIL_ANSWER = {
    "type": "object",
    "properties": {
        "id": UUID,
        "reference": {"type": ["string", "null"]},
        "content": {
            "type": "object",
            "properties": {
                "subject": {"type": "string"},
                "body": {"type": "string"},
                "from_email": {"type": "string"},
            },
            "required": ["subject", "body", "from_email"],
        },
        "uri": {"type": "string"},
        "template": TEMPLATE,
    },
    "required": ["id", "reference", "content", "uri", "template"],
}
SMS_ANSWER = {
    "type": "object",
    "properties": {
        "id": UUID,
        "reference": {"type": ["string", "null"]},
        "content": {
            "type": "object",
            "properties": {"body": {"type": "string"}, "from_number": {"type": "string"}},
            "required": ["body", "from_number"],
        },
        "uri": {"type": "string"},
        "template": TEMPLATE,
    },
    "required": ["id", "reference", "content", "uri", "template"],
}
PRECOMPILED_ANSWER = {
    "type": "object",
    "properties": {"id": UUID, "reference": {"type": "string"}, "postage": {"type": "string"}},
    "required": ["id", "reference", "postage"],
}
NOTIFICATION = {
    "type": "object",
    "properties": {
        "id": UUID,
        "reference": {"type": ["string", "null"]},
        "email_address": {"type": ["string", "null"]},
        "phone_number": {"type": ["string", "null"]},
        **{f"line_{n}": {"type": ["string", "null"]} for n in range(1, 7)},
        "postcode": {"type": ["string", "null"]},
        "type": {"enum": ["email", "sms", "letter"]},
        "status": {"type": "string"},
        "template": TEMPLATE,
        "body": {"type": "string"},
        "subject": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "sent_at": {"type": ["string", "null"]},
        "completed_at": {"type": ["string", "null"]},
    },
    "required": ["id", "reference", "type", "status", "template", "body", "created_at"],
}
LIST_ANSWER = {
    "type": "object",
    "properties": {
        "notifications": {"type": "array", "items": NOTIFICATION},
        "links": {
            "type": "object",
            "properties": {"current": {"type": "string"}, "next": {"type": "string"}},
            "required": ["current"],
        },
    },
    "required": ["notifications", "links"],
}
ERROR_ANSWER = {
    "type": "object",
    "properties": {
        "status_code": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                "required": ["error", "message"],
            },
        },
    },
    "required": ["status_code", "errors"],
}

EMAIL_STATUSES = {"created", "sending", "delivered", "permanent-failure", "temporary-failure",
                  "technical-failure"}  # fmt: skip
SMS_STATUSES = EMAIL_STATUSES | {"pending", "sent"}
LETTER_STATUSES = {"accepted", "received", "cancelled", "pending-virus-check",
                   "virus-scan-failed", "validation-failed", "technical-failure",
                   "permanent-failure"}  # fmt: skip
FINAL = {"delivered", "sent", "received", "permanent-failure", "temporary-failure",
         "technical-failure", "validation-failed", "virus-scan-failed", "cancelled"}  # fmt: skip
PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")


@dataclass
class NotifyServer:
    """The service's templates, what was sent, and what the tests make happen next."""

    templates: dict[str, dict[str, str]] = field(
        default_factory=lambda: {
            EMAIL_TEMPLATE: {"type": "email", "subject": "((onderwerp))", "body": "((tekst))"},
            SMS_TEMPLATE: {"type": "sms", "subject": "", "body": "((tekst))"},
        }
    )
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    letters: dict[str, bytes] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    lose_answer_of: set[str] = field(default_factory=set)
    """References whose message is stored, then answered with a 502."""
    callback_url: str | None = None
    returned_letter_url: str | None = None
    callbacks: list[tuple[str, int]] = field(default_factory=list)
    hold: threading.Event | None = None
    """While set and not yet released, every message a client posts waits here (a test
    kills the client meanwhile); ``held`` counts them."""
    held: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what the tests make happen -------------------------------------------------
    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [n for n in self.notifications.values() if n["type"] == kind]

    def set_status(self, notification_id: str, status: str) -> None:
        """Move a notification on; a final status goes out as a delivery receipt."""
        n = self.notifications[notification_id]
        allowed = {"email": EMAIL_STATUSES, "sms": SMS_STATUSES, "letter": LETTER_STATUSES}
        assert status in allowed[n["type"]], f"{status} is no {n['type']} status of Notify"
        n["status"] = status
        if status in FINAL:
            n["completed_at"] = _now()
            if self.callback_url:
                self._post(
                    self.callback_url,
                    {
                        "id": n["id"],
                        "reference": n["reference"],
                        "to": n["email_address"] or n["phone_number"] or n["line_1"],
                        "status": status,
                        "created_at": n["created_at"],
                        "completed_at": n["completed_at"],
                        "sent_at": n["sent_at"],
                        "notification_type": n["type"],
                        "template_id": n["template"]["id"],
                        "template_version": 1,
                    },
                )

    def return_letter(self, notification_id: str) -> None:
        """Report a letter as returned (documentation: 'Returned letters' callback)."""
        n = self.notifications[notification_id]
        assert n["type"] == "letter"
        assert self.returned_letter_url
        self._post(
            self.returned_letter_url,
            {
                "notification_id": n["id"],
                "reference": n["reference"],
                "created_at": n["created_at"],
                "email_address": "team@gemeente.example",
                "template_name": "Precompiled letter",
                "template_id": n["template"]["id"],
                "template_version": 1,
                "uploaded_letter_file_name": None,
            },
        )

    def _post(self, url: str, body: dict[str, Any]) -> None:
        answer = httpx2.post(
            url, json=body, headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"}, timeout=10
        )
        self.callbacks.append((url, answer.status_code))

    # --- the API --------------------------------------------------------------------
    def _refuse(self, status: int, error: str, message: str) -> JSONResponse:
        return self._answer(
            {"status_code": status, "errors": [{"error": error, "message": message}]},
            ERROR_ANSWER,
            status,
        )

    def _answer(self, body: dict[str, Any], schema: dict[str, Any], status: int) -> JSONResponse:
        try:
            jsonschema.validate(body, schema)
        except jsonschema.ValidationError as exc:
            self.violations.append(f"answer: {exc.message}")
            raise
        return JSONResponse(body, status_code=status)

    def _authenticate(self, request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return self._refuse(
                401, "AuthError", "Unauthorized: authentication token must be provided"
            )
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                SECRET,
                algorithms=["HS256"],
                options={"verify_iat": False, "require": ["iss", "iat"]},
            )
        except jwt.PyJWTError:
            return self._refuse(403, "AuthError", "Invalid token: signature, api token not found")
        if claims["iss"] != SERVICE_ID:
            return self._refuse(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - int(claims["iat"])) > 30:
            return self._refuse(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )
        return None

    def _check(self, body: Any, schema: dict[str, Any], where: str) -> JSONResponse | None:
        try:
            jsonschema.validate(body, schema)
        except jsonschema.ValidationError as exc:
            self.violations.append(f"{where}: {exc.message}")
            return self._refuse(400, "ValidationError", exc.message)
        return None

    async def handle(self, request: Request) -> Response:
        self.requests.append((request.method, request.url.path))
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        with self.lock:
            if self.fail_next:
                status = self.fail_next.pop(0)
                names = {429: "RateLimitError", 403: "AuthError", 500: "Exception"}
                return self._refuse(status, names.get(status, "Exception"), "Internal server error")
        path = request.url.path
        if request.method == "GET" and path == "/v2/notifications":
            return self._list(dict(request.query_params))
        if request.method == "GET" and path.startswith("/v2/notifications/"):
            found = self.notifications.get(path.rsplit("/", 1)[1])
            if found is None:
                return self._refuse(404, "NoResultFound", "No result found")
            return self._answer(found, NOTIFICATION, 200)
        if request.method == "POST" and path in (
            "/v2/notifications/email",
            "/v2/notifications/sms",
            "/v2/notifications/letter",
        ):
            try:
                body = await request.json()
            except ValueError:
                self.violations.append(f"{path}: no JSON body")
                return self._refuse(400, "ValidationError", "Invalid JSON supplied in POST data")
            if self.hold is not None and not self.hold.is_set():
                self.held += 1
                while not self.hold.is_set():
                    await asyncio.sleep(0.05)
            return self._send(path.rsplit("/", 1)[1], body)
        return self._refuse(404, "NotFound", "The requested URL was not found on the server.")

    def _list(self, query: dict[str, str]) -> Response:
        refused = self._check(query, LIST_QUERY, "GET /v2/notifications")
        if refused is not None:
            return refused
        found = [
            n
            for n in self.notifications.values()
            if ("reference" not in query or n["reference"] == query["reference"])
            and ("status" not in query or n["status"] == query["status"])
            and ("template_type" not in query or n["type"] == query["template_type"])
        ]
        return self._answer(
            {"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}},
            LIST_ANSWER,
            200,
        )

    def _send(self, kind: str, body: dict[str, Any]) -> Response:
        if kind == "letter":
            return self._letter(body)
        refused = self._check(body, EMAIL_REQUEST if kind == "email" else SMS_REQUEST, kind)
        if refused is not None:
            return refused
        template = self.templates.get(body["template_id"])
        if template is None or template["type"] != kind:
            return self._refuse(400, "BadRequestError", "Template not found")
        values = {k: str(v) for k, v in (body.get("personalisation") or {}).items()}
        needed = set(PLACEHOLDER.findall(template["subject"] + template["body"]))
        missing = sorted(needed - set(values))
        if missing:
            return self._refuse(
                400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
            )
        address = body.get("email_address") if kind == "email" else body.get("phone_number")
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address or ""):
            return self._refuse(400, "ValidationError", "email_address Not a valid email address")
        if kind == "sms" and not re.fullmatch(r"\+?[0-9 ]{9,15}", address or ""):
            return self._refuse(400, "ValidationError", "phone_number Not a valid phone number")
        fill = lambda text: PLACEHOLDER.sub(lambda m: values[m.group(1)], text)  # noqa: E731
        notification = self._store(
            kind,
            body.get("reference"),
            body=fill(template["body"]),
            subject=fill(template["subject"]) if kind == "email" else None,
            template_id=body["template_id"],
            email_address=address if kind == "email" else None,
            phone_number=address if kind == "sms" else None,
        )
        if notification["reference"] in self.lose_answer_of:
            self.lose_answer_of.discard(notification["reference"])
            return self._refuse(502, "Exception", "Bad gateway")
        content: dict[str, Any] = {"body": notification["body"]}
        if kind == "email":
            content |= {"subject": notification["subject"], "from_email": "gemeente@notify.example"}
        else:
            content |= {"from_number": "Gemeente"}
        return self._answer(
            {
                "id": notification["id"],
                "reference": notification["reference"],
                "content": content,
                "uri": f"{self.url}/v2/notifications/{notification['id']}",
                "template": notification["template"],
            },
            EMAIL_ANSWER if kind == "email" else SMS_ANSWER,
            201,
        )

    def _letter(self, body: dict[str, Any]) -> Response:
        if "template_id" in body:
            return self._refuse(
                400, "BadRequestError", "This test service takes precompiled letters only"
            )
        refused = self._check(body, PRECOMPILED_REQUEST, "letter")
        if refused is not None:
            return refused
        try:
            pdf = base64.b64decode(body["content"], validate=True)
        except ValueError:
            return self._refuse(
                400, "ValidationError", "Cannot decode letter content (invalid base64 encoding)"
            )
        if not pdf.startswith(b"%PDF-"):
            return self._refuse(400, "ValidationError", "Letter content is not a valid PDF")
        notification = self._store(
            "letter", body["reference"], body="", subject="Pre-compiled PDF",
            template_id="00000000-0000-4000-8000-000000000000", status="pending-virus-check",
        )  # fmt: skip
        self.letters[notification["id"]] = pdf
        return self._answer(
            {
                "id": notification["id"],
                "reference": body["reference"],
                "postage": body.get("postage", "second"),
            },
            PRECOMPILED_ANSWER,
            201,
        )

    def _store(
        self,
        kind: str,
        reference: str | None,
        *,
        body: str,
        subject: str | None,
        template_id: str,
        status: str = "created",
        email_address: str | None = None,
        phone_number: str | None = None,
    ) -> dict[str, Any]:
        ident = str(uuid.uuid4())
        notification = {
            "id": ident,
            "reference": reference,
            "email_address": email_address,
            "phone_number": phone_number,
            **{f"line_{n}": None for n in range(1, 7)},
            "postcode": None,
            "type": kind,
            "status": status,
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{self.url}/v2/template/{template_id}",
            },
            "body": body,
            "subject": subject,
            "created_at": _now(),
            "sent_at": None,
            "completed_at": None,
        }
        with self.lock:
            self.notifications[ident] = notification
        return notification

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v2/notifications", self.handle, methods=["GET"]),
                Route("/v2/notifications/{rest:path}", self.handle, methods=["GET", "POST"]),
            ]
        )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@contextmanager
def running(server: NotifyServer) -> Iterator[NotifyServer]:
    """The service on a free local port; ``server.url`` is its base URL."""
    with serving(server.app(), "the Notify test service") as url:
        server.url = url
        yield server
