"""Sending through a GOV.UK Notify-compatible service (NotifyNL speaks the same API v2),
with the maintained ``notifications-python-client``.

- **E-mail and SMS**: Notify sends only from a template it keeps. Our own rendered text
  goes in through one template per kind that holds nothing but placeholders: an e-mail
  template with subject ``((onderwerp))`` and body ``((tekst))``, an SMS template with body
  ``((tekst))`` (docs/deployment.md). What the resident reads is then exactly what the
  message checker passed.
- **Letters**: the PDF we render, as a precompiled letter (no template at all).
- **Once per step**: each message carries the step's reference (``zaak12-stap1``, no
  personal data). Before sending, the service is asked for a notification with that
  reference; when an earlier run's request reached Notify but its answer or our commit got
  lost, that notification is the step's and nothing is sent again.
- **Delivery status**: a message Notify took is ``verzonden``, not yet a contact attempt.
  Its status comes later, by callback (``/api/v1/notify/status``) or by polling
  (``proactief offer status``), and ``offers.outbox.record_status`` turns it into the
  attempt (delivered) or a failed step.
"""

import io
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from proactief.channels.base import ChannelPlugin, ChannelSetup, Delivery, Envelope
from proactief.channels.email import PLUGIN as EMAIL_PLUGIN
from proactief.channels.letter import PLUGIN as LETTER_PLUGIN
from proactief.channels.letter import render_pdf
from proactief.channels.sms import PLUGIN as SMS_PLUGIN
from proactief.channels.sms import sms_refusal
from proactief.domain import Kanaal, StapStatus
from proactief.plugins import GROUPS, PluginError

log = logging.getLogger(__name__)
# the client logs each refused request at WARNING with the service's error text, which can
# quote an address; our own messages say what failed without it (no personal data in logs)
logging.getLogger("notifications_python_client").setLevel(logging.ERROR)

__all__ = [
    "FINAL_FAILURE",
    "FINAL_SUCCESS",
    "NotifyApi",
    "NotifyChannel",
    "NotifyError",
    "NotifyService",
    "delivery_for_status",
    "make_notify_client",
]

FINAL_SUCCESS = frozenset({"delivered", "received", "sent"})
"""Notify's statuses that mean the message arrived: ``delivered`` (e-mail, SMS),
``received`` (a letter: the print provider has it and posts it), ``sent`` (an SMS abroad,
of which the networks report nothing further)."""
FINAL_FAILURE = frozenset(
    {
        "permanent-failure",
        "temporary-failure",
        "technical-failure",
        "validation-failed",
        "virus-scan-failed",
        "cancelled",
    }
)
"""Notify's statuses that mean it did not arrive and never will; every other status
(``created``, ``sending``, ``pending``, ``accepted``, ``pending-virus-check``) waits."""

_WHY = {
    "permanent-failure": "het adres of nummer bestaat niet of weigert berichten",
    "temporary-failure": "de inwoner was niet bereikbaar (vol of uitgeschakeld)",
    "technical-failure": "technische fout bij de verzenddienst",
    "validation-failed": "de brief voldeed niet aan de eisen van de verzenddienst",
    "virus-scan-failed": "de brief werd geweigerd bij de virusscan",
    "cancelled": "de brief is geannuleerd",
}


class NotifyError(RuntimeError):
    """The service could not be reached or refused the request for a reason that may pass
    (authentication, rate limit, a server error): the message stays in the outbox and is
    tried again. The text holds no personal data."""


