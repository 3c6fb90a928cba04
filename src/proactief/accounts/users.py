"""Professional users of the web app: roles and Argon2-hashed passwords (pwdlib).

Authentication sits behind ``authenticate``; an OIDC login (the municipality's identity
provider) can replace it later and map its claims onto the same roles.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import Connection

from proactief.accounts import repository as repo

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "Rol",
    "User",
    "UserError",
    "add_user",
    "authenticate",
    "user_by_id",
]

MIN_PASSWORD_LENGTH = 12


class Rol(StrEnum):
    """Roles of professionals (the role matrix is in config/rollen.yaml)."""

    CONTACTMEDEWERKER = "contactmedewerker"
    TEAMLEIDER = "teamleider"
    ANALIST = "analist"
    BEHEERDER = "beheerder"


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in professional."""

    id: int
    gebruikersnaam: str
    rol: Rol


class UserError(ValueError):
    """A user that cannot be created as asked."""


@cache
def _hasher() -> PasswordHash:
    # Argon2id with pwdlib's recommended parameters (OWASP password storage guidance)
    return PasswordHash.recommended()


def add_user(*, conn: Connection, gebruikersnaam: str, wachtwoord: str, rol: Rol) -> User:
    """Create a user; the password is stored only as an Argon2 hash."""
    if len(wachtwoord) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben / "
            f"password shorter than {MIN_PASSWORD_LENGTH}"
        )
    if repo.user_by_name(conn, gebruikersnaam) is not None:
        raise UserError(f"gebruiker '{gebruikersnaam}' bestaat al / user exists")
    user_id = repo.insert_user(
        conn,
        {
            "gebruikersnaam": gebruikersnaam,
            "wachtwoord_hash": _hasher().hash(wachtwoord),
            "rol": rol.value,
            "actief": True,
        },
    )
    return User(user_id, gebruikersnaam, rol)


def authenticate(*, conn: Connection, gebruikersnaam: str, wachtwoord: str) -> User | None:
    """The user if name and password match and the user is active; otherwise None.

    An unknown name costs a hash verification too, so timing does not reveal names."""
    row = repo.user_by_name(conn, gebruikersnaam)
    if row is None:
        _hasher().verify(wachtwoord, _dummy_hash())
        return None
    valid, new_hash = _hasher().verify_and_update(wachtwoord, row.wachtwoord_hash)
    if not valid or not row.actief:
        return None
    if new_hash:  # parameters were raised since the hash was made
        repo.update_user(conn, row.id, wachtwoord_hash=new_hash)
    return User(row.id, row.gebruikersnaam, Rol(row.rol))


def user_by_id(conn: Connection, user_id: int) -> User | None:
    """An active user by id (for the session)."""
    row = repo.user_by_id(conn, user_id)
    if row is None or not row.actief:
        return None
    return User(row.id, row.gebruikersnaam, Rol(row.rol))


@cache
def _dummy_hash() -> str:
    return _hasher().hash("dummy-password-for-timing")
