"""``proactief offer explain|preview|send``, ``proactief tasks`` and ``proactief campaign
check``."""

import json
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from proactief.cli.common import (
    afzender_of,
    channels_of,
    console,
    context,
    err,
    inboxes_of,
    notify_of,
    on_postgres,
    queue_app,
    shown,
    worker_deps,
)
from proactief.cli.common import fail as _fail
from proactief.cli.common import today_of as _today
from proactief.domain import Dagdeel
from proactief.domain.offers import StapStatus
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import (
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    case_grant,
)
from proactief.offers import repository as offers_repo
from proactief.offers.campaigns import (
    CampaignError,
    Oordeel,
    Verdict,
    judge_campaign,
    load_campaign,
)

if TYPE_CHECKING:
    from proactief.offers.approach import AutoGrantRule

offer_app = typer.Typer(
    help="Aanbod op maat: wat, van wie, hoe, wanneer en waarom.", no_args_is_help=True
)
campaign_app = typer.Typer(help="Campagnes: controleer een ontwerp.", no_args_is_help=True)


tasks_app = typer.Typer(
    help="Taken voor contactmedewerkers: bellen en huisbezoeken.", no_args_is_help=True
)
inbound_app = typer.Typer(
    help="Antwoorden van inwoners op sms en e-mail: STOP en andere reacties.",
    no_args_is_help=True,
)


@offer_app.command("explain")
def offer_explain(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
) -> None:
    """Toon het aanbod voor een zaak met de reden van elke keuze."""
    from proactief.offers.grants import grants_of_case
    from proactief.offers.outreach import case_offer

    engine = context().engine
    with engine.begin() as conn:
        try:
            co = case_offer(conn=conn, case_id=case_id, today=date.today())
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        grants = grants_of_case(conn, case_id)
    offer = co.offer
    if as_json:
        sys.stdout.write(
            json.dumps(asdict(offer), ensure_ascii=False, indent=1, default=str) + "\n"
        )
        return
    console.print(f"[bold]Aanbod voor zaak {case_id}[/] (op basis van: {offer.basis})")
    console.print(f"Afzender: {offer.afzender} · toon: {offer.toon} · moment: {offer.moment}")
    console.print(
        "Vaste contactpersoon: "
        + (shown(co.eigenaar[0]) if co.eigenaar else "niemand (berichten beloven er geen)")
    )
    for grant in grants:
        console.print(
            f"Automatisch toekennen: {grant.regeling} {grant.status.replace('_', ' ')} "
            f"(datum {grant.datum.isoformat()})"
        )
    for item in offer.wat:
        bedrag = (
            f" (ongeveer € {item.bedrag_per_jaar:,.0f} per jaar)".replace(",", ".")
            if item.bedrag_per_jaar
            else ""
        )
        console.print(
            f"- {item.omschrijving}{bedrag}"
            + (" (automatisch toekennen voorstellen)" if item.automatisch else "")
        )
    for number, step in enumerate(offer.ladder, start=1):
        console.print(
            f"{number}. {step.kanaal}"
            + (f" ({step.dagdeel})" if step.dagdeel else "")
            + (f", na {step.wacht_dagen} dagen" if step.wacht_dagen else "")
        )
    if not offer.ladder:
        console.print("Geen contact: de inwoner wil niet benaderd worden.")
    console.print("[bold]Waarom[/]")
    for reason in offer.redenen:
        console.print(f"- {reason.keuze}: {reason.reden}")


