"""The entry for the national Algoritmeregister, written from the rules that run
(``proactief algoritmeregister``).

Every part that describes what Proactief does is read from the same files and tables the
code runs on: the purposes and their legal bases (config/doelen.yaml), the selection and
priority rules (config/work_queue.yaml), the approach rules (config/aanpak.yaml), each
regulation's rule steps with their articles (entitlements/regelingen), and the
experiments with their assignment rule and stored result. Change a rule and the entry
changes with it; a test holds that. The fields and their limits are those of the
register's publication standard 1.0.0 (data/algoritmeregister_standaard.yaml): an entry
that does not fit is refused with the field and the reason.

It lives in ``offers`` because the approach and the experiments are offers' own; it reads
the lower capabilities' rules through their public loaders.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from proactief.channels import spec_of
from proactief.domain import Doel
from proactief.early_detection.work_queue import WorkQueueConfig, load_work_queue_config
from proactief.entitlements.catalog import regeling_names
from proactief.entitlements.engine import rule_sources
from proactief.entitlements.parameters import Source
from proactief.offers.approach import load_approach_config
from proactief.offers.experiments import ExperimentState, experiment_states
from proactief.trust.purposes import load_purposes

__all__ = ["RegisterError", "RegisterOptions", "build_entry", "check_entry", "load_standard"]

_STANDARD = Path(__file__).resolve().parents[1] / "data" / "algoritmeregister_standaard.yaml"


class RegisterError(ValueError):
    """An entry that does not fit the publication standard (the problems, in Dutch)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class RegisterOptions:
    """What only the municipality knows (the rest comes from the rules that run)."""

    organisatie: str
    contact: str
    begindatum: str | None = None
    """'JJJJ-MM': the month the municipality started using Proactief."""
    website: str | None = None
    broncode: str | None = None
    vandaag: date | None = None
    brp: bool = False
    """Contact details and deaths come from the BRP (PROACTIEF_CONTACT_DIRECTORY=brp)."""


def load_standard() -> dict[str, Any]:
    """The register's fields with their limits (data/algoritmeregister_standaard.yaml)."""
    data: dict[str, Any] = yaml.safe_load(_STANDARD.read_text(encoding="utf-8"))
    return data


def _article_key(article: str) -> tuple[int, str]:
    digits = "".join(ch for ch in article.split(" ")[0] if ch.isdigit())
    return (int(digits) if digits else 0, article)


def _cite_grouped(sources: tuple[Source | str, ...]) -> str:
    """'Wet op de zorgtoeslag art. 1, 2, 2 lid 1; Awir art. 26': per law, its articles."""
    by_law: dict[str, set[str]] = {}
    for s in sources:
        if isinstance(s, Source):
            law, article = s.wet, s.artikel + (f" lid {s.lid}" if s.lid else "")
        elif ", art. " in s:
            # a step's literal citation, 'Wet op de zorgtoeslag, art. 2 lid 1'
            law, article = s.split(", art. ", 1)
        else:
            law, article = s, ""
        by_law.setdefault(law, set())
        if article:
            by_law[law].add(article)
    return "; ".join(
        f"{law} art. {', '.join(sorted(arts, key=_article_key))}" if arts else law
        for law, arts in by_law.items()
    )


def _selection(cfg: WorkQueueConfig) -> str:
    rules = []
    for r in cfg.rules:
        if r.at_least is not None:
            rules.append(f"{r.description}: {r.points} punten")
        else:
            rules.append(
                f"{r.description}: {r.points} punten per {r.per} ({r.measure}), "
                f"hoogstens {r.max_points}"
            )
    minimum = (
        "elk signaal wordt opgepakt, ook een klein bedrag"
        if cfg.minimum_amount == 0
        else f"een zaak onder {cfg.minimum_amount} euro wordt niet opgepakt"
        + (", behalve bij een crisissignaal" if cfg.minimum_amount_except_crisis else "")
    )
    repeat = (
        ""
        if cfg.repeat_within_days == 0
        else f" Een nieuwe zaak binnen {cfg.repeat_within_days} dagen na de vorige van "
        "dezelfde persoon wordt gesloten als herhaalde melding"
        + (", behalve bij een crisissignaal." if cfg.repeat_except_crisis else ".")
    )
    return (
        f"Selectie: signalen van dezelfde persoon binnen {cfg.matching_period_days} dagen "
        f"vormen één zaak; {minimum}.{repeat} Volgorde van de werkvoorraad: punten per "
        f"regel, opgeteld ({'; '.join(rules)}). Geen risicoscore: elke zaak toont welke "
        "regels de punten gaven."
    )


