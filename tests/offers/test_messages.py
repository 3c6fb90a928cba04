"""Messages are built from the offer's account, and the claim checker holds every text
against it: each element present and true, each claim allowed by the account, each date,
period and amount the account's. Every rule has an example that it refuses, including the
texts and template mutations of issue 14."""

import dataclasses
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from conftest import TODAY, entitlement_account, make_account
from proactief.channels.letter import render_pdf
from proactief.domain import Kanaal
from proactief.domain.account import Contact, DataUse, NextStep, OfferAccount, Stopping
from proactief.offers.checks import (
    PREDICATES,
    check_message,
    load_check_config,
    plain_text,
    sentences,
)
from proactief.offers.messages import CHANNEL_TEMPLATES, render_messages

TONES = ["neutraal", "kort_en_zakelijk", "zakelijk_met_keuze", "rustig_persoonlijk"]
INCOME = DataUse(
    "uw inkomen",
    "het inwonersbestand van de gemeente",
    "de taak van de gemeente om te zorgen dat u krijgt waar u recht op heeft "
    "(Participatiewet, artikel 7)",
)


def variants() -> dict[str, OfferAccount]:
    base = make_account()
    return {
        "alleen_signaal": base,
        "regelingen": make_account(
            gegevens=(*base.gegevens, INCOME),
            bewaren=dataclasses.replace(base.bewaren, regelingencheck_dagen=365),
            regelingen=(entitlement_account(), entitlement_account(automatisch=True)),
        ),
        "eigenaar": make_account(
            contact=Contact("14 0000", "het team Geldzorgen", "Sanne Jansen", "14 0000 toestel 21")
        ),
        "stop_antwoord": make_account(stoppen=Stopping(sms_antwoord=True, email_antwoord=True)),
        "geen_vervolg": make_account(vervolg=()),
    }


def problems_of(kanaal: str, inhoud: str, account: OfferAccount) -> list[Any]:
    return check_message(plain_text(kanaal, inhoud), account, kanaal=kanaal)


@pytest.mark.parametrize("toon", TONES)
@pytest.mark.parametrize("variant", list(variants()))
@pytest.mark.parametrize("code", [None, "ABCD-EFGH-JKLM"])
def test_every_channel_and_tone_passes_the_checker(
    toon: str, variant: str, code: str | None
) -> None:
    account = variants()[variant]
    rendered = render_messages(account, toon=toon, code=code)
    assert set(rendered) == set(CHANNEL_TEMPLATES)
    for kanaal, message in rendered.items():
        assert problems_of(kanaal, message.inhoud, account) == [], (kanaal, variant)
        # no two sentences glued together ('heeft.Wilt'): every line ends where it should
        assert not re.search(r"[a-z]\.[A-Z]", plain_text(kanaal, message.inhoud)), kanaal
    assert (f"Uw code is {code}" in rendered["email_tekst"].inhoud) == bool(code)
    assert "ABCD" not in rendered["sms"].inhoud


def test_what_a_message_says_follows_the_account() -> None:
    v = variants()
    letter = plain_text(
        "brief", render_messages(v["alleen_signaal"], toon="neutraal")["brief"].inhoud
    )
    assert "Andere gegevens over u hebben wij niet gebruikt" in letter
    assert "vaste contactpersoon" not in letter
    assert "Als u niets doet, bellen wij u vanaf 7 juli 2026 's middags." in letter
    rich = plain_text("brief", render_messages(v["regelingen"], toon="neutraal")["brief"].inhoud)
    assert "Andere gegevens" not in rich  # income was read too
    assert "uw inkomen" in rich and "het inwonersbestand van de gemeente" in rich
    assert "€ 1.355,04" in rich.replace("\xa0", " ")
    assert "Uw toetsingsinkomen 18.000 euro is niet hoger" in rich
    assert "Wij regelen dit voor u vanaf 28 juli 2026, tenzij u voor die dag nee zegt." in rich
    assert "Mijn toeslagen, op de website van de Dienst Toeslagen" in rich
    owned = plain_text("brief", render_messages(v["eigenaar"], toon="neutraal")["brief"].inhoud)
    assert "Uw vaste contactpersoon is Sanne Jansen." in owned
    assert "direct bellen op 14 0000 toestel 21" in owned
    coded = render_messages(v["alleen_signaal"], toon="neutraal", code="ABCD-EFGH-JKLM")
    assert "hele berekening" not in coded["email_tekst"].inhoud  # there is none to see
    coded = render_messages(v["regelingen"], toon="neutraal", code="ABCD-EFGH-JKLM")
    assert "met de hele berekening" in coded["email_tekst"].inhoud
    sms = render_messages(v["alleen_signaal"], toon="neutraal")["sms"].inhoud
    assert "STOP" not in sms and "Bel ons" in sms
    assert "Stuur STOP" in render_messages(v["stop_antwoord"], toon="neutraal")["sms"].inhoud
    no_letter = make_account(vervolg=(NextStep(TODAY + timedelta(days=7), Kanaal.TELEFOON),))
    assert "brief" not in render_messages(no_letter, toon="neutraal")["sms"].inhoud


