"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` create exactly these.

Personal identifiers are kept apart: every working table holds only the pseudonym; the BSN
or address identity sits in ``client_identities``, read only by the CBS report repository.
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

intake_files = Table(
    "intake_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("file_name", String(500), nullable=False),
    Column("file_format", String(20), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_run", DateTime(timezone=True), nullable=False),
    Column("records", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("completed", Boolean, nullable=False, default=False),
)

client_identities = Table(
    "client_identities",
    metadata,
    Column("person_pseudonym", String(40), primary_key=True),
    Column("bsn", String(9), nullable=True),
    Column("geslacht", String(10), nullable=True),
    Column("geboortedatum", Date, nullable=True),
    Column("postcode", String(6), nullable=True),
    Column("huisnummer", String(10), nullable=True),
    Column("huisnummertoevoeging", String(10), nullable=True),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_pseudonym", String(40), nullable=False, index=True),
    Column("matchingsdatum", Date, nullable=False),
    Column("startdatum_matchingperiode", Date, nullable=False),
    Column("einddatum_matchingperiode", Date, nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    Column("priority_reasons", Text, nullable=False, default="[]"),
    Column("datum_opgepakt", Date, nullable=True),
    # the day the resident accepted help; not in the DDAS export, but the funnel needs it
    # and creditors suspend collection for 30 days from then (Landelijk convenant
    # vroegsignalering, 2020)
    Column("datum_hulp_geaccepteerd", Date, nullable=True),
    Column("eindresultaat", String(100), nullable=True),
    Column("einddatum", Date, nullable=True),
    # the fixed contact person (migration 0010): a message promises one only when set
    Column("eigenaar_id", Integer, ForeignKey("users.id"), nullable=True, index=True),
    # the worker's own follow-up ("terugbellen op ..."), and the day the ladder's next step
    # is due (set when a step is carried out): the work queue's next action (migration 0011)
    Column("vervolg_datum", Date, nullable=True),
    Column("vervolg", String(200), nullable=True),
    Column("volgende_stap_datum", Date, nullable=True),
    # derived from the above and the case's attempts and steps, kept with every change to
    # them in the same transaction (early_detection.queue.refresh_queue_fields), so the
    # work queue sorts and filters 100,000 cases on an index (migration 0011)
    Column("wachtrij_status", String(20), nullable=False, server_default="nieuw"),
    Column("volgende_actie_datum", Date, nullable=True, index=True),
    # a keyed hash of the address the BRP gives for the resident (purpose huishouden):
    # cases with the same one are one household, approached by one contact person; never
    # the address itself (migration 0016)
    Column("huishouden", String(64), nullable=True, index=True),
    # the campaign that made the case (offers.campaigns); None: a case from signals. A
    # campaign case takes no signals and is not in the DDAS report (migration 0017)
    Column("campagne", String(100), nullable=True, index=True),
    # the life event kind (config/levensgebeurtenissen.yaml) a campaign-like case came
    # from: its messages say what happened (migration 0018)
    Column("gebeurtenis", String(60), nullable=True),
    # the open cases by priority: the work queue's default order and its count
    Index(
        "ix_cases_open_priority",
        "priority",
        "id",
        sqlite_where=text("eindresultaat IS NULL"),
        postgresql_where=text("eindresultaat IS NULL"),
    ),
)

signals = Table(
    "signals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("signal_id", String(200), nullable=False, unique=True),
    Column("signaalpartner", String(40), nullable=False),
    Column("person_pseudonym", String(40), nullable=False, index=True),
    Column("bedrag", Integer, nullable=False),
    Column("ontstaansdatum", Date, nullable=False),
    Column("signaaldatum", Date, nullable=False, index=True),
    Column("crisissignaal", Boolean, nullable=False, default=False),
    Column("warme_overdracht", Boolean, nullable=False, default=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True, index=True),
    Column("source_sha256", String(64), nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", String(500), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("position", String(100), nullable=False),
    Column("fields", String(500), nullable=False),
    Column("reason_nl", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("file_sha256", "position", name="uq_quarantine_file_position"),
)

contact_attempts = Table(
    "contact_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("soort", String(40), nullable=False),
    Column("datum", Date, nullable=False),
    Column("dagdeel", String(10), nullable=True),
    Column("bereikt", Boolean, nullable=False),
    # who recorded it ('medewerker:<login>', or 'systeem' for the ladder) (migration 0011)
    Column("door", String(100), nullable=True),
)

klantcontacten_geschreven = Table(
    "klantcontacten_geschreven",
    metadata,
    # each contact attempt written to the municipality's contact registry (Klantinteracties)
    # as a Klantcontact, so its contact centre sees it: the reference it carries there and
    # the registry's uuid (migration 0014); an attempt without a row here is still to go.
    # Deleted with the case by retention.
    Column("attempt_id", Integer, ForeignKey("contact_attempts.id"), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("referentie", String(10), nullable=False, unique=True),
    Column("klantcontact_uuid", String(36), nullable=True),
    # 'geschreven', or 'geen_partij' (the registry knows no partij for this person)
    Column("status", String(20), nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
)

feedback = Table(
    "terugkoppelingen",
    metadata,
    # what went back to a creditor about one of its signals, once per status: THAT it was
    # (not) picked up or that help was accepted, never why (early_detection.feedback);
    # deleted with the signal by retention (migration 0011)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("signal_row_id", Integer, ForeignKey("signals.id"), nullable=False, index=True),
    Column("signaalpartner", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("datum", Date, nullable=False),
    Column("incasso_pauze_tot", Date, nullable=True),
    Column("verstuurd", DateTime(timezone=True), nullable=False),
    Column("door", String(100), nullable=False),
    Column("via", String(20), nullable=False),
    UniqueConstraint("signal_row_id", "status", name="uq_terugkoppelingen_signal_status"),
)

form_submissions = Table(
    "form_submissions",
    metadata,
    # the one-time key of a form a worker sent: kept in the same transaction as the change,
    # so a second send of the same form (a double click, a reload) changes nothing and is
    # told so; pruned after two days (web.deps.once, migration 0011)
    Column("sleutel", String(64), primary_key=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False, index=True),
)

taak_runs = Table(
    "taak_runs",
    metadata,
    # every run of a background task (proactief worker; jobs.runs): which, by which worker,
    # when, how it ended, and a summary without personal data (migration 0013). The queue
    # itself (PostgreSQL) is procrastinate's own tables, made by the same migration.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("taak", String(40), nullable=False, index=True),
    Column("worker", String(100), nullable=False),
    Column("gestart", DateTime(timezone=True), nullable=False, index=True),
    Column("klaar", DateTime(timezone=True), nullable=True),
    # 'bezig', 'klaar', 'fout'
    Column("status", String(10), nullable=False),
    Column("samenvatting", String(300), nullable=False, server_default=""),
)

case_log = Table(
    "case_log",
    metadata,
    # the case's own log: notes and every change a person or the ladder made, with who and
    # when; deleted with the case by retention (migration 0011)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("door", String(100), nullable=False),
    Column("soort", String(30), nullable=False),
    Column("tekst", Text, nullable=False),
)

campagne_leden = Table(
    # which household each campaign approached, once: the key makes a second run (or two
    # at once) skip it; uitkomst 'zaak' (case_id set), 'afgemeld', 'overleden' or
    # 'geen_persoon' (migration 0017)
    "campagne_leden",
    metadata,
    Column("campagne", String(100), primary_key=True),
    Column("household_id", String(40), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("uitkomst", String(20), nullable=False),
    Column("aangemaakt", DateTime(timezone=True), nullable=False),
    # 'apk' for a yearly check-up campaign: a household gets one a year (migration 0019)
    Column("soort", String(20), nullable=False, server_default="campagne"),
    # the last day the row is kept: the campaign's last day (a year after it for 'apk');
    # the letter names it and retention deletes the row after it (migration 0023; None:
    # rows from before, kept a year after 'aangemaakt')
    Column("bewaren_tot", Date, nullable=True),
    Index("ix_campagne_leden_aangemaakt", "campagne", "aangemaakt"),
)

aanbod_uitkomsten = Table(
    # each regulation an offer named when it was sent in full (letter or e-mail), and
    # whether a later scan found the household receiving it: the money unlocked. After
    # retention the case and household go (NULL) and only the counts' facts stay
    # (migration 0021)
    "aanbod_uitkomsten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("household_id", String(40), nullable=True),
    Column("regeling", String(40), nullable=False),
    Column("herkomst", String(120), nullable=False),
    Column("bedrag_centen_aanbod", Integer, nullable=True),
    Column("aangeboden", DateTime(timezone=True), nullable=False),
    Column("ontvangen_op", DateTime(timezone=True), nullable=True),
    Column("bedrag_centen_ontvangen", Integer, nullable=True),
    UniqueConstraint("case_id", "regeling", name="uq_aanbod_uitkomsten_case_regeling"),
    Index("ix_aanbod_uitkomsten_open", "household_id", "ontvangen_op"),
)

campagnes = Table(
    # each campaign as it last ran: its kind and its own ladder (JSON; None: the approach
    # engine's), which its cases' offers use (migration 0020)
    "campagnes",
    metadata,
    Column("naam", String(100), primary_key=True),
    Column("soort", String(20), nullable=False),
    Column("ladder", Text, nullable=True),
    Column("bijgewerkt", DateTime(timezone=True), nullable=False),
)

experimenten = Table(
    # a randomised comparison as it was started: its definition (JSON of the YAML, with the
    # planned sample from the power calculation), when it was stopped and its result as
    # last analysed (JSON of aggregates: kept after retention removes the cases) (migration
    # 0022, offers.experiments)
    "experimenten",
    metadata,
    Column("naam", String(100), primary_key=True),
    Column("definitie", Text, nullable=False),
    Column("gestart", DateTime(timezone=True), nullable=False),
    Column("gestopt", DateTime(timezone=True), nullable=True),
    Column("stop_reden", String(300), nullable=True),
    Column("resultaat", Text, nullable=True),
    # when an assignment last checked the guardrails (migration 0026): the next checks
    # once the experiment's interval has passed on the assignments' clock
    Column("vangrails_getoetst", DateTime(timezone=True), nullable=True),
)

experiment_toewijzingen = Table(
    # which arm a unit (a case, or a household by its keyed address hash) got, recorded
    # before its first message; one row per unit, so every case of a household gets the
    # same arm. No pseudonym: the case is the link, and retention deletes the row with it
    "experiment_toewijzingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("experiment", String(100), ForeignKey("experimenten.naam"), nullable=False),
    Column("eenheid", String(80), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True, index=True),
    Column("arm", String(60), nullable=False),
    # the arm the seeded draw gave; differs from 'arm' only when that arm was stopped
    Column("getrokken", String(60), nullable=False),
    Column("stratum", String(200), nullable=False),
    Column("toegewezen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("experiment", "eenheid", name="uq_experiment_toewijzingen_eenheid"),
    # a unit's assignment in any experiment is looked up before every first message: by
    # the unit alone, which the unique key (experiment first) does not serve (migration 0026)
    Index("ix_experiment_toewijzingen_eenheid", "eenheid"),
)

experiment_stops = Table(
    # an arm stopped by its guardrail (opt-outs or complaints above the control's by the
    # configured margin): new units get the control from then on
    "experiment_stops",
    metadata,
    Column("experiment", String(100), ForeignKey("experimenten.naam"), primary_key=True),
    Column("arm", String(60), primary_key=True),
    Column("gestopt", DateTime(timezone=True), nullable=False),
    Column("reden", String(300), nullable=False),
)

klachten = Table(
    # a complaint about how a case's resident was approached, as a worker recorded it: the
    # day and who recorded it, no text (an experiment's guardrail counts them)
    "klachten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("ontvangen", DateTime(timezone=True), nullable=False),
    Column("door", String(100), nullable=False),
)

contactmomenten = Table(
    # moments of contact that happen anyway (config/aanpak.yaml moment.soorten): an offer
    # with moment 'bij_bestaand_contact' waits for the next one and rides along; (bron,
    # bron_id) makes an event that registers one count once (migration 0019)
    "contactmomenten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_pseudonym", String(40), nullable=False),
    Column("soort", String(40), nullable=False),
    Column("datum", Date, nullable=False),
    Column("geregistreerd", DateTime(timezone=True), nullable=False),
    Column("door", String(100), nullable=False),
    Column("bron", String(200), nullable=False, server_default=""),
    Column("bron_id", String(200), nullable=True),
    UniqueConstraint("bron", "bron_id", name="uq_contactmomenten_bron_id"),
    Index("ix_contactmomenten_person_datum", "person_pseudonym", "datum"),
)

levensgebeurtenissen = Table(
    # life events (CloudEvents) with their moment: 'wacht' until aanbod_vanaf, then
    # 'aanbod' (case_id), 'geen_aanbod' or 'gestopt' with the reason (no personal data);
    # a death is 'verwerkt' at once. (bron, event_id) makes a delivery count once
    # (migration 0018)
    "levensgebeurtenissen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bron", String(200), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("soort", String(60), nullable=False),
    Column("person_pseudonym", String(40), nullable=False, index=False),
    Column("datum", Date, nullable=False),
    Column("ontvangen", DateTime(timezone=True), nullable=False),
    Column("aanbod_vanaf", Date, nullable=True),
    Column("aanbod_tot", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("reden", String(300), nullable=False, server_default=""),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    UniqueConstraint("bron", "event_id", name="uq_levensgebeurtenissen_bron_id"),
    Index("ix_levensgebeurtenissen_person", "person_pseudonym"),
    Index("ix_levensgebeurtenissen_wacht", "status", "aanbod_vanaf"),
)

households = Table(
    "households",
    metadata,
    Column("household_id", String(40), primary_key=True),
    Column("postcode", String(6), nullable=False),
    Column("huisnummer", String(10), nullable=False),
    Column("huishoudtype", String(40), nullable=False),
    Column("woonsituatie", String(40), nullable=False),
    Column("inkomen_per_jaar", Integer, nullable=False),
    Column("aantal_personen", Integer, nullable=False),
)

residents = Table(
    "residents",
    metadata,
    Column("person_pseudonym", String(40), primary_key=True),
    Column(
        "household_id",
        String(40),
        ForeignKey("households.household_id"),
        nullable=False,
        index=True,
    ),
    Column("geslacht", String(10), nullable=False),
    Column("geboortedatum", Date, nullable=False),
)

preference_events = Table(
    "preference_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_pseudonym", String(40), nullable=False, index=True),
    Column("soort", String(40), nullable=False),
    Column("waarde", String(200), nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("wijze", String(20), nullable=False),
    Column("door", String(100), nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_pseudonym", String(40), nullable=False, index=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("soort", String(40), nullable=False),
    Column("kanaal", String(20), nullable=False),
    # 'verzonden', or 'geblokkeerd' (opt-out): a blocked message is kept as evidence
    Column("status", String(20), nullable=False),
    Column("ontvanger", String(120), nullable=False),
    Column("afzender", String(120), nullable=False),
    # JSON: which signal or data triggered it, from which organisation
    Column("aanleiding", Text, nullable=False),
    Column("grondslag", String(300), nullable=False),
    Column("selectieregel", String(300), nullable=False),
    Column("reden_kanaal", String(300), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    # JSON: the offer's account (domain.account.OfferAccount) the message was rendered
    # from; 'why did I get this' renders from the same (migration 0010)
    Column("verantwoording", Text, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("actie", String(20), nullable=False),
    Column("doel", String(40), nullable=False),
    Column("subject", String(40), nullable=True),
    Column("gegevens", String(500), nullable=False),
    Column("details", Text, nullable=False),
    Column("vorige_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

report_aggregates = Table(
    "report_aggregates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("maand", String(7), nullable=False),
    Column("signaalpartner", String(40), nullable=False),
    Column("eindresultaat", String(100), nullable=False),
    Column("signalen", Integer, nullable=False),
    Column("bedrag", Integer, nullable=False),
    Column("opgepakt", Integer, nullable=False),
    Column("bereikt", Integer, nullable=False),
    Column("geaccepteerd", Integer, nullable=False, server_default="0"),
    Column("verwijderd_op", DateTime(timezone=True), nullable=False),
)

funnel_aggregaten = Table(
    # the counts of deleted cases per breakdown of domain.funnel (origin, segment, tone,
    # moment, ladder, experiment arm, owner, regulation) by the month the case began,
    # kept by retention so the evaluation's funnels still hold them (migration 0025); no
    # case, no person
    "funnel_aggregaten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("maand", String(7), nullable=False),
    Column("dimensie", String(20), nullable=False),
    Column("waarde", String(200), nullable=False),
    Column("zaken", Integer, nullable=False),
    Column("bereikt", Integer, nullable=False),
    Column("geaccepteerd", Integer, nullable=False),
    Column("geholpen", Integer, nullable=False),
    # the lead time to reaching the resident: its sum in days over the reached cases, and
    # their number (a mean can be added up; a median cannot)
    Column("dagen_bereikt_som", Integer, nullable=False),
    Column("dagen_bereikt_n", Integer, nullable=False),
    # per regulation: how many of the offers a later scan found received
    Column("ontvangen", Integer, nullable=False),
    Column("verwijderd_op", DateTime(timezone=True), nullable=False),
)

entitlements = Table(
    "entitlements",
    metadata,
    # what a household may be entitled to but does not get, from proactief.entitlements
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", String(40), nullable=False, index=True),
    Column("jaar", Integer, nullable=False),
    Column("regeling", String(40), nullable=False),
    # 'recht_niet_ontvangen' or 'mogelijk_recht_gegevens_nodig'
    Column("status", String(40), nullable=False),
    Column("bedrag_centen", Integer, nullable=True),
    Column("regels_hash", String(64), nullable=False),
    # the household values this regulation read (only its own inputs), so that the case
    # page can explain the outcome step by step down to the article without a new scan
    Column("invoer", JSON, nullable=True),
    # when the scan ran: retention deletes a scan once the regelingencheck period is over
    Column("gescand_op", DateTime(timezone=True), nullable=False),
    UniqueConstraint("household_id", "jaar", "regeling", name="uq_entitlements_household"),
)

outreach_steps = Table(
    "outreach_steps",
    metadata,
    # one executed step of an offer's contact ladder: a delivered message, or a task in
    # the contact worker's queue (telefoon, huisbezoek)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("stap", Integer, nullable=False),
    Column("kanaal", String(20), nullable=False),
    Column("dagdeel", String(10), nullable=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=True),
    # 'in_wachtrij', 'verzonden', 'afgeleverd', 'mislukt', 'geblokkeerd', 'taak_open',
    # 'taak_afgerond'
    Column("status", String(20), nullable=False),
    # no personal data: a file name, a transport reference or an error class
    Column("detail", String(300), nullable=False),
    Column("belscript", Text, nullable=True),
    Column("toon", String(40), nullable=False),
    # the offer's moment when the step was taken ('nu', 'bij_bestaand_contact'): the
    # funnel per moment (migration 0024; None before it)
    Column("moment", String(30), nullable=True),
    UniqueConstraint("case_id", "stap", name="uq_outreach_steps_case_stap"),
)

outbox = Table(
    "outbox",
    metadata,
    # the transactional outbox: a message committed with its ladder step before any channel
    # is called, delivered after the commit and marked when the channel has it (migration
    # 0008, docs/reliability.md). The envelope (address and text, with the access code)
    # is kept only until the delivery is final, then cleared.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("step_id", Integer, ForeignKey("outreach_steps.id"), nullable=False, unique=True),
    Column("referentie", String(100), nullable=False, unique=True),
    Column("kanaal", String(20), nullable=False),
    Column("envelop", Text, nullable=True),
    # 'wacht' (committed, not yet handed over), 'verzonden' (a sending service has it and
    # reports later), 'afgeleverd', 'mislukt', 'geblokkeerd'
    Column("status", String(20), nullable=False, index=True),
    # the sending service's own id for the message (Notify's notification id): how its
    # delivery status, by callback or by polling, finds the step (migration 0012)
    Column("extern_id", String(100), nullable=True, unique=True),
    Column("pogingen", Integer, nullable=False, server_default="0"),
    Column("aangemaakt", DateTime(timezone=True), nullable=False),
    Column("afgerond", DateTime(timezone=True), nullable=True),
    Column("detail", String(300), nullable=False, server_default=""),
)

segment_kansen = Table(
    "segment_kansen",
    metadata,
    # segment probabilities from the person's OWN questionnaire answers, kept only while
    # they consent (principle 12); the answers themselves are not stored
    Column("person_pseudonym", String(40), primary_key=True),
    Column("kansen", Text, nullable=False),
    Column("vragenlijst", String(40), nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    # professionals of the web app; passwords only as an Argon2 hash
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("gebruikersnaam", String(100), nullable=False, unique=True),
    # none for a user of the municipality's identity provider (OIDC, migration 0015)
    Column("wachtwoord_hash", String(300), nullable=True),
    # the provider's 'sub' of such a user: how a login finds its account (migration 0015)
    Column("extern_id", String(255), nullable=True, unique=True),
    Column("rol", String(40), nullable=False),
    Column("actief", Boolean, nullable=False),
    # how a resident is told who their contact person is, and the direct number the
    # municipality gives for them, if any (migration 0010)
    Column("naam", String(120), nullable=True),
    Column("telefoon", String(30), nullable=True),
)

resident_codes = Table(
    "resident_codes",
    metadata,
    # one-time access codes for residents (printed in a letter or sent by e-mail); only a
    # hash of the code is kept
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("person_pseudonym", String(40), nullable=False, index=True),
    Column("verloopt", DateTime(timezone=True), nullable=False),
    Column("gebruikt", DateTime(timezone=True), nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # server-side sessions of professionals and residents (migration 0009): the cookie
    # holds a random token, the server only its hash, so logging out, a password change or
    # disabling a user ends a session at once
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True, index=True),
    Column("person_pseudonym", String(40), nullable=True),
    Column("begonnen", DateTime(timezone=True), nullable=False),
    Column("verloopt", DateTime(timezone=True), nullable=False),
    Column("ingetrokken", DateTime(timezone=True), nullable=True),
    Column("reden", String(40), nullable=True),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    # counters of the login and code limits, shared by every server process; the key is
    # a hash (it holds a client address)
    Column("sleutel", String(64), primary_key=True),
    Column("aantal", Integer, nullable=False),
    Column("verloopt", Float, nullable=False),
)

pseudonym_keys = Table(
    "pseudonym_keys",
    metadata,
    # which key the pseudonyms in this database were made with: a fingerprint only (an
    # HMAC of a fixed label, so it tells nothing about the key); one row per database
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("herkomst", String(20), nullable=False),
    Column("sinds", DateTime(timezone=True), nullable=False),
)

reply_routes = Table(
    "reply_routes",
    metadata,
    # how a reply finds its case (migration 0010): the reference of the message it answers
    # (an e-mail's In-Reply-To), or a keyed hash of the address it was sent to (an SMS
    # reply comes from that number); never the address itself
    Column("referentie", String(100), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("person_pseudonym", String(40), nullable=False),
    Column("kanaal", String(20), nullable=False),
    Column("adres_hash", String(64), nullable=True, index=True),
    Column("aangemaakt", DateTime(timezone=True), nullable=False),
)

replies = Table(
    "replies",
    metadata,
    # inbound replies (migration 0010): STOP becomes an opt-out; anything else a task for
    # the case owner. 'bron_id' (the gateway's or the e-mail's id) makes a reply read twice
    # count once. The text is the resident's own words, kept for the owner to read and
    # deleted with the case.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bron_id", String(300), nullable=False, unique=True),
    Column("kanaal", String(20), nullable=False),
    Column("ontvangen", DateTime(timezone=True), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True, index=True),
    Column("person_pseudonym", String(40), nullable=True),
    Column("soort", String(20), nullable=False),
    Column("tekst", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("afgehandeld_door", String(100), nullable=True),
    # the confirmation of a STOP, committed with the opt-out and cleared once its channel
    # has it (JSON: channel, address, text): a crash in between sends it on the next run,
    # once (channels hand a reference over once). The address is kept only until then.
    Column("bevestiging", Text, nullable=True),
)

automatic_grants = Table(
    "automatic_grants",
    metadata,
    # 'wij regelen het voor u, tenzij u nee zegt' (migration 0010): proposed in a message,
    # granted on 'datum' unless the resident said no before
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("regeling", String(60), nullable=False),
    Column("datum", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("voorgesteld", DateTime(timezone=True), nullable=False),
    Column("besloten", DateTime(timezone=True), nullable=True),
    Column("door", String(100), nullable=True),
    UniqueConstraint("case_id", "regeling", name="uq_automatic_grants_case_regeling"),
)

Index("ix_cases_open", cases.c.eindresultaat, cases.c.priority)


def ours(name: str | None, type_: str, _parents: object) -> bool:
    """Whether a database object is one of these tables' (for Alembic's comparisons): the
    workers' queue on PostgreSQL is procrastinate's own (migration 0013)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))