def _approach() -> str:
    cfg = load_approach_config()
    ladder = ", ".join(
        spec_of(s.kanaal).naam.lower() + (f" (na {s.wacht_dagen} dagen)" if s.wacht_dagen else "")
        for s in cfg.veilige_standaard.ladder
    )
    automatic = ", ".join(sorted(cfg.automatisch_toekennen)) or "geen"
    return (
        "Aanpak: eerst de eigen keuzes van de inwoner (kanaal, afmelding, vertegenwoordiger, "
        "toestemming voor e-mail en sms), dan het segment uit de eigen antwoorden op de "
        f"vragenlijst (alleen als de kans minstens {cfg.segment_drempel:.0%} is), anders de "
        f"veilige standaard: {ladder}; toon {cfg.veilige_standaard.toon}. Nooit alleen "
        "brieven, tenzij de inwoner dat koos. Automatisch toekennen (met bezwaartermijn) "
        f"alleen voor: {automatic}."
    )


def _entitlements() -> str:
    parts = []
    for name in regeling_names():
        titel, sources = rule_sources(name)
        parts.append(f"{titel} ({_cite_grouped(sources)})")
    return "Regelingencheck, per huishouden de regels uit de wet: " + "; ".join(parts) + "."


def _experiments(states: list[ExperimentState], today: date, *, results: bool = True) -> str:
    if not states:
        return "Experimenten: er loopt of liep geen experiment."
    parts = []
    for s in states:
        spec = s.spec
        status = "loopt" if s.running_on(today) else "gestopt" if s.gestopt else "afgelopen"
        if spec.start > today and s.gestopt is None:
            status = "gepland"
        arms = ", ".join(
            f"{a.naam}{' (controle)' if a.controle else ''}: {a.beschrijving}" for a in spec.armen
        )
        result = ""
        if s.resultaat and not results:
            result = f" Uitkomst: proactief experiment analyse {spec.naam}."
        elif s.resultaat:
            lines = s.resultaat.get("conclusie") or []
            if isinstance(lines, list) and lines:
                result = f" Uitkomst ({s.resultaat.get('datum')}): {' '.join(map(str, lines))}"
        parts.append(
            f"'{spec.naam}' ({status}, {spec.start} tot {spec.stop}): {spec.beschrijving} "
            f"Groepen: {arms}. Loting per {spec.eenheid} vóór het eerste bericht: SHA-256 van "
            f"seed {spec.seed}, naam en eenheid, modulo {len(spec.armen)}; geplande "
            f"steekproef {spec.geplande_steekproef} per groep.{result}"
        )
    return "Experimenten: " + " ".join(parts)


def _purposes() -> str:
    purposes = load_purposes()
    names = {
        Doel.VROEGSIGNALERING: "Vroegsignalering",
        Doel.REGELINGENCHECK: "Regelingencheck",
        Doel.EVALUATIE: "Evaluatie",
        Doel.CBS_RAPPORTAGE: "Rapportage aan het CBS",
        Doel.KLANTCONTACT: "Contactgegevens opzoeken",
        Doel.HUISHOUDEN: "Huishouden bepalen",
        Doel.ZAAK_ZOEKEN: "Zaak zoeken",
    }
    return " ".join(
        f"{names.get(doel, doel.value)}: {p.grondslag}." for doel, p in purposes.items()
    )


