"""Who may do what: the role matrix (config/rollen.yaml) and the check that pages and
the API share. The session cookie holds only a random token of a server-side session
(accounts.sessions); the session and the user are read anew on every request, so logging
out, a password change, a disabled user or a changed role count at once."""

from collections.abc import Mapping
from functools import cache

from pydantic import RootModel
from sqlalchemy import Connection, Engine

from proactief.accounts.sessions import SessionHolder, end_session, open_session, session_holder
from proactief.accounts.users import Rol, User, user_by_id
from proactief.config import load_policy, policy_path

__all__ = [
    "NotAllowed",
    "NotLoggedIn",
    "authorize",
    "holder",
    "role_matrix",
    "start_resident_session",
    "start_session",
    "stop_session",
]


class NotLoggedIn(Exception):
    """No (active) professional in this session."""


class NotAllowed(Exception):
    """The user's role may not do this."""


RolesFile = RootModel[dict[str, list[Rol]]]
"""config/rollen.yaml: permission -> the roles that have it."""


@cache
def role_matrix() -> dict[str, frozenset[str]]:
    """config/rollen.yaml (or the municipality's own): permission -> roles; an unknown
    role is a PolicyError naming file and key."""
    data = load_policy(policy_path("rollen.yaml"), RolesFile).root
    return {permission: frozenset(r.value for r in roles) for permission, roles in data.items()}


def _start(
    engine: Engine,
    session: dict[str, object],
    *,
    user_id: int | None = None,
    person_pseudonym: str | None = None,
) -> None:
    """A new server-side session for a user or a resident; the cookie gets its token only.
    A new session at every login, so a session id from before cannot be fixed on anyone."""
    session.clear()
    with engine.begin() as conn:
        session["sid"] = open_session(conn=conn, user_id=user_id, person_pseudonym=person_pseudonym)


def start_session(engine: Engine, session: dict[str, object], user: User) -> None:
    """Log ``user`` in. Every way of logging in ends here: the password form now, an
    OIDC callback later (docs/adr/0005-login-and-oidc.md)."""
    _start(engine, session, user_id=user.id)


def start_resident_session(engine: Engine, session: dict[str, object], person: str) -> None:
    """A resident entered a valid code: a new server-side session for them."""
    _start(engine, session, person_pseudonym=person)


def _holder(conn: Connection, session: Mapping[str, object]) -> SessionHolder | None:
    token = session.get("sid")
    return session_holder(conn=conn, token=token) if isinstance(token, str) else None


def holder(engine: Engine, session: Mapping[str, object]) -> SessionHolder | None:
    """Whose live server-side session the cookie points to, if any."""
    if not isinstance(session.get("sid"), str):
        return None
    with engine.connect() as conn:
        return _holder(conn, session)


def stop_session(engine: Engine, session: dict[str, object]) -> None:
    """Log out: the server-side session ends (a copy of the cookie no longer works)."""
    token = session.get("sid")
    if isinstance(token, str):
        with engine.begin() as conn:
            end_session(conn=conn, token=token)
    session.clear()


def current_user(engine: Engine, session: Mapping[str, object]) -> User | None:
    """The logged-in professional, if any (for pages every visitor may see, such as an
    error page that keeps the menu)."""
    if not isinstance(session.get("sid"), str):
        return None
    with engine.connect() as conn:
        who = _holder(conn, session)
        if who is None or who.user_id is None:
            return None
        return user_by_id(conn, who.user_id)


def authorize(engine: Engine, session: Mapping[str, object], permission: str) -> User:
    """The logged-in user if their role has ``permission`` (session and user read on one
    connection)."""
    user = None
    if isinstance(session.get("sid"), str):
        with engine.connect() as conn:
            who = _holder(conn, session)
            if who is not None and who.user_id is not None:
                user = user_by_id(conn, who.user_id)
    if user is None:
        raise NotLoggedIn
    if user.rol.value not in role_matrix()[permission]:
        raise NotAllowed(permission)
    return user
