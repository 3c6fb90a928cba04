"""The message checker: the elements citizens asked for, B1-oriented readability, and no
judging or alarming words. Limits and word lists are data (config/berichtcontrole.yaml)."""

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from proactief.config import policy_path

__all__ = [
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


@cache
def load_check_config() -> dict[str, Any]:
    """config/berichtcontrole.yaml."""
    text = policy_path("berichtcontrole.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _readability(text: str, cfg: dict[str, Any]) -> list[Problem]:
    import pyphen
    import textstat

    textstat.set_lang("nl")
    problems = []
    score = float(textstat.flesch_reading_ease(text))
    if score < cfg["flesch_douma_minimaal"]:
        problems.append(
            Problem(
                "leesbaarheid",
                f"Flesch-Douma {score:.0f} is lager dan {cfg['flesch_douma_minimaal']} (B1)",
            )
        )
    sentences = [s for s in re.split(r"[.!?]+\s", text) if s.strip()]
    words = re.findall(r"[A-Za-zÀ-ÿ]+", text)
    if sentences:
        average = len(words) / len(sentences)
        if average > cfg["gemiddelde_zinslengte_maximaal"]:
            problems.append(
                Problem(
                    "zinslengte",
                    f"gemiddeld {average:.1f} woorden per zin "
                    f"(hooguit {cfg['gemiddelde_zinslengte_maximaal']})",
                )
            )
    dic = pyphen.Pyphen(lang="nl_NL")
    long_words = [
        w for w in words if len(dic.positions(w)) + 1 >= cfg["lange_woorden_lettergrepen"]
    ]
    if words and len(long_words) / len(words) > cfg["lange_woorden_aandeel_maximaal"]:
        problems.append(
            Problem(
                "lange woorden",
                f"{len(long_words)} lange woorden, bijvoorbeeld "
                f"{', '.join(sorted(set(long_words))[:5])}",
            )
        )
    return problems


def _word_choice(lowered: str, cfg: dict[str, Any]) -> list[Problem]:
    problems = []
    for item in cfg["verboden"]:
        word = item["woord"]
        allowed = item.get("behalve")
        hits = lowered.count(word) - (lowered.count(allowed) if allowed else 0)
        if hits > 0:
            problems.append(Problem("woordkeuze", f"'{word}': {item['reden']}"))
    return problems


def check_page_text(text: str) -> list[Problem]:
    """Readability (B1) and word choice of a page a resident reads; unlike a message, a
    page need not carry every element (the messages that lead to it do)."""
    cfg = load_check_config()
    return _word_choice(text.lower(), cfg) + _readability(text, cfg["leesbaarheid"])


def check_message(text: str, *, onderwerp: str = "", kanaal: str = "brief") -> list[Problem]:
    """Every problem with a rendered message (plain text); empty means it passes."""
    cfg = load_check_config()
    lowered = text.lower()
    problems: list[Problem] = []
    elements = cfg["sms_elementen"] if kanaal == "sms" else list(cfg["elementen"])
    for element in elements:
        if not any(re.search(p, lowered) for p in cfg["elementen"][element]):
            problems.append(Problem("element", f"het bericht zegt niet: {element}"))
    problems.extend(_word_choice(lowered, cfg))
    for item in cfg["verboden_in_onderwerp"]:
        if item["woord"] in onderwerp.lower():
            problems.append(Problem("onderwerp", f"'{item['woord']}': {item['reden']}"))
    if kanaal == "sms":
        sms = cfg["sms"]
        if len(text) > sms["max_tekens"]:
            problems.append(
                Problem("sms", f"{len(text)} tekens, meer dan 2 sms-delen ({sms['max_tekens']})")
            )
        if sms["geen_links"] and re.search(r"https?://|www\.", lowered):
            problems.append(
                Problem("sms", "een link in een sms van de overheid nodigt uit tot phishing")
            )
    else:
        problems.extend(_readability(text, cfg["leesbaarheid"]))
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