class NotifyApi(Protocol):
    """The part of ``notifications_python_client.NotificationsAPIClient`` we use."""

    def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> dict[str, Any]: ...

    def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> dict[str, Any]: ...

    def send_precompiled_letter_notification(
        self, reference: str, pdf_file: io.BytesIO, postage: str | None = None
    ) -> dict[str, Any]: ...

    def get_notification_by_id(self, id: str) -> dict[str, Any]: ...

    def get_all_notifications(
        self,
        status: str | None = None,
        template_type: str | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> dict[str, Any]: ...


def make_notify_client(api_key: str, base_url: str, timeout: float = 30.0) -> NotifyApi:
    """The maintained client for ``base_url`` (GOV.UK Notify, NotifyNL or a compatible
    service). ``api_key`` is the key as the service shows it (name, service id, secret).

    Raises:
        ValueError: the key does not have that shape.
    """
    from notifications_python_client.notifications import NotificationsAPIClient

    if len(api_key) < 74 or api_key[-37] != "-":
        raise ValueError(
            "PROACTIEF_NOTIFY_API_KEY heeft niet de vorm <naam>-<service-id>-<sleutel> / "
            "the Notify API key must be <name>-<service id>-<secret>"
        )
    # the client has no type hints; NotifyApi says what we rely on
    client: NotifyApi = NotificationsAPIClient(  # type: ignore[no-untyped-call]
        api_key, base_url=base_url, timeout=timeout
    )
    return client


def _api_error(exc: Exception) -> tuple[int, str]:
    """Status code and Notify's error kind of a client exception (never its message, which
    can quote an address)."""
    status = int(getattr(exc, "status_code", 0) or 0)
    kind = type(exc).__name__
    response = getattr(exc, "response", None)
    try:
        errors = response.json().get("errors") if response is not None else None
        if errors:
            kind = str(errors[0].get("error", kind))
    except (ValueError, AttributeError):
        pass
    return status, kind


@dataclass
class NotifyService:
    """One Notify service: the client and the two placeholder templates."""

    client: NotifyApi
    template_email: str | None = None
    """The id of the e-mail template ``((onderwerp))`` / ``((tekst))``."""
    template_sms: str | None = None
    """The id of the SMS template ``((tekst))``."""
    postage: str | None = None
    """The postage class of letters (Notify: 'first', 'second', 'economy'); None: the
    service's default."""

    def _existing(self, referentie: str) -> str | None:
        """The id of a notification already sent with this reference (a run that crashed
        after Notify took the message), else None."""
        found = self.client.get_all_notifications(reference=referentie)
        for notification in found.get("notifications") or []:
            if notification.get("reference") == referentie:
                return str(notification["id"])
        return None

    def send(self, envelope: Envelope) -> str:
        """Hand the envelope over once; the notification id.

        Raises:
            NotifyError: try again later (unreachable, 401/403, 429, 5xx).
            ValueError: Notify refused this message (400): trying again will not help.
        """
        try:
            existing = self._existing(envelope.referentie)
            if existing is not None:
                log.info("notify: %s was sent before; not again", envelope.referentie)
                return existing
            answer = self._post(envelope)
        except (ValueError, NotifyError):
            raise
        except Exception as exc:  # the client raises requests' and its own errors
            status, kind = _api_error(exc)
            if status == 400:
                raise ValueError(f"de verzenddienst weigerde het bericht ({kind})") from exc
            raise NotifyError(
                f"verzenddienst niet bereikbaar of weigert ({status or 'geen antwoord'}, {kind})"
            ) from exc
        return str(answer["id"])

    def _post(self, envelope: Envelope) -> dict[str, Any]:
        ontvanger = envelope.ontvanger
        if envelope.kanaal is Kanaal.EMAIL:
            if not self.template_email:
                raise NotifyError("PROACTIEF_NOTIFY_TEMPLATE_EMAIL is niet ingesteld")
            return self.client.send_email_notification(
                email_address=ontvanger.email or "",
                template_id=self.template_email,
                personalisation={"onderwerp": envelope.onderwerp, "tekst": envelope.tekst},
                reference=envelope.referentie,
            )
        if envelope.kanaal is Kanaal.SMS:
            if not self.template_sms:
                raise NotifyError("PROACTIEF_NOTIFY_TEMPLATE_SMS is niet ingesteld")
            return self.client.send_sms_notification(
                phone_number=ontvanger.telefoon or "",
                template_id=self.template_sms,
                personalisation={"tekst": envelope.tekst},
                reference=envelope.referentie,
            )
        if envelope.kanaal is Kanaal.BRIEF:
            pdf = render_pdf(envelope.html or "")
            return self.client.send_precompiled_letter_notification(
                reference=envelope.referentie, pdf_file=io.BytesIO(pdf), postage=self.postage
            )
        raise ValueError(f"Notify verstuurt geen {envelope.kanaal}")

    def status(self, notification_id: str) -> str:
        """Notify's current status of one notification.

        Raises:
            NotifyError: the service could not be asked.
        """
        try:
            answer = self.client.get_notification_by_id(notification_id)
        except Exception as exc:
            status, kind = _api_error(exc)
            raise NotifyError(
                f"status niet op te vragen ({status or 'geen antwoord'}, {kind})"
            ) from exc
        return str(answer["status"])


def delivery_for_status(kanaal: Kanaal, status: str) -> Delivery | None:
    """What a Notify status means for the step: delivered (the contact attempt), failed,
    or None while the service is still at it."""
    if status in FINAL_SUCCESS:
        return Delivery(StapStatus.AFGELEVERD, kanaal, f"verzenddienst: {status}")
    if status in FINAL_FAILURE:
        return Delivery(StapStatus.MISLUKT, kanaal, f"verzenddienst: {_WHY[status]}")
    return None


@dataclass
class NotifyChannel:
    """E-mail, SMS or letter through a Notify service."""

    service: NotifyService
    kanaal: Kanaal

    def deliver(self, envelope: Envelope) -> Delivery:
        """Hand over; ``verzonden`` with the notification id, or a failure Notify gave.
        Raises NotifyError when it may pass: the outbox keeps the envelope and tries again."""
        if self.kanaal is Kanaal.EMAIL and not envelope.ontvanger.email:
            return Delivery(StapStatus.MISLUKT, self.kanaal, "geen e-mailadres bekend")
        if self.kanaal is Kanaal.SMS and (refused := sms_refusal(envelope)) is not None:
            return refused
        if self.kanaal is Kanaal.BRIEF:
            if not envelope.html:
                return Delivery(StapStatus.MISLUKT, self.kanaal, "geen brieftekst in de envelop")
            if not envelope.ontvanger.adres:
                return Delivery(StapStatus.MISLUKT, self.kanaal, "geen postadres bekend")
        try:
            notification_id = self.service.send(envelope)
        except ValueError as exc:
            return Delivery(StapStatus.MISLUKT, self.kanaal, str(exc))
        return Delivery(
            StapStatus.VERZONDEN,
            self.kanaal,
            f"verzenddienst: aangenomen ({notification_id})",
            extern_id=notification_id,
        )


def _maker(kanaal: Kanaal) -> "Any":
    def make(setup: ChannelSetup) -> NotifyChannel:
        if setup.notify is None:
            raise PluginError(
                GROUPS["channels"],
                f"notify_{kanaal.value}",
                "PROACTIEF_NOTIFY_URL en PROACTIEF_NOTIFY_API_KEY zijn niet ingesteld",
                [],
            )
        return NotifyChannel(setup.notify, kanaal)

    return make


def _plugin(base: ChannelPlugin, kanaal: Kanaal) -> ChannelPlugin:
    # the messages, their checks and the resident's page stay the built-in's
    return ChannelPlugin(base.spec, _maker(kanaal))


NAMED_PLUGINS = {
    "notify_email": _plugin(EMAIL_PLUGIN, Kanaal.EMAIL),
    "notify_sms": _plugin(SMS_PLUGIN, Kanaal.SMS),
    "notify_brief": _plugin(LETTER_PLUGIN, Kanaal.BRIEF),
}
"""The Notify plug-ins by name: ``PROACTIEF_CHANNELS='{"email": "notify_email", "sms":
"notify_sms", "brief": "notify_brief"}'``."""
