"""The message checker: the elements citizens asked for, B1-oriented readability, and no
judging or alarming words. Limits and word lists are data (config/berichtcontrole.yaml)."""

import html
import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proactief.config import load_policy, policy_path

__all__ = [
    "CheckConfig",
    "Problem",
    "check_message",
    "check_page_text",
    "check_rendered",
    "load_check_config",
    "plain_text",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a message."""

    regel: str
    uitleg: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Readability(_Strict):
    """B1-oriented limits (Flesch-Douma via textstat with the Dutch pyphen dictionary)."""

    flesch_douma_minimaal: float
    gemiddelde_zinslengte_maximaal: float
    lange_woorden_lettergrepen: int = Field(ge=2)
    lange_woorden_aandeel_maximaal: float = Field(ge=0, le=1)


class ForbiddenWord(_Strict):
    """A judging or alarming word, why, and the phrase that may contain it."""

    woord: str = Field(min_length=1)
    reden: str
    behalve: str | None = None


class SmsLimits(_Strict):
    max_tekens: int = Field(gt=0)
    geen_links: bool


class CheckConfig(_Strict):
    """config/berichtcontrole.yaml: what every proactive message must say (each element
    passes when one of its case-insensitive regular expressions occurs), how readable it
    must be, and which words it may not use."""

    elementen: dict[str, list[str]]
    sms_elementen: list[str]
    leesbaarheid: Readability
    verboden: list[ForbiddenWord]
    verboden_in_onderwerp: list[ForbiddenWord]
    sms: SmsLimits

    @model_validator(mode="after")
    def _sms_elements_known(self) -> "CheckConfig":
        unknown = sorted(set(self.sms_elementen) - set(self.elementen))
        if unknown:
            raise ValueError(
                f"sms_elementen names {', '.join(unknown)}, which is not under elementen"
            )
        return self


@cache
def load_check_config() -> CheckConfig:
    """config/berichtcontrole.yaml, checked (a mistake names the file and the key)."""
    return load_policy(policy_path("berichtcontrole.yaml"), CheckConfig)


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
    sentences = [s for s in re.split(r"[.!?]+\s", text) if s.strip()]
    words = re.findall(r"[A-Za-zÀ-ÿ]+", text)
    if sentences:
        average = len(words) / len(sentences)
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


def _word_choice(lowered: str, cfg: CheckConfig) -> list[Problem]:
    problems = []
    for item in cfg.verboden:
        allowed = item.behalve
        hits = lowered.count(item.woord) - (lowered.count(allowed) if allowed else 0)
        if hits > 0:
            problems.append(Problem("woordkeuze", f"'{item.woord}': {item.reden}"))
    return problems


def check_page_text(text: str) -> list[Problem]:
    """Readability (B1) and word choice of a page a resident reads; unlike a message, a
    page need not carry every element (the messages that lead to it do)."""
    cfg = load_check_config()
    return _word_choice(text.lower(), cfg) + _readability(text, cfg.leesbaarheid)


def check_message(text: str, *, onderwerp: str = "", kanaal: str = "brief") -> list[Problem]:
    """Every problem with a rendered message (plain text); empty means it passes."""
    cfg = load_check_config()
    lowered = text.lower()
    problems: list[Problem] = []
    elements = cfg.sms_elementen if kanaal == "sms" else list(cfg.elementen)
    for element in elements:
        if not any(re.search(p, lowered) for p in cfg.elementen[element]):
            problems.append(Problem("element", f"het bericht zegt niet: {element}"))
    problems.extend(_word_choice(lowered, cfg))
    for item in cfg.verboden_in_onderwerp:
        if item.woord in onderwerp.lower():
            problems.append(Problem("onderwerp", f"'{item.woord}': {item.reden}"))
    if kanaal == "sms":
        sms = cfg.sms
        if len(text) > sms.max_tekens:
            problems.append(
                Problem("sms", f"{len(text)} tekens, meer dan 2 sms-delen ({sms.max_tekens})")
            )
        if sms.geen_links and re.search(r"https?://|www\.", lowered):
            problems.append(
                Problem("sms", "een link in een sms van de overheid nodigt uit tot phishing")
            )
    else:
        problems.extend(_readability(text, cfg.leesbaarheid))
    return problems


_HTML_KANALEN = ("brief", "email_html")


def plain_text(kanaal: str, inhoud: str) -> str:
    """The text a reader sees: for the HTML letter and e-mail, without markup and styles."""
    if kanaal not in _HTML_KANALEN:
        return inhoud
    without_styles = re.sub(r"(?is)<(style|title)[^>]*>.*?</\1>", " ", inhoud)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_styles))


def check_rendered(kanaal: str, inhoud: str, onderwerp: str = "") -> list[Problem]:
    """``check_message`` on one rendered message of ``render_messages`` (HTML stripped)."""
    return check_message(plain_text(kanaal, inhoud), onderwerp=onderwerp, kanaal=kanaal)
