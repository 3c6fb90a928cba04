"""The outreach-strategy simulator (issue 18, item 3): a stochastic model of signals ->
attempts -> reach -> acceptance -> help -> money, calibrated to the national figures
(Divosa Monitor 2023, data/outreach_evidence.yaml), that compares strategies before a
municipality tries them on its residents.

The model, per signal: a segment (segments.yaml shares), whether the resident stated a
channel, answered the questionnaire, agreed to e-mail and SMS (Wmebv), has a contact
moment coming, and misses money. Each attempt of a kind reaches a resident not reached
yet with a chance solved from the national channel-mix figures (config/simulatie.yaml
``referentieladders``), moved per segment by the study's preferred and avoided ways; a
reached resident accepts help with the national 35%, moved per segment by the study's
attitude figures; each attempt costs staff minutes. The strategies run on the same
residents and the same random draws (common random numbers), so their differences are
the strategies', not the dice's. Everything is vectorised (numpy): one step of a ladder is
a handful of array operations over all signals.

Assumptions are marked [A] in config/simulatie.yaml; ``calibration`` says how close the
national mix comes to the national figures, and ``own_history`` how the municipality's
own attempts compare with the national per-attempt reach.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from proactief.config import load_policy, policy_path
from proactief.domain import Contactsoort, Doel
from proactief.trust.access import PersonalDataAccess

__all__ = [
    "CHANNELS",
    "Calibration",
    "OwnHistory",
    "SimulationConfig",
    "StrategyResult",
    "calibrate",
    "load_simulation_config",
    "own_history",
    "simulate",
]

Channel = Literal["brief", "email", "sms", "telefoon", "huisbezoek", "contactmoment"]
CHANNELS: tuple[str, ...] = ("brief", "email", "sms", "telefoon", "huisbezoek", "contactmoment")
_IDX = {c: i for i, c in enumerate(CHANNELS)}
_WRITTEN = {"brief", "email", "sms"}
_MIX = ("written_contact_only", "at_least_one_phone_attempt", "at_least_one_home_visit")
_EVIDENCE = Path(__file__).resolve().parents[1] / "data" / "outreach_evidence.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Segment(_Strict):
    aandeel: float = Field(gt=0, le=1)
    positief_pct: float = Field(gt=0, le=100)
    kanaal: dict[Channel, float] = {}


class _Money(_Strict):
    aandeel_met_recht: float = Field(ge=0, le=1)
    bedrag_per_jaar: float = Field(ge=0)
    aandeel_aangevraagd_na_hulp: float = Field(ge=0, le=1)


class StrategySpec(_Strict):
    ladder: tuple[Channel, ...] = ()
    mix: bool = False
    praktijk: bool = False
    aanpak: bool = False
    eigen_segment: bool = False
    contactmoment: bool = False


class SimulationConfig(_Strict):
    """config/simulatie.yaml."""

    referentieladders: dict[str, tuple[Channel, ...]]
    aandeel_huisbezoek_landelijk: float = Field(ge=0, le=1)
    minuten_per_poging: dict[Channel, float]
    segmenten: dict[str, _Segment]
    voorkeurskanaal: dict[str, Channel]
    aandeel_voorkeur_opgegeven: float = Field(ge=0, le=1)
    aandeel_eigen_antwoorden: float = Field(ge=0, le=1)
    aandeel_wmebv_akkoord: float = Field(ge=0, le=1)
    aandeel_contactmoment: float = Field(ge=0, le=1)
    bereik_bij_contactmoment: float = Field(ge=0, le=1)
    geld: _Money
    strategieen: dict[str, StrategySpec]


@cache
def load_simulation_config() -> SimulationConfig:
    """The shipped or the municipality's simulatie.yaml."""
    return load_policy(policy_path("simulatie.yaml"), SimulationConfig)


@dataclass(frozen=True)
class NationalTargets:
    """The national figures the model is calibrated to (outreach_evidence.yaml)."""

    reach: float
    acceptance: float
    by_mix: dict[str, float]


