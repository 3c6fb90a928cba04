"""Every validation rule of the intake, each with a failing example."""

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY, signal
from proactief.domain import Signaalpartner, Vroegsignaal
from proactief.early_detection.validation import FieldError, validate_record


def errors_of(record: dict[str, Any], *, text: bool = False) -> dict[str, FieldError]:
    outcome = validate_record(record, today=TODAY, text_values=text)
    assert isinstance(outcome, list), "expected the record to be rejected"
    return {e.field: e for e in outcome}


def test_valid_record_becomes_a_signal() -> None:
    outcome = validate_record(signal(), today=TODAY)
    assert isinstance(outcome, Vroegsignaal)
    assert outcome.signaalpartner is Signaalpartner.ZORG
    assert outcome.bedrag == 250
    assert outcome.days_in_arrears == 45


ADDRESS = {
    "geslachtsaanduiding": "Vrouw",
    "geboortedatum": "1980-05-01",
    "postcode": "3511 ab",
    "huisnummer": "12",
}


def test_address_identification_is_accepted_and_normalised() -> None:
    outcome = validate_record(signal(client=dict(ADDRESS)), today=TODAY)
    assert isinstance(outcome, Vroegsignaal)
    assert outcome.client.adres is not None
    assert outcome.client.adres.postcode == "3511AB"
    assert outcome.client.bsn is None


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"ID": ""}, "ID", "ontbreekt"),
        ({"ID": "x" * 201}, "ID", "langer"),
        (
            {"client": {"burgerservicenummer": "111222334"}},
            "client.burgerservicenummer",
            "elfproef",
        ),
        ({"client": {"burgerservicenummer": "11122233"}}, "client.burgerservicenummer", "elfproef"),
        (
            {"client": {"burgerservicenummer": "000000000"}},
            "client.burgerservicenummer",
            "elfproef",
        ),
        ({"client": {"postcode": "3511AB"}}, "client", "geen BSN"),
        ({"client": "111222333"}, "client", "ontbreken"),
        ({"client": {**ADDRESS, "postcode": "0123 AB"}}, "client.postcode", "postcode"),
        ({"client": {**ADDRESS, "postcode": "1234 SS"}}, "client.postcode", "postcode"),
        ({"client": {**ADDRESS, "postcode": "12345"}}, "client.postcode", "postcode"),
        ({"client": {**ADDRESS, "huisnummer": "12a"}}, "client.huisnummer", "huisnummer"),
        ({"client": {**ADDRESS, "geslachtsaanduiding": "X"}}, "client.geslachtsaanduiding", "Man"),
        (
            {"client": {**ADDRESS, "geboortedatum": "2030-01-01"}},
            "client.geboortedatum",
            "toekomst",
        ),
        ({"client": {**ADDRESS, "geboortedatum": "1980-02-30"}}, "client.geboortedatum", "geldige"),
        ({"bedrag": -5}, "bedrag", "negatief"),
        ({"bedrag": 12.5}, "bedrag", "heel getal"),
        ({"bedrag": "120"}, "bedrag", "heel getal"),
        ({"bedrag": True}, "bedrag", "ontbreekt"),
        ({"bedrag": None}, "bedrag", "ontbreekt"),
        ({"signaalpartner": {"type": "Telecom"}}, "signaalpartner.type", "DDAS"),
        ({"signaalpartner": "Zorg"}, "signaalpartner.type", "DDAS"),
        ({"signaaldatum": "2026-07-01"}, "signaaldatum", "toekomst"),
        ({"signaaldatum": "2026-02-28"}, "signaaldatum", "ontstaansdatum"),
        ({"signaaldatum": "15-04-2026"}, "signaaldatum", "geldige"),
        ({"signaaldatum": 20260415}, "signaaldatum", "JJJJ-MM-DD"),
        ({"ontstaansdatum": None}, "ontstaansdatum", "ontbreekt"),
        ({"crisissignaal": "ja"}, "crisissignaal", "ja/nee"),
        ({"warmeOverdracht": 1}, "warmeOverdracht", "ja/nee"),
    ],
)
def test_each_rule_rejects_its_failing_example(
    overrides: dict[str, Any], field: str, words: str
) -> None:
    found = errors_of(signal(**overrides))
    assert field in found, f"expected an error on {field}, got {list(found)}"
    assert words in found[field].nl
    assert found[field].en  # an English reason as well


def test_all_problems_of_a_record_are_reported_together() -> None:
    found = errors_of(signal(bedrag=-1, signaalpartner={"type": "?"}))
    assert {"bedrag", "signaalpartner.type"} <= set(found)


def test_csv_text_values_are_converted() -> None:
    outcome = validate_record(
        signal(bedrag="120", crisissignaal="ja", warmeOverdracht="nee"),
        today=TODAY,
        text_values=True,
    )
    assert isinstance(outcome, Vroegsignaal)
    assert (outcome.bedrag, outcome.crisissignaal, outcome.warme_overdracht) == (120, True, False)


@pytest.mark.parametrize("bedrag", ["12,50", "12.50", "€12", "-3"])
def test_csv_amount_must_be_whole_non_negative_euros(bedrag: str) -> None:
    assert "bedrag" in errors_of(signal(bedrag=bedrag), text=True)


def test_bsn_with_address_keeps_only_the_bsn() -> None:
    """DDAS data minimisation: with a BSN nothing else is kept."""
    outcome = validate_record(
        signal(client={"burgerservicenummer": "111222333", **ADDRESS}), today=TODAY
    )
    assert isinstance(outcome, Vroegsignaal)
    assert outcome.client.adres is None and outcome.client.geboortedatum is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "ID",
                "bedrag",
                "client",
                "signaalpartner",
                "ontstaansdatum",
                "signaaldatum",
                "crisissignaal",
                "warmeOverdracht",
            ]
        ),
        json_values,
    ),
    st.booleans(),
)
def test_any_input_gives_a_signal_or_reasons_never_a_crash(
    data: dict[str, Any], text: bool
) -> None:
    outcome = validate_record(data, today=date(2026, 1, 1), text_values=text)
    assert isinstance(outcome, Vroegsignaal) or (
        outcome and all(isinstance(e, FieldError) and e.nl and e.en for e in outcome)
    )


def test_implausible_dates_are_refused_with_the_reason_from_the_policy_file() -> None:
    """Issue 13, item 9: year 0001 and a birth year 1026 passed; the bounds and their
    reasons live in config/inname.yaml."""
    from conftest import TODAY, signal
    from proactief.early_detection.validation import date_bounds, validate_record

    bounds = date_bounds().datums
    old = validate_record(signal(ontstaansdatum="0001-01-01"), today=TODAY)
    assert isinstance(old, list) and old[0].field == "ontstaansdatum"
    assert bounds.ontstaansdatum_hoogstens_jaren_terug.reden in old[0].nl
    born = validate_record(
        signal(
            client={
                "geslachtsaanduiding": "Vrouw",
                "geboortedatum": "1026-05-01",
                "postcode": "1234AB",
                "huisnummer": "1",
            }
        ),
        today=TODAY,
    )
    assert isinstance(born, list) and bounds.vroegste_geboortedatum.reden in born[0].nl
    recent = validate_record(signal(ontstaansdatum=f"{TODAY.year - 15}-01-01"), today=TODAY)
    assert not isinstance(recent, list)