def test_tones_really_differ() -> None:
    openings = {
        render_messages(make_account(), toon=t)["email_tekst"].inhoud.splitlines()[0] for t in TONES
    }
    assert len(openings) == len(TONES)


def test_the_letter_pdf_passes_the_checker() -> None:
    account = variants()["regelingen"]
    letter = render_messages(account, toon="neutraal")["brief"]
    pdf = render_pdf(letter.inhoud)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"[ \t]+", " ", text)
    assert check_message(text, account, onderwerp=letter.onderwerp) == []


# --- the texts and mutations of issue 14 ----------------------------------------------------


def letter_text(account: OfferAccount) -> str:
    return plain_text("brief", render_messages(account, toon="neutraal")["brief"].inhoud)


def rules(problems: list[Any]) -> set[str]:
    return {p.regel for p in problems}


def reasons(problems: list[Any]) -> str:
    return " | ".join(f"{p.uitleg} [{p.zin}]" for p in problems)


def test_the_adversarial_text_is_refused_sentence_by_sentence() -> None:
    text = (
        "Beste inwoner. Dit bericht komt van Gemeente Voorbeeld. Omdat u arm bent, schrijven "
        "wij u. Als u niets doet, krijgt u een boete. Dit is vrijwillig. Stoppen kan niet."
    )
    found = check_message(text, make_account())
    refused = {p.zin for p in found if p.zin}
    assert "Omdat u arm bent, schrijven wij u." in refused
    assert "Als u niets doet, krijgt u een boete." in refused
    assert "Stoppen kan niet." in refused
    assert any("stoppen kan altijd" in p.uitleg for p in found)
    assert "element" in rules(found)  # no data, no source, no dates, no retention


def test_a_stranger_as_sender_is_refused() -> None:
    text = letter_text(make_account()).replace(
        "Dit bericht komt van Gemeente Voorbeeld", "Dit bericht komt van webwinkel Bol.com"
    )
    found = check_message(text, make_account())
    assert any(p.zin and "Bol.com" in p.zin and p.regel == "bewering" for p in found), reasons(
        found
    )
    signed = letter_text(make_account()).replace("Gemeente Voorbeeld", "webwinkel Bol.com")
    assert any("Gemeente Voorbeeld" in p.uitleg for p in check_message(signed, make_account()))


@pytest.mark.parametrize(
    ("mutation", "account"),
    [
        # the old untrue sentences, back in a letter whose account contradicts them
        (
            lambda t: t.replace(
                "Dit is vrijwillig.", "Dit is vrijwillig. Als u niets doet, gebeurt er niets."
            ),
            make_account(),
        ),
        (
            lambda t: (
                t + "\nEr komt geen aantekening in uw dossier. Ook als u nee zegt, "
                "heeft dat geen gevolgen."
            ),
            make_account(),
        ),
        (lambda t: t + "\nU krijgt een vaste medewerker.", make_account()),
        (lambda t: t + "\nDat is de enige bron.", variants()["regelingen"]),
        # 'what happens next' without the ladder's dates
        (
            lambda t: re.sub(
                r"Als u niets doet, [^\n]*", "Als u niets doet, bellen wij u over een week.", t
            ),
            make_account(),
        ),
        # the owner's name removed from a case that has one
        (
            lambda t: t.replace(" Uw vaste contactpersoon is Sanne Jansen.", "").replace(
                " U kunt Sanne Jansen direct bellen op 14 0000 toestel 21.", ""
            ),
            variants()["eigenaar"],
        ),
        # every regulation dropped from the text
        (
            lambda t: "\n".join(line for line in t.splitlines() if "Zorgtoeslag" not in line),
            variants()["regelingen"],
        ),
        # another amount, another date
        (lambda t: t.replace("1.355,04", "2.355,04"), variants()["regelingen"]),
        (lambda t: t.replace("7 juli 2026", "8 juli 2026"), make_account()),
        # the retention period or the CBS report left out
        (lambda t: t.replace("183 dagen", "een tijd"), make_account()),
        (lambda t: t.replace("CBS", "bureau"), make_account()),
        # the reference or the check for genuineness left out
        (lambda t: t.replace("zaak7-stap1-0a1b2c3d", ""), make_account()),
        (lambda t: t.replace("echt", "waar"), make_account()),
        # the automatic grant without its date
        (lambda t: t.replace("28 juli 2026", "binnenkort"), variants()["regelingen"]),
    ],
)
def test_each_mutation_of_a_true_letter_is_refused(mutation: Any, account: OfferAccount) -> None:
    text = letter_text(account)
    assert check_message(text, account) == []
    mutated = mutation(text)
    assert mutated != text
    assert check_message(mutated, account) != []


