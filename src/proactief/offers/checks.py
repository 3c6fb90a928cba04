"""The message checker: every claim in a message held against the offer's account
(``domain.account.OfferAccount``), plus B1 readability and no judging or alarming words.

Three kinds of rule, all in config/berichtcontrole.yaml except where the account decides:

- **elements** a message must carry, each checked against the account: the sender's full
  name, the reference and how to check the message is genuine, which data from whom and on
  which basis, each regulation with its amount and reason, the self-help and automatic
  grant where offered, that it is voluntary, what happens if the resident does nothing
  (every later step's date), how to say no and what is kept then, who to talk to (the
  owner by name when there is one) and how to stop;
- **claims** a message may make only when the account allows them ("the only source",
  "nothing happens", "no record is kept", "a fixed contact person", "send STOP", "we will
  send a letter", ...), each refused with its sentence and the reason;
- **facts** any message may state only as the account has them: every date, every number
  of days and every euro amount in the text must be one of the account's.

``proactief offer check --zaak N FILE`` runs it on any text, so a municipality can check
its own wording.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proactief.channels.wording import dag, euro
from proactief.config import load_policy, policy_path
from proactief.domain import Kanaal
from proactief.domain.account import OfferAccount

__all__ = [
    "ELEMENTS",
    "PREDICATES",
    "CheckConfig",
    "Problem",
    "check_message",
    "check_page_text",
    "check_rendered",
    "contradicted_claims",
    "load_check_config",
    "missing_elements",
    "plain_text",
    "sentences",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a message: the rule, why, and the sentence (if one)."""

    regel: str
    uitleg: str
    zin: str | None = None

    def __str__(self) -> str:
        where = f' - "{self.zin}"' if self.zin else ""
        return f"{self.regel}: {self.uitleg}{where}"


Element = Literal[
    "afzender",
    "kenmerk",
    "echtheid",
    "waarom",
    "welke_gegevens",
    "grondslag",
    "regelingen",
    "zelfhulp",
    "automatisch",
    "vrijwillig",
    "niets_doen",
    "nee_zeggen",
    "bewaren",
    "contact",
    "stoppen",
]
ELEMENTS: tuple[str, ...] = Element.__args__  # type: ignore[attr-defined]

Predicate = Literal[
    "nooit",
    "een_bron",
    "geen_vervolg",
    "eigenaar",
    "stop_per_sms",
    "stop_per_email",
    "brief_volgt",
    "telefoon_volgt",
    "huisbezoek_volgt",
    "automatisch",
    "zelfhulp",
]


def _follows(kanaal: Kanaal) -> Callable[[OfferAccount], bool]:
    return lambda a: any(s.kanaal is kanaal for s in a.vervolg)