@offer_app.command("preview")
def offer_preview(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    output: Annotated[Path, typer.Option("--map", "-o", help="Map voor de voorbeelden.")] = Path(
        "voorbeeld"
    ),
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Maak de berichten van het aanbod (brief als PDF, e-mail, sms, belscript) zonder te
    versturen, met de feiten waaruit ze gemaakt zijn (verantwoording.json), en controleer
    ze met de berichtcontrole."""
    from proactief.offers.outreach import case_offer, write_preview

    today = _today(datum)
    settings, engine = context().settings, context().engine
    with engine.begin() as conn:
        try:
            co = case_offer(conn=conn, case_id=case_id, today=today)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
    problems = write_preview(co, afzender=afzender_of(settings), datum=today, folder=output)
    for problem in problems:
        err.print(f"[yellow]{problem}[/]")
    console.print(
        f"Toon {co.offer.toon}; berichten in {output}/ (brief.pdf, brief.html, email.txt, "
        "email.html, sms.txt, belscript.txt, verantwoording.json). Berichtcontrole: "
        + ("alles in orde." if not problems else f"{len(problems)} punten."),
        soft_wrap=True,
    )
    if problems:
        raise typer.Exit(1)


@offer_app.command("send")
def offer_send(
    case_ids: Annotated[
        list[int] | None, typer.Argument(help="Zaaknummers; of gebruik --alle.")
    ] = None,
    alle: Annotated[bool, typer.Option("--alle", help="Alle open zaken.")] = False,
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
    wachtrij: Annotated[
        bool,
        typer.Option(
            "--wachtrij",
            help="Niet zelf versturen: zet elke zaak als taak in de wachtrij van de workers "
            "(PostgreSQL; proactief worker).",
        ),
    ] = False,
) -> None:
    """Zet de volgende stap van de contactladder als die aan de beurt is: een brief, e-mail
    of sms versturen, of een bel- of bezoektaak maken."""
    if wachtrij:
        _send_through_queue(case_ids, alle)
        return

    if not case_ids and not alle:
        raise _fail("geef zaaknummers, of --alle voor alle open zaken.")
    # the provider is checked first, so a missing setting touches no database
    context().contact_directory  # noqa: B018
    today = _today(datum)
    if alle:
        with context().engine.begin() as conn:  # begin: the audit entry of the read must stay
            grant = case_grant(conn, actor="systeem:ladder")
            case_ids = [row.id for row in early_repo.open_case_rows(grant)]
    _send_steps(case_ids or [], today)


def _send_steps(case_ids: list[int], today: date) -> dict[str, int]:
    """The next ladder step of each case, as ``offer send`` and ``campaign run`` do it,
    after what an interrupted run left in the outbox; prints a table and the counts."""
    from proactief.offers.outbox import deliver_pending
    from proactief.offers.outreach import send_next_step

    directory = context().contact_directory
    settings, engine = context().settings, context().engine
    now = datetime.combine(today, time(9), tzinfo=UTC)
    channels = channels_of(settings)
    # first what an interrupted run committed but did not hand over: the same envelopes
    recovered = deliver_pending(begin=engine.begin, channels=channels, now=now, actor="medewerker")
    if recovered:
        console.print(
            f"{len(recovered)} bericht(en) uit de wachtrij van een eerdere, onderbroken run "
            "afgeleverd."
        )
    table = Table(title=f"Contactladder op {today}")
    for column in ("Zaak", "Stap", "Kanaal", "Status", "Toelichting"):
        table.add_column(column)
    counts: dict[str, int] = {}
    for case_id in case_ids:
        try:
            result = send_next_step(
                begin=engine.begin,
                case_id=case_id,
                channels=channels,
                directory=directory,
                now=now,
                afzender=afzender_of(settings),
                actor="medewerker",
                # an SMS reply (STOP) finds its case by a keyed hash of the number
                address_hasher=context().pseudonymizer.for_address,
            )
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        counts[result.status] = counts.get(result.status, 0) + 1
        table.add_row(
            str(case_id),
            str(result.stap or ""),
            result.kanaal.value if result.kanaal else "",
            result.status,
            result.detail,
        )
    if 0 < len(case_ids) <= 50:
        console.print(table)
    console.print(
        ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + f". Uitgaande post: {settings.resolved_outbox_dir()}",
        soft_wrap=True,
    )
    return counts


def _send_through_queue(case_ids: list[int] | None, alle: bool) -> None:
    """One job per case in the workers' queue (a case whose job still waits: not again)."""
    from proactief.workers.queue import defer_ladder_cases
    from proactief.workers.tasks import ladder_case_ids

    if not case_ids and not alle:
        raise _fail("geef zaaknummers, of --alle voor alle open zaken.")
    if not on_postgres():
        raise _fail(
            "--wachtrij vraagt PostgreSQL (PROACTIEF_DATABASE_URL): op SQLite is er geen "
            "wachtrij; laat --wachtrij weg."
        )
    deps = worker_deps("offer send")
    ids = ladder_case_ids(deps) if alle else list(case_ids or [])
    app = queue_app(deps)
    with app.open():
        queued, waiting = defer_ladder_cases(app, ids)
    console.print(
        f"{queued} zaken in de wachtrij voor de workers"
        + (f"; {waiting} stonden er al in" if waiting else "")
        + ". Start ze met: proactief worker"
    )


@offer_app.command("status")
def offer_status() -> None:
    """Vraag de verzenddienst (Notify) hoe het staat met berichten die hij heeft: wat
    aankwam wordt een contactpoging, wat niet aankwam een mislukte stap."""
    from proactief.channels.notify import delivery_for_status
    from proactief.offers.outbox import poll_statuses

    settings, engine = context().settings, context().engine
    service = notify_of(settings)
    if service is None:
        raise _fail(
            "er is geen verzenddienst ingesteld (PROACTIEF_NOTIFY_URL): er is niets op te vragen."
        )
    updates = poll_statuses(
        begin=engine.begin,
        source=service,
        interpret=delivery_for_status,
        now=datetime.now(UTC),
    )
    counts: dict[str, int] = {}
    for update in updates:
        counts[update.status] = counts.get(update.status, 0) + 1
    console.print(
        (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "Geen nieuwe status")
        + "."
    )


@offer_app.command("check")
def offer_check(
    file: Annotated[Path, typer.Argument(help="Tekst van het bericht (.txt, of .html).")],
    zaak: Annotated[int, typer.Option("--zaak", help="De zaak waarvoor het bericht is.")],
    kanaal: Annotated[
        str, typer.Option(help="brief, email_tekst, email_html, sms of belscript.")
    ] = "brief",
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Controleer een eigen tekst als bericht voor een zaak: elke bewering wordt naast de
    feiten van het aanbod gelegd. Exit 1 met elke afgekeurde zin en de reden."""
    from proactief.offers.checks import check_message, load_check_config, plain_text
    from proactief.offers.outreach import account_for, case_offer

    if kanaal not in load_check_config().elementen:
        raise _fail(f"--kanaal '{kanaal}': kies uit {', '.join(load_check_config().elementen)}.")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{file}: niet te lezen als UTF-8-tekst ({exc}).") from exc
    if file.suffix.lower() in (".html", ".htm"):
        text = plain_text("brief", text)
    today = _today(datum)
    settings, engine = context().settings, context().engine
    with engine.begin() as conn:
        try:
            co = case_offer(conn=conn, case_id=zaak, today=today, actor="medewerker")
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
        stap = len(offers_repo.outreach_steps_of_case(conn, zaak))
    account = account_for(
        co, afzender=afzender_of(settings), datum=today, stap=stap, kenmerk="KENMERK", code=True
    )
    problems = check_message(text, account, kanaal=kanaal)
    if not problems:
        console.print(f"{file}: in orde voor zaak {zaak} ({kanaal}).")
        return
    for problem in problems:
        err.print(f"{shown(str(file))}: {shown(str(problem))}", soft_wrap=True)
    err.print(
        f"{len(problems)} punt(en). Het kenmerk is in deze controle 'KENMERK'; "
        "een echte verzending vult het zelf in."
    )
    raise typer.Exit(1)


@offer_app.command("verify")
def offer_verify(
    kenmerk: Annotated[str, typer.Argument(help="Het kenmerk dat de inwoner noemt.")],
) -> None:
    """Is een bericht echt van ons? Zoek het kenmerk op dat de inwoner noemt (exit 1: niet
    van ons)."""
    from proactief.offers.outreach import verify_kenmerk

    with context().engine.connect() as conn:
        found = verify_kenmerk(conn, kenmerk)
    if found is None:
        err.print(
            f"Kenmerk {shown(kenmerk)} kennen wij niet. Het bericht komt misschien niet van "
            "ons: vraag de inwoner niets te betalen en geen gegevens te geven."
        )
        raise typer.Exit(1)
    console.print(
        f"Echt: zaak {found.case_id}, stap {found.stap}, {found.kanaal}, "
        f"op {found.datum.isoformat()} ({found.status})."
    )


@offer_app.command("decline")
def offer_decline(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    taak: Annotated[
        int | None, typer.Option(help="De bel- of bezoektaak waarin de inwoner nee zei.")
    ] = None,
    datum: Annotated[
        str | None, typer.Option(help="Datum (JJJJ-MM-DD); standaard vandaag.")
    ] = None,
) -> None:
    """De inwoner zegt nee: contactpoging (bereikt), geen automatische toekenning, en de
    zaak sluit met 'Inwoner regelt het zelf/hoeft geen hulp'. De ladder stopt."""
    from proactief.offers.outreach import NEE_RESULTAAT, TaskError, resident_says_no

    when = _today(datum)
    try:
        with context().engine.begin() as conn:
            resident_says_no(
                conn=conn,
                case_id=case_id,
                datum=when,
                now=datetime.combine(when, time(12), tzinfo=UTC),
                actor="medewerker",
                step_id=taak,
            )
    except (TaskError, CaseNotFoundError, CaseClosedError, ContactDateError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Zaak {case_id} gesloten: {NEE_RESULTAAT.value}. Er gaat niets meer uit.")


@offer_app.command("grants")
def offer_grants(
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Automatisch toekennen: wat aan de beurt is en waar de inwoner geen nee op zei,
    wordt een taak voor het team (controleren, dan toekennen). Toont alle open taken."""
    from proactief.offers.grants import grants_to_check, run_grants

    when = _today(datum)
    with context().engine.begin() as conn:
        due = run_grants(conn, today=when, now=datetime.combine(when, time(9), tzinfo=UTC))
        waiting = grants_to_check(conn)
    for outcome in due:
        if outcome.status == "vervallen":
            console.print(
                f"Zaak {outcome.case_id}: {outcome.regeling} vervallen "
                "(geen grondslag meer in aanpak.yaml)."
            )
    if not waiting:
        console.print(f"Geen toekenningen te controleren op {when}.")
        return
    rules = _grant_rules()
    table = Table(title=f"{len(waiting)} toekenning(en) te controleren")
    for column in ("Nr", "Zaak", "Regeling", "Sinds", "Controleer"):
        table.add_column(column)
    for g in waiting:
        rule = rules.get(g.regeling)
        table.add_row(
            str(g.id),
            str(g.case_id),
            g.regeling,
            g.datum.isoformat(),
            f"{rule.controle} bij {rule.bij}" if rule else "",
        )
    console.print(table)
    console.print("Afronden: proactief offer grant-done NR --toegekend|--niet-toegekend")


def _grant_rules() -> "dict[str, AutoGrantRule]":
    from proactief.offers.approach import load_approach_config

    return dict(load_approach_config().automatisch_toekennen)


@offer_app.command("grant-done")
def offer_grant_done(
    grant_id: Annotated[int, typer.Argument(help="Nummer van de toekenning.")],
    toegekend: Annotated[
        bool,
        typer.Option("--toegekend/--niet-toegekend", help="Uitkomst van de controle."),
    ],
) -> None:
    """Leg de uitkomst van de controle vast: toegekend, of niet toegekend."""
    from proactief.offers.grants import GrantError, complete_grant

    try:
        with context().engine.begin() as conn:
            done = complete_grant(
                conn,
                grant_id=grant_id,
                granted=toegekend,
                door="medewerker",
                now=datetime.now(UTC),
            )
    except GrantError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Zaak {done.case_id}: {done.regeling} {done.status.replace('_', ' ')}.")


@inbound_app.command("fetch")
def inbound_fetch() -> None:
    """Lees de antwoorden op sms en e-mail (PROACTIEF_INBOUND_SMS_DIR,
    PROACTIEF_INBOUND_MAILDIR): STOP meldt af (met bevestiging), de rest wordt een taak
    voor de vaste contactpersoon."""
    from proactief.channels.inbound import InboundError
    from proactief.offers.replies import process_inbound

    ctx = context()
    settings = ctx.settings
    inboxes = inboxes_of(settings)
    if not inboxes:
        raise _fail(
            "geen inbox ingesteld: zet PROACTIEF_INBOUND_SMS_DIR en/of PROACTIEF_INBOUND_MAILDIR."
        )
    afzender = afzender_of(settings)
    try:
        outcomes = process_inbound(
            begin=ctx.engine.begin,
            inboxes=inboxes,
            channels=channels_of(settings),
            hasher=ctx.pseudonymizer.for_address,
            afzender=afzender.naam,
            telefoon=afzender.telefoon,
        )
    except InboundError as exc:
        raise _fail(str(exc)) from exc
    stops = sum(o.afgemeld for o in outcomes)
    new = sum(o.reply_id is not None for o in outcomes)
    console.print(
        f"{len(outcomes)} antwoord(en) gelezen, {new} nieuw: {stops} afgemeld (STOP), "
        f"{new - stops} voor een medewerker. Zie 'proactief inbound list'."
    )


@inbound_app.command("list")
def inbound_list() -> None:
    """Antwoorden die op een medewerker wachten."""
    from proactief.offers.replies import open_replies

    with context().engine.connect() as conn:
        rows = open_replies(conn)
    if not rows:
        console.print("Geen open antwoorden.")
        return
    table = Table(title=f"{len(rows)} open antwoorden")
    for column in ("Nr", "Zaak", "Kanaal", "Ontvangen", "Tekst"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.id),
            str(row.case_id or "onbekend"),
            row.kanaal,
            row.ontvangen.date().isoformat(),
            shown(row.tekst[:200]),
        )
    console.print(table)


@inbound_app.command("close")
def inbound_close(
    reply_id: Annotated[int, typer.Argument(help="Nummer van het antwoord.")],
) -> None:
    """Een antwoord is afgehandeld."""
    from proactief.offers.replies import close_reply

    with context().engine.begin() as conn:
        close_reply(conn, reply_id, door="medewerker")
    console.print(f"Antwoord {reply_id} afgehandeld.")


@tasks_app.command("list")
def tasks_list() -> None:
    """Open bel- en bezoektaken, oudste eerst."""

    engine = context().engine
    with engine.connect() as conn:
        rows = offers_repo.outreach_step_rows(conn, status=StapStatus.TAAK_OPEN)
    if not rows:
        console.print("Geen open taken.")
        return
    table = Table(title=f"{len(rows)} open taken")
    for column in ("Taak", "Zaak", "Kanaal", "Dagdeel", "Sinds", "Toon"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.id),
            str(row.case_id),
            row.kanaal,
            row.dagdeel or "",
            row.tijdstip.date().isoformat(),
            row.toon,
        )
    console.print(table)
    console.print("Belscript: proactief tasks show TAAK. Afronden: proactief tasks done TAAK.")


