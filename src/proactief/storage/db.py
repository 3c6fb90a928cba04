"""Engine creation and schema migration (Alembic)."""

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Bulk inserts go straight to the sqlite3 driver (storage.queries.bulk_insert_ignore); store
# dates as the ISO text SQLAlchemy's Date type uses (Python 3.12 deprecates the default).
sqlite3.register_adapter(date, date.isoformat)


class DatabaseUnavailableError(RuntimeError):
    """The database named by the settings cannot be reached."""

    def __init__(self, url: str, cause: BaseException) -> None:
        safe = make_url(url).render_as_string(hide_password=True)
        super().__init__(
            f"Cannot open the database {safe}: {cause}. Check PROACTIEF_DATABASE_URL, or unset "
            "it to use the embedded SQLite file."
        )


#: how long a SQLite transaction waits for another one's write lock before it gives up
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: the page cache of each SQLite connection, in KiB (``PRAGMA cache_size``)
SQLITE_CACHE_KIB = 65_536


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling starts a transaction lazily at the first write.
    # A transaction that read first then cannot upgrade to a writer while another process
    # writes (SQLITE_BUSY at once, no waiting): concurrent audited reads failed that way.
    # So the driver leaves transactions to us, and _sqlite_begin takes the write lock first.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL keeps readers going during an import and makes a killed import leave only
    # whole committed batches behind.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Up to 64 MiB of pages kept per connection (SQLite's default is 2 MiB, taken only as
    # pages are read): the indexes of a city's signals do not fit in 2 MiB; an intake of
    # 1,000,000 signals took 44 s with 64 MiB against 50 s with the default (ADR 0013).
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # BEGIN IMMEDIATE: every transaction takes SQLite's one write lock when it starts (and
    # waits for it, up to the busy timeout), so a read followed by a write never fails or
    # works on a stale snapshot. Transactions on one SQLite file thus run one at a time;
    # PostgreSQL is the database for many concurrent users (docs/reliability.md).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, make the folder and set safe pragmas.

    Statement parameters are hidden from logs and error messages: they can hold a BSN.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, **kwargs)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    try:
        with engine.connect():
            pass
    except Exception as exc:
        raise DatabaseUnavailableError(str(engine.url), exc) from exc
    command.upgrade(alembic_config(engine), "head")