PREDICATES: dict[str, Callable[[OfferAccount], bool]] = {
    "nooit": lambda a: False,
    "een_bron": lambda a: len(a.bronnen) == 1,
    "geen_vervolg": lambda a: not a.vervolg,
    "eigenaar": lambda a: a.contact.eigenaar is not None,
    "stop_per_sms": lambda a: a.stoppen.sms_antwoord,
    "stop_per_email": lambda a: a.stoppen.email_antwoord,
    "brief_volgt": _follows(Kanaal.BRIEF),
    "telefoon_volgt": _follows(Kanaal.TELEFOON),
    "huisbezoek_volgt": _follows(Kanaal.HUISBEZOEK),
    "automatisch": lambda a: any(r.automatisch for r in a.regelingen),
    "zelfhulp": lambda a: any(r.zelfhulp for r in a.regelingen),
}
"""When the account allows a claim (config/berichtcontrole.yaml beweringen.alleen_als)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Readability(_Strict):
    """B1-oriented limits (Flesch-Douma via textstat with the Dutch pyphen dictionary)."""

    flesch_douma_minimaal: float
    gemiddelde_zinslengte_maximaal: float
    lange_woorden_lettergrepen: int = Field(ge=2)
    lange_woorden_aandeel_maximaal: float = Field(ge=0, le=1)


class ForbiddenWord(_Strict):
    """A judging or alarming word (a regular expression), why, and the phrase that may
    contain it."""

    woord: str = Field(min_length=1)
    reden: str
    behalve: str | None = None


class Claim(_Strict):
    """A claim a message may make only when the account allows it."""

    patroon: str = Field(min_length=1)
    alleen_als: Predicate
    reden: str = Field(min_length=1)

    @model_validator(mode="after")
    def _compiles(self) -> "Claim":
        re.compile(self.patroon)
        return self


class SmsLimits(_Strict):
    max_tekens: int = Field(gt=0)
    geen_links: bool


class CheckConfig(_Strict):
    """config/berichtcontrole.yaml: per kind of message the elements it must carry, the
    patterns of the elements that are words rather than account facts, the claims the
    account must allow, readability, and forbidden words."""

    elementen: dict[str, tuple[Element, ...]]
    patronen: dict[str, tuple[str, ...]]
    beweringen: tuple[Claim, ...]
    leesbaarheid: Readability
    verboden: tuple[ForbiddenWord, ...]
    verboden_in_onderwerp: tuple[ForbiddenWord, ...]
    sms: SmsLimits

    @model_validator(mode="after")
    def _kinds_known(self) -> "CheckConfig":
        missing = {"brief", "sms"} - set(self.elementen)
        if missing:
            raise ValueError(f"elementen lacks {', '.join(sorted(missing))}")
        needed = {"waarom", "vrijwillig", "niets_doen", "nee_zeggen", "stoppen", "echtheid"}
        if needed - set(self.patronen):
            raise ValueError(f"patronen lacks {', '.join(sorted(needed - set(self.patronen)))}")
        return self


@cache
def load_check_config() -> CheckConfig:
    """config/berichtcontrole.yaml, checked (a mistake names the file and the key)."""
    return load_policy(policy_path("berichtcontrole.yaml"), CheckConfig)


def sentences(text: str) -> list[str]:
    """The sentences of a text (split at . ! ? and line ends), stripped."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip(" -\t") for p in parts if p.strip(" -\t")]


def _readability(text: str, cfg: Readability) -> list[Problem]:
    import pyphen
    import textstat

    textstat.set_lang("nl")
    problems = []
    score = float(textstat.flesch_reading_ease(text))
    if score < cfg.flesch_douma_minimaal:
        problems.append(
            Problem(
                "leesbaarheid",
                f"Flesch-Douma {score:.0f} is lager dan {cfg.flesch_douma_minimaal:g} (B1)",
            )
        )
    parts = [s for s in re.split(r"[.!?]+\s", text) if s.strip()]
    words = re.findall(r"[A-Za-zÀ-ÿ]+", text)
    if parts:
        average = len(words) / len(parts)
        if average > cfg.gemiddelde_zinslengte_maximaal:
            problems.append(
                Problem(
                    "zinslengte",
                    f"gemiddeld {average:.1f} woorden per zin "
                    f"(hooguit {cfg.gemiddelde_zinslengte_maximaal:g})",
                )
            )
    dic = pyphen.Pyphen(lang="nl_NL")
    long_words = [w for w in words if len(dic.positions(w)) + 1 >= cfg.lange_woorden_lettergrepen]
    if words and len(long_words) / len(words) > cfg.lange_woorden_aandeel_maximaal:
        problems.append(
            Problem(
                "lange woorden",
                f"{len(long_words)} lange woorden, bijvoorbeeld "
                f"{', '.join(sorted(set(long_words))[:5])}",
            )
        )
    return problems


def _word_choice(text: str, cfg: CheckConfig) -> list[Problem]:
    problems = []
    for sentence in sentences(text):
        lowered = sentence.lower()
        for item in cfg.verboden:
            hits = len(re.findall(item.woord, lowered))
            if item.behalve:
                hits -= lowered.count(item.behalve)
            if hits > 0:
                problems.append(Problem("woordkeuze", f"'{item.woord}': {item.reden}", sentence))
    return problems


def check_page_text(text: str) -> list[Problem]:
    """Readability (B1) and word choice of a page a resident reads; unlike a message, a
    page need not carry every element (the messages that lead to it do)."""
    cfg = load_check_config()
    return _word_choice(text, cfg) + _readability(text, cfg.leesbaarheid)


def _has(text: str, phrase: str) -> bool:
    return _squash(phrase) in _squash(text)


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _any(text: str, patterns: tuple[str, ...]) -> bool:
    lowered = _squash(text)
    return any(re.search(p, lowered) for p in patterns)