@tasks_app.command("show")
def tasks_show(task_id: Annotated[int, typer.Argument(help="Taaknummer.")]) -> None:
    """Toon het belscript van een taak."""

    engine = context().engine
    with engine.connect() as conn:
        row = offers_repo.outreach_step_row(conn, task_id)
    if row is None or row.belscript is None:
        raise _fail(f"taak {task_id} bestaat niet. Zie 'proactief tasks list'.")
    console.print(f"Taak {row.id} · zaak {row.case_id} · {row.kanaal} · {row.status}")
    console.print(row.belscript, soft_wrap=True)


@tasks_app.command("done")
def tasks_done(
    task_id: Annotated[int, typer.Argument(help="Taaknummer.")],
    bereikt: Annotated[
        bool, typer.Option("--bereikt/--niet-bereikt", help="Was er contact?")
    ] = False,
    datum: Annotated[
        str | None, typer.Option(help="Datum (JJJJ-MM-DD); standaard vandaag.")
    ] = None,
    dagdeel: Annotated[
        str | None, typer.Option(help="Ochtend, Middag of Avond; standaard dat van de taak.")
    ] = None,
) -> None:
    """Rond een bel- of bezoektaak af; dit wordt een contactpoging (DDAS)."""
    from proactief.offers.outreach import TaskError, complete_task

    when = _today(datum)
    try:
        part = Dagdeel(dagdeel) if dagdeel else None
    except ValueError as exc:
        raise _fail(f"--dagdeel '{dagdeel}': kies Ochtend, Middag of Avond.") from exc
    engine = context().engine
    with engine.begin() as conn:
        try:
            attempt = complete_task(
                conn=conn, step_id=task_id, bereikt=bereikt, datum=when, dagdeel=part
            )
        except (TaskError, CaseClosedError, ContactDateError) as exc:
            raise _fail(str(exc)) from exc
    console.print(
        f"Taak {task_id} afgerond: {attempt.soort} op {attempt.datum}, "
        + ("bereikt." if attempt.bereikt else "niet bereikt.")
    )