CLAIM_EXAMPLES = {
    "nooit": "Er komt geen aantekening in uw dossier.",
    "een_bron": "Andere gegevens over u hebben wij niet gebruikt.",
    "geen_vervolg": "Als u niets doet, gebeurt er niets.",
    "eigenaar": "U krijgt een vaste medewerker.",
    "stop_per_sms": "Geen berichten meer? Stuur STOP.",
    "stop_per_email": "Antwoord STOP op deze e-mail.",
    "brief_volgt": "Wij sturen u een brief.",
    "telefoon_volgt": "Daarna bellen wij u.",
    "huisbezoek_volgt": "Daarna komen wij bij u langs.",
    "automatisch": "Wij regelen het voor u.",
    "zelfhulp": "U kunt het zelf regelen.",
}


def account_without(predicate: str) -> OfferAccount:
    """An account that does not allow the claims under ``predicate``."""
    base = make_account(
        gegevens=(*make_account().gegevens, INCOME),
        vervolg=(NextStep(TODAY + timedelta(days=7), Kanaal.SMS),),
    )
    assert all(not PREDICATES[p](base) for p in CLAIM_EXAMPLES), "base allows a claim"
    return base


@pytest.mark.parametrize("index", range(len(load_check_config().beweringen)))
def test_every_claim_rule_refuses_an_example(index: int) -> None:
    claim = load_check_config().beweringen[index]
    example = CLAIM_EXAMPLES.get(claim.alleen_als, "")
    if claim.alleen_als == "nooit":
        example = next(
            e
            for e in (
                "Er komt geen aantekening in uw dossier.",
                "Stoppen kan niet.",
                "Wij bellen u over een week.",
            )
            if re.search(claim.patroon, e.lower())
        )
    assert re.search(claim.patroon, example.lower()), (claim.patroon, example)
    account = account_without(claim.alleen_als)
    found = [p for p in check_message(example, account) if p.regel == "bewering"]
    assert any(p.zin and p.zin in example for p in found), (claim.patroon, found)


@pytest.mark.parametrize(
    ("predicate", "account"),
    [
        ("een_bron", make_account()),
        ("geen_vervolg", make_account(vervolg=())),
        ("eigenaar", variants()["eigenaar"]),
        ("stop_per_sms", variants()["stop_antwoord"]),
        ("stop_per_email", variants()["stop_antwoord"]),
        ("brief_volgt", make_account()),
        ("telefoon_volgt", make_account()),
        (
            "huisbezoek_volgt",
            make_account(vervolg=(NextStep(TODAY + timedelta(days=3), Kanaal.HUISBEZOEK),)),
        ),
        ("automatisch", variants()["regelingen"]),
        ("zelfhulp", variants()["regelingen"]),
    ],
)
def test_a_claim_the_account_bears_out_is_allowed(predicate: str, account: OfferAccount) -> None:
    example = CLAIM_EXAMPLES[predicate]
    assert [p for p in check_message(example, account) if p.regel == "bewering"] == []


@pytest.mark.parametrize(
    ("text", "regel"),
    [
        ("U heeft problemen met geld.", "woordkeuze"),
        ("De deurwaarder komt.", "woordkeuze"),
        ("Dit is verplicht.", "woordkeuze"),
        ("Anders volgt een boete.", "woordkeuze"),
        ("Wij bellen u op 3 maart 2027.", "feit"),
        ("U krijgt € 99,00 per jaar.", "feit"),
        ("Wij bewaren dit 30 dagen.", "feit"),
        ("Dit bericht komt van uw energieleverancier.", "bewering"),
    ],
)
def test_the_checker_refuses_words_and_facts_the_account_does_not_have(
    text: str, regel: str
) -> None:
    assert regel in rules(check_message(text, make_account()))