def _missing(element: str, text: str, a: OfferAccount, cfg: CheckConfig) -> list[str]:
    """What the text lacks of one element, as the account has it (empty: present)."""
    pat = cfg.patronen
    need: list[str] = []

    def phrase(value: str) -> None:
        if value and not _has(text, value):
            need.append(f"'{value}'")

    match element:
        case "afzender":
            phrase(a.afzender)
        case "kenmerk":
            phrase(a.kenmerk)
        case "echtheid":
            if not _any(text, pat["echtheid"]):
                need.append("hoe de inwoner nagaat of het bericht echt is")
            phrase(a.website)
        case "waarom":
            if not _any(text, pat["waarom"]):
                need.append("waarom wij schrijven")
            phrase(a.aanleiding)
        case "welke_gegevens":
            for g in a.gegevens:
                phrase(g.wat)
                phrase(g.bron)
        case "grondslag":
            for basis in a.grondslagen:
                phrase(basis)
        case "regelingen":
            for r in a.regelingen:
                phrase(r.naam)
                phrase(r.reden)
                if r.bedrag_per_jaar:
                    phrase(euro(r.bedrag_per_jaar))
        case "zelfhulp":
            for r in a.regelingen:
                if r.zelfhulp is not None:
                    phrase(r.zelfhulp.waar)
            helped = any(r.zelfhulp for r in a.regelingen)
            if helped and not _any(text, pat.get("hulp_blijft", ())):
                need.append("dat hulp er blijft")
        case "automatisch":
            for r in a.regelingen:
                if r.automatisch is not None:
                    phrase(dag(r.automatisch.datum))
                    phrase(r.automatisch.controle)
                    phrase(r.automatisch.bij)
        case "vrijwillig":
            if not _any(text, pat["vrijwillig"]):
                need.append("dat het vrijwillig is")
        case "niets_doen":
            if not _any(text, pat["niets_doen"]):
                need.append("wat er gebeurt als de inwoner niets doet")
            for step in a.vervolg:
                phrase(dag(step.datum))
        case "nee_zeggen":
            if not _any(text, pat["nee_zeggen"]):
                need.append("hoe de inwoner nee zegt")
        case "bewaren":
            phrase(f"{a.bewaren.dagen_zonder_hulp} dagen")
            if a.bewaren.regelingencheck_dagen:
                phrase(f"{a.bewaren.regelingencheck_dagen} dagen")
            if a.bewaren.cbs:
                phrase("CBS")
        case "contact":
            phrase(a.contact.telefoon)
            if a.contact.eigenaar:
                phrase(a.contact.eigenaar)
        case "stoppen":
            if not _any(text, pat["stoppen"]):
                need.append("hoe de inwoner stopt")
    return need


def _claims(text: str, a: OfferAccount, cfg: CheckConfig) -> list[Problem]:
    problems = []
    for sentence in sentences(text):
        lowered = _squash(sentence)
        for claim in cfg.beweringen:
            if re.search(claim.patroon, lowered) and not PREDICATES[claim.alleen_als](a):
                problems.append(Problem("bewering", claim.reden, sentence))
        sender = re.search(r"\bbericht (?:komt )?(?:van|namens) (.+)", lowered)
        if sender and _squash(a.afzender) not in sender.group(1):
            problems.append(
                Problem("bewering", f"de afzender is {a.afzender}, niet een ander", sentence)
            )
    return problems


_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"


