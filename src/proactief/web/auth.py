"""Who may do what: the role matrix (config/rollen.yaml) and the check that pages and
the API share. The session holds only the user's id; the user is read anew on every
request, so a deactivated user or a changed role counts at once."""

from collections.abc import Mapping
from functools import cache

from pydantic import RootModel
from sqlalchemy import Engine

from proactief.accounts.users import Rol, User, user_by_id
from proactief.config import load_policy, policy_path

__all__ = ["NotAllowed", "NotLoggedIn", "authorize", "role_matrix", "start_session"]


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


def start_session(session: dict[str, object], user: User) -> None:
    """Log ``user`` in. Every way of logging in ends here: the password form now, an
    OIDC callback later (docs/adr/0005-login-and-oidc.md). A new session at login, so a
    session id from before cannot be fixed on the user."""
    session.clear()
    session["user_id"] = user.id


def authorize(engine: Engine, session: Mapping[str, object], permission: str) -> User:
    """The logged-in user if their role has ``permission``."""
    user_id = session.get("user_id")
    user = None
    if isinstance(user_id, int):
        with engine.connect() as conn:
            user = user_by_id(conn, user_id)
    if user is None:
        raise NotLoggedIn
    if user.rol.value not in role_matrix()[permission]:
        raise NotAllowed(permission)
    return user
