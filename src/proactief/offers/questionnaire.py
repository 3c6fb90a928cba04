"""The resident's own questionnaire answers: segment probabilities for the approach,
kept only with consent (PRODUCT.md principle 12: segments are never inferred from
administrative data, and never a label).

The segmentation package is imported inside the functions that compute: it pulls in
scikit-learn, which commands that only read the stored probabilities can do without.

Only the probabilities are stored, not the answers. Withdrawing the consent deletes them
in the same transaction; from then on the safe default applies again.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from proactief.config import load_policy, policy_path
from proactief.domain import Doel, EventSoort, PreferenceState, Wijze
from proactief.offers import repository as repo
from proactief.offers.approach import SegmentProbabilities
from proactief.trust.audit import append_audit
from proactief.trust.consent import current_state, record_event

__all__ = [
    "AnswerError",
    "ConsentRequiredError",
    "load_questionnaire",
    "own_segment",
    "questions",
    "record_answers",
    "withdraw_answers",
]


class ConsentRequiredError(PermissionError):
    """The person did not agree to use their answers."""


class AnswerError(ValueError):
    """An answer that is not one of the questions, or not on the 1-5 scale."""


class QuestionnaireConfig(BaseModel):
    """config/vragenlijst.yaml: the short questionnaire."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    naam: str
    toestemming: str = Field(min_length=1)
    """The consent (gegevens) under which the segment probabilities are kept."""
    eens_vanaf: int = Field(ge=1, le=5)
    items: tuple[str, ...] = Field(min_length=1)
    stam: str = Field(min_length=1)
    """Put before a statement that starts with 'Dat ...' (a wish, not a full sentence)."""


@cache
def load_questionnaire() -> QuestionnaireConfig:
    """config/vragenlijst.yaml (or the municipality's own), checked."""
    return load_policy(policy_path("vragenlijst.yaml"), QuestionnaireConfig)


def questions() -> list[tuple[str, str]]:
    """(item id, statement in Dutch) of the short questionnaire, in order; a statement
    that is a wish ('Dat mijn gegevens veilig blijven ...') gets the stem in front, so
    every item reads as a whole sentence to agree or disagree with."""
    from proactief.segmentation.instrument import hu_instrument

    cfg = load_questionnaire()
    inst = hu_instrument()
    out = []
    for item in cfg.items:
        text = inst.statement(item).text_nl
        if text.startswith("Dat "):
            text = f"{cfg.stam} {text[0].lower()}{text[1:]}"
        out.append((item, text))
    return out


def record_answers(
    *,
    conn: Connection,
    person_pseudonym: str,
    answers: Mapping[str, int | None],
    now: datetime | None = None,
    door: str = "inwoner",
) -> SegmentProbabilities:
    """Turn the person's answers (1-5, None = skipped) into segment probabilities and keep
    them; refused without the person's consent."""
    cfg = load_questionnaire()
    if cfg.toestemming not in current_state(conn=conn, person_pseudonym=person_pseudonym).gegevens:
        raise ConsentRequiredError(
            "De inwoner gaf geen toestemming om de antwoorden te gebruiken "
            f"({cfg.toestemming}) / no consent to use the answers"
        )
    items = list(cfg.items)
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise AnswerError(f"onbekende vraag: {', '.join(unknown)}; de vragen zijn {items}")
    row = []
    for item in items:
        value = answers.get(item)
        if value is not None and value not in (1, 2, 3, 4, 5):
            raise AnswerError(f"{item}: antwoord {value!r} ligt niet tussen 1 en 5")
        row.append(np.nan if value is None else float(value))
    from proactief.segmentation.hu_model import posteriors_for_items
    from proactief.segmentation.instrument import hu_instrument

    posteriors = posteriors_for_items([row], items, agree_from=float(cfg.eens_vanaf))[0]
    names = [s.name_nl for s in hu_instrument().segments]
    kansen = {name: round(float(p), 4) for name, p in zip(names, posteriors, strict=True)}
    tijdstip = now or datetime.now(UTC)
    repo.upsert_segment_kansen(
        conn,
        {
            "person_pseudonym": person_pseudonym,
            "kansen": json.dumps(kansen, ensure_ascii=False),
            "vragenlijst": cfg.naam,
            "tijdstip": tijdstip,
        },
    )
    append_audit(
        conn,
        actor=door,
        actie="schrijf",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="segment_kansen",
        subject=person_pseudonym,
        now=tijdstip,
    )
    return SegmentProbabilities(kansen)


def own_segment(
    *, conn: Connection, person_pseudonym: str, state: PreferenceState | None = None
) -> SegmentProbabilities | None:
    """The person's own segment probabilities, if they answered and still consent.
    ``state``: their preferences as the caller just read them (not read again)."""
    if state is None:
        state = current_state(conn=conn, person_pseudonym=person_pseudonym)
    if load_questionnaire().toestemming not in state.gegevens:
        return None
    row = repo.segment_kansen_row(conn, person_pseudonym)
    if row is None:
        return None
    return SegmentProbabilities(json.loads(row.kansen), bron="eigen_antwoorden")


def withdraw_answers(
    *,
    conn: Connection,
    person_pseudonym: str,
    wijze: Wijze = Wijze.WEB,
    door: str = "inwoner",
    now: datetime | None = None,
) -> None:
    """Withdraw the consent and delete the probabilities."""
    record_event(
        conn=conn,
        person_pseudonym=person_pseudonym,
        soort=EventSoort.GEGEVENS_INGETROKKEN,
        waarde=load_questionnaire().toestemming,
        wijze=wijze,
        door=door,
        now=now,
    )
    repo.delete_segment_kansen(conn, person_pseudonym)