@cache
def national_targets() -> NationalTargets:
    data = yaml.safe_load(_EVIDENCE.read_text(encoding="utf-8"))["national_figures"]
    return NationalTargets(
        reach=float(data["reached_share_of_signals"]),
        acceptance=float(data["accepted_share_of_reached"]),
        by_mix={k: float(data["reach_by_channel_mix"][k]) for k in _MIX},
    )


@dataclass(frozen=True)
class Model:
    """The solved parameters: per-attempt reach per kind, the national mix's shares, and
    per segment the reach multipliers and the acceptance."""

    per_attempt: dict[str, float]
    mix_shares: tuple[float, float, float]
    reach: np.ndarray
    """[segment, channel] chance that one attempt reaches a resident not reached yet."""
    acceptance: np.ndarray
    """[segment] chance that a reached resident accepts help."""


def solve_model(cfg: SimulationConfig, overrides: dict[str, float] | None = None) -> Model:
    """Per-attempt reach from the reference ladders and the national figures, in order:
    written contact, then phone, then home visit (each ladder adds one new kind); the
    national mix's shares so that it reaches the national share; ``overrides`` replace a
    kind's per-attempt reach (the municipality's own history)."""
    targets = national_targets()
    p: dict[str, float] = {}
    for name in _MIX:
        ladder = cfg.referentieladders[name]
        miss = 1.0
        unknown: list[str] = []
        for step in ladder:
            kind = "brief" if step in _WRITTEN else step
            if kind in p:
                miss *= 1 - p[kind]
            else:
                unknown.append(kind)
        if not unknown:
            continue
        if len(set(unknown)) != 1:
            raise ValueError(f"referentieladders.{name}: adds more than one new kind of attempt")
        rest = (1 - targets.by_mix[name]) / miss
        p[unknown[0]] = 1 - rest ** (1 / len(unknown))
    p["email"] = p["sms"] = p["brief"]
    p["contactmoment"] = cfg.bereik_bij_contactmoment
    p.update(overrides or {})
    # shares of the national mix: the visit share is given, written and phone are solved
    # so that the mix reaches the national share
    r_w, r_t, r_v = (targets.by_mix[k] for k in _MIX)
    visit = cfg.aandeel_huisbezoek_landelijk
    phone = (targets.reach - visit * r_v - (1 - visit) * r_w) / (r_t - r_w)
    if not 0 <= phone <= 1 - visit:
        raise ValueError("the national figures leave no share for the phone mix")
    segs = list(cfg.segmenten.values())
    shares = np.array([s.aandeel for s in segs])
    shares = shares / shares.sum()
    mult = np.ones((len(segs), len(CHANNELS)))
    for i, s in enumerate(segs):
        for ch, m in s.kanaal.items():
            mult[i, _IDX[ch]] = m
    mult = mult / (shares @ mult)  # share-weighted mean 1 per kind
    base = np.array([p[c] for c in CHANNELS])
    reach = np.clip(mult * base, 0, 1)
    positive = np.array([s.positief_pct for s in segs])
    acceptance = np.clip(targets.acceptance * positive / (shares @ positive), 0, 1)
    return Model(p, (1 - visit - phone, phone, visit), reach, acceptance)


def _approach_ladders() -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The safe default's ladder and each segment's, as channel names, read from the
    same aanpak.yaml the approach engine (offers.approach) runs on."""
    data = yaml.safe_load(policy_path("aanpak.yaml").read_text(encoding="utf-8"))
    default = tuple(str(s["kanaal"]) for s in data["veilige_standaard"]["ladder"])
    per_segment = tuple(
        tuple(str(s["kanaal"]) for s in seg["ladder"]) for seg in data["segmenten"].values()
    )
    return default, per_segment


def _ladder(
    spec: StrategySpec,
    cfg: SimulationConfig,
    *,
    seg: int,
    pref: bool,
    answered: bool,
    consent: bool,
    moment: bool,
    mixcat: int,
    approach: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]],
) -> list[str]:
    """One resident's ladder under a strategy (see simulatie.yaml 'strategieen')."""
    base: list[str]
    if spec.mix:
        base = list(cfg.referentieladders[_MIX[mixcat]])
    elif spec.aanpak:
        default, per_segment = approach
        own = spec.eigen_segment and answered and seg < len(per_segment)
        base = list(per_segment[seg] if own else default)
    else:
        base = list(spec.ladder)
    if spec.praktijk:
        return base
    stated: str = list(cfg.voorkeurskanaal.values())[seg]
    ladder: list[str]
    if pref:
        # the resident's own channel first and only (principle 2); e-mail was asked for,
        # so the Wmebv agreement comes with it
        ladder = [stated] * len(base)
    else:
        ladder = [c if c not in ("email", "sms") or consent else "brief" for c in base]
        if all(c in _WRITTEN for c in ladder):
            ladder.append("telefoon")  # never letters alone (principle 13)
    if spec.contactmoment and moment:
        ladder.insert(0, "contactmoment")
    return ladder