def _law_links() -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for name in regeling_names():
        for s in rule_sources(name)[1]:
            if isinstance(s, Source) and s.bwb_id and s.wet not in seen:
                seen[s.wet] = f"https://wetten.overheid.nl/{s.bwb_id}"
    return [{"title": title[:100], "link": link} for title, link in seen.items()]


def _source_data(brp: bool) -> str:
    cfg = load_approach_config()
    names = sorted(set(cfg.gegevens_namen.values()))
    contact = (
        "Uit de Basisregistratie Personen (BRP), op het moment van een bericht: naam en "
        "adres, overlijden, wie op een adres woont."
        if brp
        else "Naam en adres voor een bericht uit de bron voor contactgegevens die de gemeente "
        "instelt, op het moment van verzenden."
    )
    return (
        "Vroegsignalen van signaalpartners (zoals zorgverzekeraar, woningcorporatie, "
        "energie- en drinkwaterbedrijf) in het landelijke formaat DDAS: wie, welk bedrag, "
        "sinds wanneer, crisis of niet. Het BSN wordt gecontroleerd (elfproef) en "
        f"gepseudonimiseerd bewaard. Voor de regelingencheck, uit {cfg.bevolking_bron}: "
        f"{', '.join(names)}. {contact} Eigen keuzes en antwoorden van de inwoner. "
        "Nooit: nationaliteit, gezondheid, koopgedrag of een risicoscore."
    )


def build_entry(
    conn: Connection, options: RegisterOptions, work_queue: WorkQueueConfig | None = None
) -> dict[str, Any]:
    """The register entry, every describing field made from the rules that run
    (``work_queue``: the team's queue rules as this run loaded them)."""
    today = options.vandaag or date.today()
    states = experiment_states(conn)
    cfg = load_approach_config()
    automatic = cfg.automatisch_toekennen
    objection = (
        "; ".join(
            f"{name}: de inwoner kan binnen {rule.bezwaar_dagen} dagen nee zeggen"
            for name, rule in sorted(automatic.items())
        )
        or "niet ingesteld"
    )
    rules = [
        "Geen zelflerend algoritme: vaste, leesbare regels uit configuratiebestanden. "
        "De segmenten komen uit een vast model van landelijk onderzoek; een inwoner "
        "krijgt een segment alleen uit de eigen antwoorden op de vragenlijst.",
        _selection(work_queue or load_work_queue_config()),
        _approach(),
        _entitlements(),
    ]
    methods = " ".join([*rules, _experiments(states, today)])
    if len(methods) > load_standard()["velden"]["methods_and_models"]["max"]:
        # many experiments: their results stay in 'proactief experiment analyse'
        methods = " ".join([*rules, _experiments(states, today, results=False)])
    running = [s for s in states if s.running_on(today)]
    rails = (
        " Experimenten stoppen een groep als afmeldingen of klachten hoger zijn dan in de "
        "controlegroep ("
        + "; ".join(
            f"{s.spec.naam}: {s.spec.vangrails.afmelden_marge:.0%} afmeldingen, "
            f"{s.spec.vangrails.klacht_marge:.0%} klachten"
            for s in running
        )
        + ")."
        if running
        else ""
    )
    entry: dict[str, Any] = {
        "name": "Proactief: vroegsignalering van geldzorgen en aanbod van hulp en regelingen",
        "description_short": (
            "De gemeente krijgt signalen over betalingsachterstanden en kijkt welke "
            "regelingen een huishouden laat liggen. Met vaste regels kiest het systeem welke "
            "zaak eerst komt en hoe we contact zoeken. Een medewerker doet het gesprek."
        ),
        "organization": options.organisatie,
        "category": ["Sociale zekerheid", "Overheidsfinanciën"],
        "status": "In gebruik",
        "contact_email": options.contact,
        "publication_category": "Impactvolle algoritmes",
        "goal": (
            "Het doel is dat inwoners met geldzorgen vroeg hulp krijgen, en geld waar ze "
            "recht op hebben. Elk vroegsignaal krijgt een aanbod voor hulp. De gemeente "
            "neemt contact op per brief, telefoon, e-mail, sms of huisbezoek; koos de "
            "inwoner zelf een manier, dan die. De inwoner kan altijd nee zeggen en zich "
            "afmelden. "
            "Bij een aanbod staat welke gegevens we gebruikten, van wie, en waarom."
        ),
        "proportionality": (
            "Zonder deze regels blijven veel signalen liggen: landelijk wordt 1 op de 5 "
            "signalen bereikt (Divosa 2023). Vaste regels maken de volgorde en de aanpak "
            "uitlegbaar; er is geen risicoscore. We gebruiken alleen de gegevens die per "
            "doel zijn toegestaan, en bewaren ze niet langer dan nodig. Een campagne zonder "
            "wettelijke basis of met gevoelige gegevens wordt geweigerd."
        ),
        "human_intervention": (
            "Een contactmedewerker belt, gaat op huisbezoek en beslist over hulp. Elke zaak "
            "toont waarom ze deze plek in de werkvoorraad heeft en waarom deze aanpak is "
            "gekozen. Automatisch toekennen alleen na controle, met bezwaar: "
            f"{objection}. Een analist beoordeelt experimenten pas na de geplande steekproef."
        ),
        "risks": (
            "Discriminatie: geen segment of aanpak op grond van leeftijd, inkomen, buurt of "
            "nationaliteit; de campagnecheck weigert bijzondere persoonsgegevens en "
            "risicoscores. Onjuiste berichten: elke brief, e-mail en sms wordt vóór "
            "verzending getoetst aan de feiten van het aanbod. Privacy: gegevens per doel, "
            "elke inzage gelogd met wie, waarom en over wie." + rails
        ),
        "lawful_basis": _purposes(),
        "lawful_basis_grouping": _law_links(),
        "source_data": _source_data(options.brp),
        "methods_and_models": methods,
        "provider": "Proactief (open source)",
        "lang": "nld",
        "standard_version": load_standard()["standaard"],
        "source_id": "proactief",
        "tags": "vroegsignalering, schuldhulpverlening, niet-gebruik, regelingen, Wgs",
    }
    for key, value in (
        ("begin_date", options.begindatum),
        ("website", options.website),
        ("publiccode", options.broncode),
    ):
        if value:
            entry[key] = value
    problems = check_entry(entry)
    if problems:
        raise RegisterError(problems)
    return entry


