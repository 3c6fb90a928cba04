"""Sixteen ways of tampering with the audit log (issue 13, item 5), on SQLite and
PostgreSQL: each is detected by the chain, the anchors outside the database or the check
of opt-outs, except the two that docs/trust.md names as not detected, whose tests show
exactly that."""

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update

from conftest import choose
from proactief.domain import EventSoort
from proactief.storage.tables import audit_log, preference_events
from proactief.trust.anchor import anchor_key, check_audit, write_anchor
from proactief.trust.audit import GENESIS, append_audit

KEY = anchor_key(b"p" * 32)
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _read(conn: Any, actor: str, subject: str, now: datetime | None = None) -> None:
    """An audited read of cases, as a contact worker's page makes one."""
    append_audit(
        conn,
        actor=actor,
        actie="lees",
        doel="vroegsignalering",
        gegevens="cases",
        subject=subject,
        now=now,
    )


def _history(engine: Engine, anchor: Path) -> None:
    """520 audited reads around one opt-out, anchored after the run."""
    with engine.begin() as conn:
        for n in range(260):
            _read(conn, "medewerker:a", f"p{n % 7}", now=T0)
        choose(conn, EventSoort.NIET_BENADEREN, T0 + timedelta(hours=1), person="p-uit")
        for n in range(259):
            _read(conn, "medewerker:b", f"p{n % 5}", now=T0 + timedelta(hours=2))
        write_anchor(conn, anchor, KEY, now=T0 + timedelta(hours=3))


def _rehash(conn: Any) -> None:
    """Recompute every hash so the chain is whole again (what someone with write access
    to the database can do)."""
    from proactief.trust.audit import _digest, _entry_of

    previous = GENESIS
    for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).all():
        digest = _digest(previous, _entry_of(row))
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == row.id)
            .values(vorige_hash=previous, hash=digest)
        )
        previous = digest


def _last(conn: Any) -> int:
    return int(conn.execute(select(func.max(audit_log.c.id))).scalar_one())


def change_actor(conn: Any, _a: Path) -> None:
    conn.execute(update(audit_log).where(audit_log.c.id == 3).values(actor="iemand-anders"))


def change_details(conn: Any, _a: Path) -> None:
    conn.execute(update(audit_log).where(audit_log.c.id == 10).values(details='{"x": 1}'))


def change_time(conn: Any, _a: Path) -> None:
    conn.execute(
        update(audit_log).where(audit_log.c.id == 2).values(tijdstip=T0 - timedelta(days=9))
    )


def delete_middle(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log).where(audit_log.c.id == 100))


def delete_first(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log).where(audit_log.c.id == 1))


def delete_last(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log).where(audit_log.c.id == _last(conn)))


def delete_last_500(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log).where(audit_log.c.id > _last(conn) - 500))


def delete_all(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log))


def rehash_after_change(conn: Any, _a: Path) -> None:
    conn.execute(update(audit_log).where(audit_log.c.id == 5).values(subject="p-ander"))
    _rehash(conn)


def rehash_after_delete_and_renumber(conn: Any, _a: Path) -> None:
    conn.execute(delete(audit_log).where(audit_log.c.id == 50))
    conn.execute(update(audit_log).where(audit_log.c.id > 50).values(id=audit_log.c.id - 1))
    _rehash(conn)


def swap_two(conn: Any, _a: Path) -> None:
    first = conn.execute(select(audit_log).where(audit_log.c.id == 7)).one()
    second = conn.execute(select(audit_log).where(audit_log.c.id == 8)).one()
    for target, source in ((7, second), (8, first)):
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == target)
            .values(actor=source.actor, subject=source.subject, tijdstip=source.tijdstip)
        )


def change_hash_column(conn: Any, _a: Path) -> None:
    conn.execute(update(audit_log).where(audit_log.c.id == 4).values(hash="0" * 64))


def delete_opt_out_event(conn: Any, _a: Path) -> None:
    conn.execute(delete(preference_events).where(preference_events.c.soort == "niet_benaderen"))


def turn_opt_out_into_opt_in(conn: Any, _a: Path) -> None:
    conn.execute(
        update(preference_events)
        .where(preference_events.c.soort == "niet_benaderen")
        .values(soort="weer_benaderen")
    )


def forge_anchor_line(_conn: Any, anchor: Path) -> None:
    line = json.loads(anchor.read_text())
    line["aantal"] = 3
    anchor.write_text(json.dumps(line) + "\n")


def delete_anchor_file_and_tail(conn: Any, anchor: Path) -> None:
    anchor.unlink()
    conn.execute(delete(audit_log).where(audit_log.c.id > _last(conn) - 10))


