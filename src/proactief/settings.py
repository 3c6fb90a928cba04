"""Settings from the environment (prefix ``PROACTIEF_``) with safe embedded defaults."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Proactief keeps its data.

    By default everything lives in ``./proactief-data``: a SQLite file and, beside it but
    outside the database, the key that pseudonymises BSNs.
    """

    model_config = SettingsConfigDict(env_prefix="PROACTIEF_")

    data_dir: Path = Path("proactief-data")
    database_url: str | None = None
    """SQLAlchemy URL; PostgreSQL as ``postgresql://user@host/db``. Default: SQLite file."""
    key_file: Path | None = None
    """Secret key for BSN pseudonyms. Default: ``<data_dir>/pseudonym.key``."""
    organisation_name: str = "Gemeente Voorbeeld"
    gegevensleverancier: str = "PROACTIEF"
    contact_telefoon: str = "14 0000"
    """The number residents call to reach a person (in every message)."""
    team: str = "het team Geldzorgen"
    """The team that signs the messages (with ``organisation_name``)."""
    website: str = "de website van de gemeente"
    """Where residents find the municipality's own number to check a message is genuine."""
    web_adres: str | None = None
    """The web app's public address (e.g. https://geldzorgen.voorbeeld.nl). Set: every letter
    and e-mail with a code names the resident's page ('<adres>/inwoner'); unset: they say
    'uw eigen pagina op de website van de gemeente'."""
    code_dagen: int = Field(default=90, ge=1, le=366)
    dashboard_minuten: int = Field(default=5, ge=0, le=24 * 60)
    """How long the web dashboard's figures are kept before they are counted again (a
    city's count takes seconds); 0 counts them for every page. The page says when."""
    """How many days the code in a letter or e-mail lets the resident onto their own page
    (the message states its last day)."""
    inbound_sms_dir: Path | None = None
    """The folder the SMS gateway drops replies in (one JSON file each). Set: replies are
    read by ``proactief inbound fetch`` and an SMS may say 'Stuur STOP'; unset: it
    does not promise that."""
    inbound_maildir: Path | None = None
    """The Maildir that replies to our e-mails are delivered to. Set: e-mails may say
    'antwoord STOP'; unset: they do not."""
    outbox_dir: Path | None = None
    """Where letters (PDF), e-mails (.eml, without SMTP) and SMS texts are written.
    Default: ``<data_dir>/uitgaand``."""
    smtp_host: str | None = None
    """Send e-mail over SMTP to this server; unset: .eml files in the outbox."""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    email_van: str = "vroegsignalering@gemeente.example"
    channels: dict[str, str] = Field(default_factory=dict)
    """Installed channel plug-ins that carry out a kanaal instead of the built-in, as JSON:
    ``{"sms": "gemeente_sms"}``. Default: the built-ins for every kanaal."""
    brp_url: str | None = None
    """The BRP API Personen (Haal Centraal) up to '/personen', e.g.
    https://brp.voorbeeld.nl/haalcentraal/api/brp. Set: the work queue searches on surname
    and date of birth; unset: it says that search is not connected."""
    brp_api_key: str | None = Field(default=None, repr=False)
    """The key the BRP's gateway asks for (header X-API-KEY)."""
    klantinteracties_url: str | None = None
    """The Klantinteracties API (Open Klant) up to '/api/v1', e.g.
    https://klant.voorbeeld.nl/klantinteracties/api/v1 (PROACTIEF_CONTACT_DIRECTORY=
    klantinteracties: e-mail and phone from there, name and address from the BRP)."""
    klantinteracties_token: str | None = Field(default=None, repr=False)
    """The token for its 'Authorization: Token ...' header."""
    notify_url: str | None = None
    """A GOV.UK Notify-compatible service (NotifyNL: https://api.notifynl.nl). With
    ``PROACTIEF_CHANNELS='{"email": "notify_email", "sms": "notify_sms", "brief":
    "notify_brief"}'`` those channels go through it (docs/deployment.md)."""
    notify_api_key: str | None = Field(default=None, repr=False)
    """The service's API key as Notify shows it (name-serviceid-secret)."""
    notify_template_email: str | None = None
    """The id of the e-mail template whose subject is ((onderwerp)) and body ((tekst))."""
    notify_template_sms: str | None = None
    """The id of the SMS template whose body is ((tekst))."""
    notify_postage: Literal["first", "second", "economy"] | None = None
    """The postage of letters; unset: the service's default."""
    notify_callback_token: str | None = Field(default=None, repr=False)
    """The bearer token the service sends with its delivery receipts to
    ``/api/v1/notify/status`` and ``/api/v1/notify/retour``. Unset: those endpoints refuse
    everything and statuses come by polling (``proactief offer status``)."""
    gebeurtenissen_token: str | None = Field(default=None, repr=False)
    """The bearer token a source of life events (the BRP's event service, a broker) sends
    with each CloudEvent to ``POST /api/v1/gebeurtenissen``. Unset: that endpoint refuses
    everything, and events come as files (``proactief events intake``)."""
    worker_vastgelopen_seconden: float = Field(default=120.0, ge=1)
    """A worker that sent no sign of life for this many seconds is taken for dead (killed,
    or its machine went down): the job it held runs again on another worker. Workers send
    one every 10 seconds (or a third of this, if less)."""
    contact_directory: str | None = None
    """The contact-detail provider plug-in that ``offer send`` asks for addresses (``fake``,
    or an installed one). Unset: ``offer send`` stops and says so; only the demo uses the
    fake by itself."""
    config_dir: Path | None = None
    """The municipality's own folder of policy files (aanpak.yaml, doelen.yaml, rollen.yaml,
    work_queue.yaml, gemeente.yaml, ...). A file that is not in it is read from the shipped
    defaults in ``src/proactief/config``. Default: the shipped folder only."""
    work_queue_config: Path | None = None
    """The work-queue policy file. Default: ``work_queue.yaml`` in the policy folder."""
    gemeente_config: Path | None = None
    """The municipal choices for the rules. Default: ``gemeente.yaml`` in the policy folder."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    """Logs never contain personal data; DEBUG also shows SQL statements without parameters."""
    oidc_issuer: str | None = None
    """The municipality's identity provider (OpenID Connect), e.g.
    https://login.voorbeeld.nl/realms/gemeente: its discovery document is at
    '<issuer>/.well-known/openid-configuration'. Set: the login page offers 'Inloggen via
    de gemeente'; roles come from a claim through config/oidc.yaml."""
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    """Unset: a public client (PKCE only)."""
    oidc_scope: str = "openid profile email"
    wachtwoord_login: bool = True
    """False: professionals log in only through the identity provider; the password form
    is gone and a password login is refused."""
    nieuw_wachtwoord: SecretStr | None = Field(default=None, repr=False)
    """Password for ``proactief users add`` without a prompt (scripts, CI)."""
    audit_anchor: Path | None = None
    """The file the audit chain is anchored in, outside the database (append-only, e.g.
    with ``chattr +a``, or shipped to a log server). Default: ``<data_dir>/audit-anker.jsonl``."""
    trusted_proxies: str = ""
    """Comma-separated addresses or networks of the reverse proxies in front of the web
    app (``10.0.0.5`` or ``10.0.0.0/24``): only their X-Forwarded-For and
    X-Forwarded-Proto count. Empty: the app is reached directly and the headers are ignored."""

    def trusted_proxy_list(self) -> list[str]:
        """``trusted_proxies`` as a list."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    def resolved_database_url(self) -> str:
        """The database URL, with the psycopg 3 driver for PostgreSQL."""
        if self.database_url:
            url = self.database_url
            for prefix in ("postgresql://", "postgres://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.data_dir / 'proactief.db').as_posix()}"

    def resolved_audit_anchor(self) -> Path:
        """Path of the audit anchor file."""
        return self.audit_anchor or self.data_dir / "audit-anker.jsonl"

    def resolved_anchor_key(self) -> Path:
        """The key that seals the audit anchors: beside the anchor file."""
        return self.resolved_audit_anchor().with_suffix(".key")

    def resolved_key_file(self) -> Path:
        """Path of the pseudonymisation key."""
        return self.key_file or self.data_dir / "pseudonym.key"

    def resolved_outbox_dir(self) -> Path:
        """Folder for outgoing letters, e-mails and SMS texts."""
        return self.outbox_dir or self.data_dir / "uitgaand"