def _facts(text: str, a: OfferAccount) -> list[Problem]:
    """Every date, number of days and euro amount in the text is one of the account's."""
    days = {_squash(dag(d)) for d in _account_dates(a)}
    periods = {a.bewaren.dagen_zonder_hulp, a.bewaren.dagen_met_hulp}
    if a.bewaren.regelingencheck_dagen:
        periods.add(a.bewaren.regelingencheck_dagen)
    amounts = {_squash(euro(r.bedrag_per_jaar)) for r in a.regelingen if r.bedrag_per_jaar}
    problems = []
    for sentence in sentences(text):
        lowered = _squash(sentence)
        for found in re.findall(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b", lowered):
            if found not in days:
                problems.append(
                    Problem("feit", f"de datum {found} staat niet in het aanbod", sentence)
                )
        for found in re.findall(r"\b(\d+) dagen\b", lowered):
            if int(found) not in periods:
                problems.append(
                    Problem("feit", f"{found} dagen: zo'n termijn kent het aanbod niet", sentence)
                )
        for found in re.findall(r"€\s?\d[\d.]*(?:,\d{2})?", lowered):
            if _squash(found.replace("€", "€ ").replace("  ", " ")) not in amounts:
                problems.append(
                    Problem("feit", f"het bedrag {found} staat niet in het aanbod", sentence)
                )
    return problems


def _account_dates(a: OfferAccount) -> list[date]:
    out: list[date] = [a.datum, *(s.datum for s in a.vervolg)]
    if a.bewaren.herhaal_tot is not None:
        out.append(a.bewaren.herhaal_tot)
    if a.bewaren.campagne_tot is not None:
        out.append(a.bewaren.campagne_tot)
    if a.stoppen.code_tot is not None:
        out.append(a.stoppen.code_tot)
    out.extend(r.automatisch.datum for r in a.regelingen if r.automatisch)
    return out


def missing_elements(
    text: str, account: OfferAccount, elements: tuple[str, ...] = ELEMENTS
) -> list[Problem]:
    """The elements of ``elements`` the text lacks, held against the account (also for
    the 'why' page, which must state the same facts as the message)."""
    cfg = load_check_config()
    out = []
    for element in elements:
        need = _missing(element, text, account, cfg)
        if need:
            out.append(Problem("element", f"het bericht zegt niet ({element}): {', '.join(need)}"))
    return out


def contradicted_claims(text: str, account: OfferAccount) -> list[Problem]:
    """Claims and facts in the text that the account does not bear out."""
    return _claims(text, account, load_check_config()) + _facts(text, account)


def check_message(
    text: str, account: OfferAccount, *, onderwerp: str = "", kanaal: str = "brief"
) -> list[Problem]:
    """Every problem with a message (plain text) for the offer with this account; empty
    means it passes. ``kanaal``: a key of ``elementen`` (brief, email_tekst, email_html,
    sms, belscript); another falls back to 'brief'."""
    cfg = load_check_config()
    problems: list[Problem] = []
    elements = cfg.elementen.get(kanaal, cfg.elementen["brief"])
    for element in elements:
        need = _missing(element, text, account, cfg)
        if need:
            problems.append(
                Problem("element", f"het bericht zegt niet ({element}): {', '.join(need)}")
            )
    problems.extend(_claims(text, account, cfg))
    problems.extend(_facts(text, account))
    problems.extend(_word_choice(text, cfg))
    for item in cfg.verboden_in_onderwerp:
        if re.search(item.woord, onderwerp.lower()):
            problems.append(Problem("onderwerp", f"'{item.woord}': {item.reden}", onderwerp))
    if kanaal == "sms":
        sms = cfg.sms
        if len(text) > sms.max_tekens:
            problems.append(
                Problem("sms", f"{len(text)} tekens, meer dan 2 sms-delen ({sms.max_tekens})")
            )
        if sms.geen_links and re.search(r"https?://|www\.", text.lower()):
            problems.append(
                Problem("sms", "een link in een sms van de overheid nodigt uit tot phishing")
            )
    elif kanaal != "belscript":
        problems.extend(_readability(text, cfg.leesbaarheid))
    return problems


_HTML_KANALEN = ("brief", "email_html")


def plain_text(kanaal: str, inhoud: str) -> str:
    """The text a reader sees: for the HTML letter and e-mail, without markup and styles."""
    if kanaal not in _HTML_KANALEN:
        return inhoud
    without_styles = re.sub(r"(?is)<(style|title)[^>]*>.*?</\1>", " ", inhoud)
    with_breaks = re.sub(r"(?i)</p>|<br\s*/?>", "\n", without_styles)
    return html.unescape(re.sub(r"<[^>]+>", " ", with_breaks))


def check_rendered(
    kanaal: str, inhoud: str, account: OfferAccount, onderwerp: str = ""
) -> list[Problem]:
    """``check_message`` on one rendered message of ``render_messages`` (HTML stripped)."""
    return check_message(plain_text(kanaal, inhoud), account, onderwerp=onderwerp, kanaal=kanaal)