@dataclass(frozen=True)
class StrategyResult:
    """One strategy over all replications: means, and the reach's 95% spread."""

    strategy: str
    reach: float
    """Share of signals reached."""
    reach_low: float
    reach_high: float
    acceptance: float
    """Share of the reached who accept help."""
    helped: float
    """Share of signals whose resident accepted help."""
    money_per_year: float
    """Euros a year claimed after help (per run of the simulated signals)."""
    staff_hours: float
    staff_hours_per_reached: float
    reached_per_staff_hour: float
    attempts_per_signal: float
    contacts_against_preference: float
    """Attempts in a channel other than the one the resident stated (mean per run)."""
    praktijk: bool

    def as_json(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "reach": round(self.reach, 4),
            "reach_interval": [round(self.reach_low, 4), round(self.reach_high, 4)],
            "acceptance": round(self.acceptance, 4),
            "helped": round(self.helped, 4),
            "money_per_year": round(self.money_per_year, 2),
            "staff_hours_per_reached": round(self.staff_hours_per_reached, 3),
            "reached_per_staff_hour": round(self.reached_per_staff_hour, 3),
            "attempts_per_signal": round(self.attempts_per_signal, 3),
            "contacts_against_preference": round(self.contacts_against_preference, 2),
            "reference_practice": self.praktijk,
        }


@dataclass
class _Population:
    seg: np.ndarray
    pref: np.ndarray
    answered: np.ndarray
    consent: np.ndarray
    moment: np.ndarray
    mixcat: np.ndarray
    claims: np.ndarray
    u_reach: np.ndarray
    u_accept: np.ndarray


def _population(
    cfg: SimulationConfig, model: Model, n: int, steps: int, rng: np.random.Generator
) -> _Population:
    shares = np.array([s.aandeel for s in cfg.segmenten.values()])
    pref = rng.random(n) < cfg.aandeel_voorkeur_opgegeven
    seg = rng.choice(len(shares), size=n, p=shares / shares.sum())
    stated_email = np.array([c == "email" for c in cfg.voorkeurskanaal.values()])[seg]
    money = cfg.geld
    return _Population(
        seg=seg,
        pref=pref,
        answered=rng.random(n) < cfg.aandeel_eigen_antwoorden,
        consent=(rng.random(n) < cfg.aandeel_wmebv_akkoord) | (pref & stated_email),
        moment=rng.random(n) < cfg.aandeel_contactmoment,
        mixcat=rng.choice(3, size=n, p=np.array(model.mix_shares)),
        claims=(rng.random(n) < money.aandeel_met_recht)
        & (rng.random(n) < money.aandeel_aangevraagd_na_hulp),
        u_reach=rng.random((n, steps)),
        u_accept=rng.random(n),
    )


def _ladder_table(
    spec: StrategySpec,
    cfg: SimulationConfig,
    approach: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]],
    steps: int,
) -> np.ndarray:
    """[combination, step] channel index (-1: no attempt) for every combination of
    segment, preference, answers, agreement, moment and mix category."""
    segments = len(cfg.segmenten)
    table = np.full((segments * 2 * 2 * 2 * 2 * 3, steps), -1, dtype=np.int64)
    for code in range(table.shape[0]):
        rest, mixcat = divmod(code, 3)
        rest, moment = divmod(rest, 2)
        rest, consent = divmod(rest, 2)
        rest, answered = divmod(rest, 2)
        seg, pref = divmod(rest, 2)
        ladder = _ladder(
            spec,
            cfg,
            seg=seg,
            pref=bool(pref),
            answered=bool(answered),
            consent=bool(consent),
            moment=bool(moment),
            mixcat=mixcat,
            approach=approach,
        )
        for step, channel in enumerate(ladder[:steps]):
            table[code, step] = _IDX[channel]
    return table


