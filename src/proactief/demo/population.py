"""A synthetic population: households with realistic age, type, income and housing."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from proactief.demo.config import DemoEntitlements, DemoMunicipality
from proactief.domain import Geslacht, Huishoudtype, Woonsituatie
from proactief.trust.pseudonyms import Pseudonymizer

_POSTCODE_LETTERS = "ABCDEFGHJKLMNPRTVWXZ"

_Row = dict[str, object]  # one row to store, keyed by column


def synthetic_bsn(rng: random.Random) -> str:
    """A random nine-digit number that passes the elfproef (not a real person's BSN)."""
    while True:
        # eight digits, the first not 0, in one draw (a city's 900,000 residents)
        base = str(rng.randrange(10_000_000, 100_000_000))
        check = sum(int(d) * w for d, w in zip(base, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return base + str(check)


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """A resident as the demo needs it: with BSN for creating signals."""

    bsn: str
    pseudonym: str
    household_id: str
    geslacht: Geslacht
    geboortedatum: date
    postcode: str
    huisnummer: str
    adult: bool
    low_income: bool


class _Weighted:
    """Draws one of the options by weight; the weights cumulated once (the same draws as
    ``rng.choices(names, weights=...)``, without cumulating them for every household)."""

    def __init__(self, options: dict[str, float]) -> None:
        self.names = list(options)
        self.cum_weights = list(accumulate(options[n] for n in self.names))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]


def generate_population(
    *,
    residents: int,
    config: DemoMunicipality,
    pseudonymizer: Pseudonymizer,
    rng: random.Random,
    today: date,
) -> tuple[
    list[dict[str, object]], list[dict[str, object]], list[SyntheticPerson], list[dict[str, object]]
]:
    """Households and residents until ``residents`` persons exist, plus per household the
    inputs of the entitlement rules."""
    types = config.households.types
    shares = {name: t.share for name, t in types.items()}
    draw_kind = _Weighted(shares)
    draw_housing = _Weighted(config.households.housing)
    spread = config.households.income_spread
    low, high = config.postcode_range
    household_rows: list[dict[str, object]] = []
    rule_rows: list[dict[str, object]] = []
    resident_rows: list[dict[str, object]] = []
    persons: list[SyntheticPerson] = []
    used_bsn: set[str] = set()
    index = 0
    while len(persons) < residents:
        index += 1
        kind = draw_kind(rng)
        lo, hi = types[kind].persons
        size = min(rng.randint(lo, hi), residents - len(persons))
        income = int(rng.lognormvariate(0, spread) * types[kind].income_median)
        letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
        postcode = f"{rng.randint(low, high)}{letters}"
        huisnummer = str(rng.randint(1, 250))
        household_id = f"H{index:07d}"
        woon = Woonsituatie(draw_housing(rng)).value
        household_rows.append(
            {
                "household_id": household_id,
                "postcode": postcode,
                "huisnummer": huisnummer,
                "huishoudtype": Huishoudtype(kind).value,
                "woonsituatie": woon,
                "inkomen_per_jaar": income,
                "aantal_personen": size,
            }
        )
        adults = 1 if kind in ("alleenstaand", "eenouder") else 2
        child_ages: list[int] = []
        first_adult_age = 0
        for member in range(size):
            if member < adults:
                age_days = rng.randint(18 * 365, 90 * 365)
            else:
                age_days = rng.randint(0, 17 * 365)
            bsn = synthetic_bsn(rng)
            while bsn in used_bsn:
                bsn = synthetic_bsn(rng)
            used_bsn.add(bsn)
            geslacht = rng.choice((Geslacht.MAN, Geslacht.VROUW))
            born = today - timedelta(days=age_days)
            if member == 0:
                first_adult_age = age_days // 365
            elif member >= adults:
                child_ages.append(age_days // 365)
            pseudonym = pseudonymizer.for_bsn(bsn)
            resident_rows.append(
                {
                    "person_pseudonym": pseudonym,
                    "household_id": household_id,
                    "geslacht": geslacht.value,
                    "geboortedatum": born,
                }
            )
            persons.append(
                SyntheticPerson(
                    bsn=bsn,
                    pseudonym=pseudonym,
                    household_id=household_id,
                    geslacht=geslacht,
                    geboortedatum=born,
                    postcode=postcode,
                    huisnummer=huisnummer,
                    adult=member < adults,
                    low_income=income < types[kind].income_median * 0.7,
                )
            )
        rule_rows.append(
            _rule_inputs(
                rng,
                config.entitlements,
                household_id=household_id,
                income=income,
                woon=woon,
                size=size,
                adults=min(adults, size),
                first_adult_age=first_adult_age,
                child_ages=child_ages,
            )
        )
    return household_rows, resident_rows, persons, rule_rows


def _rule_inputs(
    rng: random.Random,
    cfg: DemoEntitlements,
    *,
    household_id: str,
    income: int,
    woon: str,
    size: int,
    adults: int,
    first_adult_age: int,
    child_ages: list[int],
) -> dict[str, object]:
    """The inputs of the entitlement rules for one synthetic household."""
    huur = woon != "koop"
    lo, hi = cfg.kale_huur["sociale huur" if woon == "sociale huur" else "particuliere huur"]
    net_share = next(s for limit, s in cfg.netto_aandeel if income < limit)
    return {
        "household_id": household_id,
        "toetsingsinkomen": income,
        "toeslagpartner": adults >= 2,
        "vermogen": round(rng.lognormvariate(cfg.vermogen_mu, cfg.vermogen_sigma)),
        "leeftijd_aanvrager": first_adult_age,
        "kinderen_0_11": sum(1 for a in child_ages if a <= 11),
        "kinderen_12_15": sum(1 for a in child_ages if 12 <= a <= 15),
        "kinderen_16_17": sum(1 for a in child_ages if a >= 16),
        "huurwoning": huur,
        "kale_huur": round(rng.uniform(lo, hi), 2) if huur else None,
        "netto_inkomen_maand": round(income * net_share / 12, 2),
        "auto_waarde": round(rng.uniform(*cfg.auto_waarde)) if rng.random() < cfg.auto_kans else 0,
        "aanslag_gemeentelijke_belastingen": cfg.aanslag_basis + cfg.aanslag_per_persoon * size,
        "aantal_volwassenen": adults,
        "jaren_laag_inkomen": rng.randint(0, 6),
    }