def test_subject_sms_and_readability_rules_still_hold() -> None:
    account = make_account()
    assert "onderwerp" in rules(check_message("x", account, onderwerp="Uw betalingsachterstand"))
    long_sms = "Gemeente Voorbeeld: vrijwillig. Geen berichten meer? Bel 14 0000. " + "a" * 300
    assert "sms" in rules(check_message(long_sms, account, kanaal="sms"))
    link = "Gemeente Voorbeeld: vrijwillig. Zie https://example.org"
    assert "sms" in rules(check_message(link, account, kanaal="sms"))
    officialese = (
        "Overeenkomstig de toepasselijke wettelijke bepalingen inzake gemeentelijke "
        "schuldhulpverleningsvoorzieningen informeren wij u hierbij omtrent de "
        "mogelijkheden tot ondersteuning ingevolge de betreffende regelgeving."
    )
    assert "leesbaarheid" in rules(check_message(officialese, account))


def test_sentences_split_on_ends_and_lines() -> None:
    assert sentences("Een. Twee?\n- Drie") == ["Een.", "Twee?", "Drie"]


def test_the_account_survives_json() -> None:
    account = variants()["regelingen"]
    assert OfferAccount.from_json(account.as_json()) == account
    owned = dataclasses.replace(account, contact=variants()["eigenaar"].contact)
    assert OfferAccount.from_json(owned.as_json()) == owned


# each element: a change to a true letter that takes exactly that element away
ELEMENT_MUTATIONS: dict[str, Any] = {
    "afzender": lambda t: t.replace("Gemeente Voorbeeld", "de gemeente"),
    "kenmerk": lambda t: t.replace("zaak7-stap1-0a1b2c3d", "ons kenmerk"),
    "echtheid": lambda t: re.sub(r"Twijfelt u[^\n]*", "", t),
    "waarom": lambda t: t.replace("een bericht over een rekening die nog openstaat", "iets"),
    "welke_gegevens": lambda t: t.replace("uw inkomen", "iets"),
    "grondslag": lambda t: t.replace("(Wgs, artikel 3a)", ""),
    "regelingen": lambda t: t.replace("Uw toetsingsinkomen 18.000 euro is niet hoger", "Het is"),
    "zelfhulp": lambda t: t.replace("Mijn toeslagen, op de website van de Dienst Toeslagen", "X"),
    "automatisch": lambda t: t.replace("bij het Inlichtingenbureau", "bij ons"),
    "vrijwillig": lambda t: t.replace("Dit is vrijwillig. U hoeft niet te reageren.", ""),
    "niets_doen": lambda t: t.replace("Als u niets doet, ", "Misschien "),
    "nee_zeggen": lambda t: t.replace(" nee", " het"),
    "bewaren": lambda t: t.replace("183 dagen", "een half jaar"),
    "contact": lambda t: t.replace("14 0000", "ons"),
    "stoppen": lambda t: t.replace("geen berichten meer", "niets meer"),
}


def test_every_element_has_a_refused_example() -> None:
    assert set(ELEMENT_MUTATIONS) == set(load_check_config().elementen["brief"])
    account = variants()["regelingen"]
    text = letter_text(account)
    assert check_message(text, account) == []
    for element, mutation in ELEMENT_MUTATIONS.items():
        mutated = mutation(text)
        assert mutated != text, element
        found = [p.uitleg for p in check_message(mutated, account) if p.regel == "element"]
        assert any(f"({element})" in u for u in found), (element, found)


def test_a_letter_with_a_code_names_the_web_address_when_it_is_set(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PROACTIEF_WEB_ADRES: every letter and e-mail with a code names the resident's page
    (issue 15 item 10); without it they say 'uw eigen pagina op de website'."""
    from dataclasses import replace

    from proactief.cli.common import afzender_of
    from proactief.settings import Settings

    monkeypatch.setenv("PROACTIEF_WEB_ADRES", "https://geldzorgen.voorbeeld.nl/")
    afzender = afzender_of(Settings())
    assert afzender.afmelden == "https://geldzorgen.voorbeeld.nl/inwoner"
    base = make_account()
    account = replace(base, stoppen=replace(base.stoppen, web=afzender.afmelden))
    rendered = render_messages(account, toon="neutraal", code="ABCD-EFGH-JKLM")
    for kanaal in ("brief", "email_tekst"):
        text = " ".join(plain_text(kanaal, rendered[kanaal].inhoud).split())
        assert (
            "Uw code is ABCD-EFGH-JKLM. Vul de code in op https://geldzorgen.voorbeeld.nl/inwoner."
        ) in text
        assert problems_of(kanaal, rendered[kanaal].inhoud, account) == [], kanaal
    monkeypatch.delenv("PROACTIEF_WEB_ADRES")
    assert afzender_of(Settings()).afmelden == "uw eigen pagina op de website van de gemeente"