def _whole_euros(amount: float) -> str:
    """'2.247.735': whole euros with Dutch thousands dots."""
    return f"{amount:,.0f}".replace(",", ".")


@campaign_app.command("plan")
def campaign_plan(
    file: Annotated[Path, typer.Argument(help="Campagne (YAML) met 'doel' en 'selectie'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON, voor scripts.")] = False,
    voorbeeld: Annotated[
        Path | None,
        typer.Option(
            help="Map voor de berichten per toon. Standaard: <datamap>/campagnes/voorbeeld."
        ),
    ] = None,
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Tel hoeveel huishoudens de selectie van een campagne vindt in de laatste
    regelingencheck en hoeveel geld zij per jaar laten liggen, en maak de berichten per
    toon (met de berichtcontrole). Er gaat niets uit."""
    from proactief.offers.campaign_messages import campaign_previews, write_campaign_preview
    from proactief.offers.campaigns import plan_campaign
    from proactief.offers.outreach import PREVIEW_FILES
    from proactief.trust.purposes import PurposeViolationError

    try:
        campaign = load_campaign(file)
    except CampaignError as exc:
        raise _fail(str(exc)) from exc
    settings = context().settings
    # the wording for a household as the selection describes it: no real household's
    # income or amounts end up in a preview file; rendered once, for the check too
    previews = (
        campaign_previews(campaign, afzender=afzender_of(settings), datum=_today(datum))
        if campaign.selectie is not None
        else None
    )
    verdict = judge_campaign(campaign, previews)
    if verdict.oordeel is Oordeel.GEWEIGERD:
        _print_verdict(campaign.naam, verdict)
        raise typer.Exit(1)
    with context().engine.begin() as conn:  # begin: the audit entry of the read must stay
        try:
            plan = plan_campaign(conn, campaign, actor="medewerker")
        except (ValueError, PurposeViolationError) as exc:
            raise _fail(str(exc).split(" / ")[0]) from exc
    assert previews is not None  # plan_campaign refuses a campaign without a selection
    folder = voorbeeld or settings.data_dir / "campagnes" / "voorbeeld"
    written = write_campaign_preview(previews, folder, PREVIEW_FILES)
    problems = {p.toon.value: [f"{k}: {x}" for k, x in p.problemen] for p in previews}
    if as_json:
        data = plan.as_json() | {
            "berichten": {
                p.toon.value: {"map": str(w), "berichtcontrole": problems[p.toon.value]}
                for p, w in zip(previews, written, strict=True)
            }
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Campagne '{campaign.naam}': wie de selectie vindt")
    for column in ("Regeling", "Huishoudens", "Samen per jaar"):
        table.add_column(column)
    for regeling, (n, bedrag) in sorted(plan.per_regeling.items()):
        table.add_row(regeling, str(n), f"€ {_whole_euros(bedrag)}")
    console.print(table)
    console.print(
        f"{plan.huishoudens} huishoudens, samen € {_whole_euros(plan.bedrag_per_jaar)} per jaar "
        "(uit de laatste opgeslagen regelingencheck). Er is niets verstuurd."
    )
    tones = Table(title="De berichten per toon (voorbeeld met het minimumbedrag van de selectie)")
    for column in ("Toon", "Map", "Berichtcontrole"):
        tones.add_column(column)
    for preview, where in zip(previews, written, strict=True):
        found = problems[preview.toon.value]
        tones.add_row(
            preview.toon.value, str(where), "in orde" if not found else f"{len(found)} punten"
        )
    console.print(tones)
    for tone, found in problems.items():
        for problem in found:
            err.print(f"- {tone}, {problem}")


@campaign_app.command("run")
def campaign_run(
    file: Annotated[
        Path, typer.Argument(help="Campagne (YAML) met 'doel', 'selectie', 'looptijd'.")
    ],
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
    akkoord: Annotated[
        bool,
        typer.Option("--akkoord", help="De voorwaarden van de campagnecheck gelezen en nageleefd."),
    ] = False,
) -> None:
    """Maak de zaken van deze week voor een campagne (per huishouden een keer, tot het
    maximum per week) en zet van elke nieuwe zaak de eerste stap van de contactladder."""
    from proactief.offers.campaign_run import CampaignRunError, run_campaign
    from proactief.trust.purposes import PurposeViolationError

    try:
        campaign = load_campaign(file)
    except CampaignError as exc:
        raise _fail(str(exc)) from exc
    today = _today(datum)
    context().contact_directory  # noqa: B018 - a missing setting touches no database
    with context().engine.begin() as conn:
        try:
            run = run_campaign(
                conn,
                campaign,
                now=datetime.combine(today, time(9), tzinfo=UTC),
                actor="medewerker",
                akkoord=akkoord,
            )
        except (CampaignRunError, PurposeViolationError) as exc:
            raise _fail(str(exc).split(" / ")[0]) from exc
    console.print(
        f"Campagne '{run.campagne}': {run.gevonden} huishoudens in de selectie, "
        f"{run.al_benaderd} al eerder benaderd, {len(run.zaken)} nieuwe zaken "
        f"(samen € {_whole_euros(run.bedrag_per_jaar)} per jaar), "
        + f"{run.afgemeld} afgemeld, {run.overleden} overleden, "
        f"{run.geen_volwassene} zonder volwassene, "
        f"{run.wacht_op_volgende_week} wachten op een volgende week.",
        soft_wrap=True,
    )
    if run.zaken:
        _send_steps(run.zaken, today)


@campaign_app.command("check")
def campaign_check(
    file: Annotated[Path, typer.Argument(help="Campagne (YAML), zie config/campagnes/.")],
) -> None:
    """Toets een ontwerp aan wat inwoners in het onderzoek aanvaardden. Exitcode 0: mag;
    3: mag onder voorwaarden (die worden getoond); 1: geweigerd, met de redenen."""
    try:
        campaign = load_campaign(file)
    except CampaignError as exc:
        raise _fail(str(exc)) from exc
    verdict = judge_campaign(campaign)
    _print_verdict(campaign.naam, verdict)
    raise typer.Exit(verdict.exit_code)


def _print_verdict(naam: str, verdict: Verdict) -> None:
    if verdict.oordeel is Oordeel.TOEGESTAAN:
        console.print(f"'{naam}': dit ontwerp mag.")
        return
    if verdict.oordeel is Oordeel.VOORWAARDELIJK:
        console.print(f"[bold yellow]'{naam}': dit ontwerp mag alleen onder voorwaarden:[/]")
        for condition in verdict.voorwaarden:
            console.print(f"- {condition.reden}")
        for text in verdict.onderzoek:
            console.print(f"Uit het onderzoek: {text}.")
        return
    err.print(f"[bold red]'{naam}': dit ontwerp wordt geweigerd.[/]")
    for refusal in verdict.weigeringen:
        err.print(f"- {refusal.regel}: {refusal.reden}")
    for text in verdict.onderzoek:
        err.print(f"Uit het onderzoek: {text}.")