DETECTED: dict[str, tuple[Callable[[Any, Path], None], str]] = {
    "een veld gewijzigd": (change_actor, "inhoud is gewijzigd"),
    "details gewijzigd": (change_details, "inhoud is gewijzigd"),
    "tijdstip gewijzigd": (change_time, "inhoud is gewijzigd"),
    "regel uit het midden weg": (delete_middle, "regel 100 ontbreekt"),
    "eerste regel weg": (delete_first, "regel 1 ontbreekt"),
    "laatste regel weg": (delete_last, "het einde is afgeknipt"),
    "laatste 500 regels weg": (delete_last_500, "het einde is afgeknipt"),
    "log geleegd": (delete_all, "het log is geleegd"),
    "gewijzigd en opnieuw gehasht": (rehash_after_change, "de geschiedenis is herschreven"),
    # the anchored last entry is gone: the anchor reports it missing
    "regel weg, hernummerd en opnieuw gehasht": (rehash_after_delete_and_renumber, "ontbreekt"),
    "twee regels verwisseld": (swap_two, "inhoud is gewijzigd"),
    "hash-kolom gewijzigd": (change_hash_column, "sluit niet aan"),
    "afmelding uit de voorkeuren verwijderd": (
        delete_opt_out_event,
        "niet (meer) bij de voorkeuren",
    ),
    "afmelding omgezet in aanmelding": (turn_opt_out_into_opt_in, "niet (meer) bij de voorkeuren"),
    "ankerregel vervalst": (forge_anchor_line, "niet door Proactief geschreven"),
    "ankerbestand weg en einde afgeknipt": (delete_anchor_file_and_tail, "er is geen anker"),
}


@pytest.mark.parametrize("kind", list(DETECTED))
def test_tampering_is_detected(kind: str, engine: Engine, tmp_path: Path) -> None:
    anchor = tmp_path / "audit-anker.jsonl"
    _history(engine, anchor)
    with engine.connect() as conn:
        assert check_audit(conn, anchor, KEY).problems == []
    tamper, message = DETECTED[kind]
    with engine.begin() as conn:
        tamper(conn, anchor)
    with engine.connect() as conn:
        problems = check_audit(conn, anchor, KEY).problems
    assert any(message in p.problem for p in problems), [p.problem for p in problems]


def test_not_detected_a_forged_entry_appended_after_the_last_anchor(
    engine: Engine, tmp_path: Path
) -> None:
    """Named in docs/trust.md: an entry added with a correct hash after the newest anchor
    looks like any other until a policy outside the database (who may write what) is
    checked; the anchors only protect what existed when they were written."""
    anchor = tmp_path / "audit-anker.jsonl"
    _history(engine, anchor)
    with engine.begin() as conn:
        _read(conn, "vervalst", "p1")
    with engine.connect() as conn:
        assert check_audit(conn, anchor, KEY).problems == []


def test_not_detected_newest_anchor_lines_removed_with_the_tail(
    engine: Engine, tmp_path: Path
) -> None:
    """Named in docs/trust.md: whoever can rewrite the anchor file too can remove the
    newest anchors with the entries after the one before; an append-only file (chattr +a)
    or a copy on a log server closes this."""
    anchor = tmp_path / "audit-anker.jsonl"
    _history(engine, anchor)
    with engine.begin() as conn:
        _read(conn, "medewerker:c", "p1")
        write_anchor(conn, anchor, KEY)
        first_line = anchor.read_text().splitlines()[0]
        anchor.write_text(first_line + "\n")
        conn.execute(delete(audit_log).where(audit_log.c.id == _last(conn)))
    with engine.connect() as conn:
        assert check_audit(conn, anchor, KEY).problems == []


def test_anchors_are_written_only_when_the_chain_grew_and_sealed(
    engine: Engine, tmp_path: Path
) -> None:
    anchor = tmp_path / "audit-anker.jsonl"
    _history(engine, anchor)
    with engine.begin() as conn:
        assert write_anchor(conn, anchor, KEY) is None  # nothing new
        assert write_anchor(conn, anchor, KEY, always=True) is not None  # the daily one
    lines = [json.loads(line) for line in anchor.read_text().splitlines()]
    assert [line["aantal"] for line in lines] == [521, 521]
    assert all(len(line["zegel"]) == 64 for line in lines)
    assert oct(anchor.stat().st_mode & 0o777) == "0o600"
    other = anchor_key(hashlib.sha256(b"another key").digest())
    with engine.connect() as conn:
        problems = check_audit(conn, anchor, other).problems
    assert problems and all("niet door Proactief geschreven" in p.problem for p in problems[:2])