def check_entry(entry: Mapping[str, Any]) -> list[str]:
    """What in the entry breaks the publication standard (empty: it fits)."""
    fields: dict[str, dict[str, Any]] = load_standard()["velden"]
    problems = [f"{k}: geen veld van de standaard" for k in entry if k not in fields]
    for key, rule in fields.items():
        value = entry.get(key)
        if value in (None, "", []):
            if rule.get("verplicht"):
                problems.append(f"{key} ({rule['titel']}): verplicht, maar leeg")
            continue
        if "max" in rule and isinstance(value, str) and len(value) > rule["max"]:
            problems.append(
                f"{key} ({rule['titel']}): {len(value)} tekens, hoogstens {rule['max']}"
            )
        allowed = rule.get("waarden")
        if allowed:
            for v in value if isinstance(value, list) else [value]:
                if v not in allowed:
                    problems.append(f"{key} ({rule['titel']}): '{v}' is geen toegestane waarde")
        if "max_items" in rule and isinstance(value, list) and len(value) > rule["max_items"]:
            problems.append(f"{key}: hoogstens {rule['max_items']} waarden")
        if key.endswith("_grouping") and isinstance(value, list):
            for item in value:
                if len(item.get("link", "")) > rule.get("item_link_max", 500):
                    problems.append(f"{key}: link te lang")
                if "item_title_max" in rule and len(item.get("title", "")) > rule["item_title_max"]:
                    problems.append(f"{key}: titel te lang")
    return problems