def _combination(pop: _Population) -> np.ndarray:
    code = pop.seg * 2 + pop.pref
    code = code * 2 + pop.answered
    code = code * 2 + pop.consent
    code = code * 2 + pop.moment
    return np.asarray(code * 3 + pop.mixcat)


@dataclass
class _Tally:
    reached: list[float] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)
    money: list[float] = field(default_factory=list)
    minutes: list[float] = field(default_factory=list)
    attempts: list[float] = field(default_factory=list)
    against: list[float] = field(default_factory=list)
    by_mix: list[np.ndarray] = field(default_factory=list)


def _run(
    table: np.ndarray,
    pop: _Population,
    model: Model,
    cost: np.ndarray,
    stated: np.ndarray,
    amount: float,
    tally: _Tally,
) -> None:
    n = pop.seg.shape[0]
    ladders = table[_combination(pop)]
    reached = np.zeros(n, dtype=bool)
    minutes = 0.0
    attempts = 0
    against = 0
    for step in range(ladders.shape[1]):
        channel = ladders[:, step]
        active = (channel >= 0) & ~reached
        if not active.any():
            break
        safe = np.where(channel >= 0, channel, 0)
        minutes += float(cost[safe][active].sum())
        attempts += int(active.sum())
        # a contact moment happens anyway: bringing the offer up there is no outreach
        outreach = channel != _IDX["contactmoment"]
        against += int((active & outreach & pop.pref & (channel != stated[pop.seg])).sum())
        chance = model.reach[pop.seg, safe]
        reached |= active & (pop.u_reach[:, step] < chance)
    accepted = reached & (pop.u_accept < model.acceptance[pop.seg])
    tally.reached.append(float(reached.sum()))
    tally.accepted.append(float(accepted.sum()))
    tally.money.append(float((accepted & pop.claims).sum()) * amount)
    tally.minutes.append(minutes)
    tally.attempts.append(float(attempts))
    tally.against.append(float(against))
    per_mix = [reached[pop.mixcat == k] for k in range(3)]
    tally.by_mix.append(np.array([r.mean() if r.size else 0.0 for r in per_mix]))


def simulate(
    *,
    signals: int = 100_000,
    replications: int = 20,
    seed: int = 2026,
    cfg: SimulationConfig | None = None,
    overrides: dict[str, float] | None = None,
    strategies: Sequence[str] | None = None,
) -> tuple[list[StrategyResult], "Calibration"]:
    """Every strategy on ``signals`` simulated signals, ``replications`` times (seeded);
    the results per strategy and how the national mix fits the national figures."""
    cfg = cfg or load_simulation_config()
    model = solve_model(cfg, overrides)
    approach = _approach_ladders()
    names = list(strategies or cfg.strategieen)
    steps = 1 + max(
        len(
            _ladder(
                cfg.strategieen[name],
                cfg,
                seg=seg,
                pref=False,
                answered=True,
                consent=True,
                moment=True,
                mixcat=mixcat,
                approach=approach,
            )
        )
        for name in names
        for seg in range(len(cfg.segmenten))
        for mixcat in range(3)
    )
    tables = {name: _ladder_table(cfg.strategieen[name], cfg, approach, steps) for name in names}
    cost = np.array([cfg.minuten_per_poging.get(c, 0.0) for c in CHANNELS])  # type: ignore[call-overload]
    stated = np.array([_IDX[c] for c in cfg.voorkeurskanaal.values()])
    tallies = {name: _Tally() for name in names}
    rng = np.random.default_rng(seed)
    for _ in range(replications):
        pop = _population(cfg, model, signals, steps, rng)
        for name in names:
            _run(tables[name], pop, model, cost, stated, cfg.geld.bedrag_per_jaar, tallies[name])
    results = []
    for name in names:
        t = tallies[name]
        reach = np.array(t.reached) / signals
        reached = float(np.mean(t.reached))
        hours = float(np.mean(t.minutes)) / 60
        results.append(
            StrategyResult(
                strategy=name,
                reach=float(reach.mean()),
                reach_low=float(np.percentile(reach, 2.5)),
                reach_high=float(np.percentile(reach, 97.5)),
                acceptance=float(np.mean(t.accepted)) / reached if reached else 0.0,
                helped=float(np.mean(t.accepted)) / signals,
                money_per_year=float(np.mean(t.money)),
                staff_hours=hours,
                staff_hours_per_reached=hours / reached if reached else float("inf"),
                reached_per_staff_hour=reached / hours if hours else 0.0,
                attempts_per_signal=float(np.mean(t.attempts)) / signals,
                contacts_against_preference=float(np.mean(t.against)),
                praktijk=cfg.strategieen[name].praktijk,
            )
        )
    mix = tallies.get("national_mix")
    by_mix = np.mean(mix.by_mix, axis=0) if mix and mix.by_mix else None
    national = next((r for r in results if r.strategy == "national_mix"), None)
    return results, calibrate(model, national, by_mix)


