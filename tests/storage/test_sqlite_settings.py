"""The settings every SQLite connection gets (storage.db): what the reliability and speed
claims in docs/reliability.md and docs/benchmarks.md rest on."""

from pathlib import Path

from proactief.storage.db import SQLITE_BUSY_TIMEOUT_MS, SQLITE_CACHE_KIB, create_db_engine


def test_every_sqlite_connection_has_wal_a_busy_timeout_and_a_city_sized_cache(
    tmp_path: Path,
) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        for _ in range(2):  # a second, new connection is set up the same way
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                values = {
                    name: raw.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "synchronous", "busy_timeout", "cache_size")
                }
            engine.dispose()
    finally:
        engine.dispose()
    assert values == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "cache_size": -SQLITE_CACHE_KIB,
    }
    assert SQLITE_CACHE_KIB >= 32_768
