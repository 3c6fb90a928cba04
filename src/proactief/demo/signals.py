"""Synthetic vroegsignalen at the national rates, written as real intake files."""

import csv
import json
import random
from collections import deque
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from proactief.demo.config import DemoMunicipality
from proactief.demo.population import SyntheticPerson
from proactief.domain.json import JsonObject

_PREFIX = {
    "Zorg": "ZV",
    "Energie": "EN",
    "Huur": "WC",
    "Water": "WB",
    "CAK Zorgverzekeringen": "CZ",
    "CAK Eigen bijdrage": "CE",
    "Belastingdienst": "BD",
    "Dienst Toeslagen": "DT",
    "Overige": "OV",
}


def generate_signals(
    *,
    persons: Sequence[SyntheticPerson],
    config: DemoMunicipality,
    start: date,
    end: date,
    rng: random.Random,
) -> list[JsonObject]:
    """DDAS-shaped signal records for ``start``..``end`` (a few deliberately invalid)."""
    cfg = config.signals
    adults = [p for p in persons if p.adult]
    # People on a low income are more often behind on fixed costs.
    # cumulated once: `choices(weights=...)` would cumulate them again for every signal
    cum_weights = list(accumulate(4.0 if p.low_income else 1.0 for p in adults))
    days = (end - start).days + 1
    expected = cfg.per_1000_residents_per_month * len(persons) / 1000 * days * 12 / 365
    count = max(1, round(expected))
    partners = list(cfg.partner_shares)
    partner_weights = [cfg.partner_shares[p] for p in partners]
    lo_days, hi_days = cfg.arrears_days
    sent_dates = sorted(start + timedelta(days=rng.randrange(days)) for _ in range(count))
    recent: deque[tuple[date, SyntheticPerson]] = deque()  # the last 60 days, oldest first
    records: list[JsonObject] = []
    for seq, when in enumerate(sent_dates, start=1):
        while recent and (when - recent[0][0]).days > 60:
            recent.popleft()
        if recent and rng.random() < cfg.repeat_share:
            person = rng.choice(recent)[1]
        else:
            person = rng.choices(adults, cum_weights=cum_weights)[0]
        recent.append((when, person))
        partner = rng.choices(partners, weights=partner_weights)[0]
        amount = int(rng.lognormvariate(0, cfg.amount_spread) * cfg.amount_median[partner])
        arisen = when - timedelta(days=rng.randint(lo_days, hi_days))
        if rng.random() < cfg.address_identification_share:
            client: JsonObject = {
                "geslachtsaanduiding": person.geslacht.value,
                "geboortedatum": person.geboortedatum.isoformat(),
                "postcode": person.postcode,
                "huisnummer": person.huisnummer,
            }
        else:
            client = {"burgerservicenummer": person.bsn}
        record: JsonObject = {
            "ID": f"{_PREFIX[partner]}-{when.year}-{seq:07d}",
            "crisissignaal": partner in ("Huur", "Energie") and rng.random() < cfg.crisis_share * 3,
            "warmeOverdracht": rng.random() < cfg.warme_overdracht_share,
            "bedrag": amount,
            "ontstaansdatum": arisen.isoformat(),
            "signaaldatum": when.isoformat(),
            "signaalpartner": {"type": partner},
            "client": client,
        }
        if rng.random() < cfg.invalid_share:
            _spoil(record, rng)
        records.append(record)
    return records


def _spoil(record: JsonObject, rng: random.Random) -> None:
    """Make one typical delivery mistake, so the demo shows the quarantine."""
    mistake = rng.randrange(5)
    if mistake == 0:
        record["client"] = {"burgerservicenummer": "123456789"}  # fails the elfproef
    elif mistake == 1:
        record["bedrag"] = -abs(record["bedrag"])
    elif mistake == 2:
        record["signaalpartner"] = {"type": "Telecom"}
    elif mistake == 3:
        record["ontstaansdatum"], record["signaaldatum"] = (
            record["signaaldatum"],
            record["ontstaansdatum"],
        )
    else:
        record["client"] = {
            "geslachtsaanduiding": "Vrouw",
            "geboortedatum": "1980-02-30",
            "postcode": "0123 XY",
            "huisnummer": "12",
        }


def write_ddas_json(records: Sequence[JsonObject], path: Path, *, gemeentecode: str) -> None:
    """Write signals as a DDAS v1.2 shaped file (one levering)."""
    dates = sorted(r["signaaldatum"] for r in records) or [date.today().isoformat()]
    document = {
        "startdatumLevering": dates[0],
        "einddatumLevering": dates[-1],
        "aanleverdatumEnTijd": f"{dates[-1]}T12:00:00Z",
        "codeGegevensleverancier": "DEMO",
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": gemeentecode,
                "aanleverendeOrganisatie": {"naam": "Signaalpartners (demo)"},
                "vroegsignalen": list(records),
            }
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def write_creditor_csv(records: Sequence[JsonObject], path: Path) -> None:
    """Write signals in the creditor CSV format (``;``-separated, as Dutch Excel does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "signaal_id",
                "signaalpartner",
                "bsn",
                "geslacht",
                "geboortedatum",
                "postcode",
                "huisnummer",
                "bedrag",
                "ontstaansdatum",
                "signaaldatum",
                "crisissignaal",
                "warme_overdracht",
            ]
        )
        for r in records:
            c = r["client"]
            writer.writerow(
                [
                    r["ID"],
                    r["signaalpartner"]["type"],
                    c.get("burgerservicenummer", ""),
                    c.get("geslachtsaanduiding", ""),
                    c.get("geboortedatum", ""),
                    c.get("postcode", ""),
                    c.get("huisnummer", ""),
                    r["bedrag"],
                    r["ontstaansdatum"],
                    r["signaaldatum"],
                    "ja" if r["crisissignaal"] else "nee",
                    "ja" if r["warmeOverdracht"] else "nee",
                ]
            )