@dataclass(frozen=True)
class Calibration:
    """How the national mix compares with the national figures (simulated - national)."""

    rows: tuple[tuple[str, float, float], ...]
    """(figure, national, simulated)."""
    per_attempt: dict[str, float]
    mix_shares: tuple[float, float, float]

    @property
    def largest_gap(self) -> float:
        return max((abs(sim - nat) for _, nat, sim in self.rows), default=0.0)


def calibrate(
    model: Model, national: StrategyResult | None, by_mix: np.ndarray | None
) -> Calibration:
    """The national mix's reach and acceptance, and each channel mix's reach, against
    the national figures."""
    targets = national_targets()
    rows: list[tuple[str, float, float]] = []
    if national is not None:
        rows.append(("reached_share_of_signals", targets.reach, national.reach))
        rows.append(("accepted_share_of_reached", targets.acceptance, national.acceptance))
    if by_mix is not None:
        rows.extend((name, targets.by_mix[name], float(by_mix[k])) for k, name in enumerate(_MIX))
    return Calibration(tuple(rows), dict(model.per_attempt), model.mix_shares)


@dataclass(frozen=True)
class OwnHistory:
    """The municipality's own attempts per kind against the national per-attempt reach."""

    rows: tuple[tuple[str, int, float, float], ...]
    """(kind, attempts, own reach per attempt, national reach per attempt)."""
    minimum: int

    def overrides(self) -> dict[str, float]:
        """The kinds with enough attempts, at their own reach per attempt."""
        return {kind: own for kind, n, own, _ in self.rows if n >= self.minimum}


_KIND = {
    Contactsoort.BRIEF.value: "brief",
    Contactsoort.KAARTJE.value: "brief",
    Contactsoort.MAIL.value: "email",
    Contactsoort.SMS_WHATSAPP.value: "sms",
    Contactsoort.TELEFOON.value: "telefoon",
    Contactsoort.HUISBEZOEK.value: "huisbezoek",
}


@dataclass(frozen=True, slots=True)
class _Attempt:
    soort: str
    bereikt: bool


def own_history(
    conn: Connection, *, actor: str, minimum: int = 200, cfg: SimulationConfig | None = None
) -> OwnHistory:
    """The stored contact attempts per kind (evaluation purpose, audited): how often one
    attempt reached the resident, beside the national per-attempt reach; a kind with at
    least ``minimum`` attempts can replace the national figure."""
    national = solve_model(cfg or load_simulation_config()).per_attempt
    counts: dict[str, list[int]] = {}
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    for attempt in access.read(_Attempt, "contact_attempts"):
        kind = _KIND.get(attempt.soort)
        if kind is None:
            continue
        seen = counts.setdefault(kind, [0, 0])
        seen[0] += 1
        seen[1] += int(attempt.bereikt)
    rows = tuple(
        (kind, n, hit / n, national[kind]) for kind, (n, hit) in sorted(counts.items()) if n
    )
    return OwnHistory(rows, minimum)
