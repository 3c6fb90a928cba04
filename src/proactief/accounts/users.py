"""Professional users of the web app: roles and Argon2-hashed passwords (pwdlib).

Authentication sits behind ``authenticate``; an OIDC login (the municipality's identity
provider) can replace it later and map its claims onto the same roles.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pwdlib import PasswordHash
from sqlalchemy import Connection
from zxcvbn import zxcvbn

from proactief.accounts import repository as repo
from proactief.accounts.sessions import end_sessions_of_user

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "MIN_PASSWORD_SCORE",
    "ContactPerson",
    "Rol",
    "User",
    "UserError",
    "UserListing",
    "active_user_ids",
    "add_user",
    "authenticate",
    "change_password",
    "check_password",
    "contact_person",
    "list_users",
    "set_active",
    "set_contact_details",
    "set_role",
    "user_by_id",
    "user_for_login",
]

MIN_PASSWORD_LENGTH = 12
"""NIST SP 800-63B (5.1.1.2) asks at least 8; 12 for accounts that read personal data."""
MIN_PASSWORD_SCORE = 3
"""zxcvbn's estimate (0-4) of how hard a password is to guess: 3 means 'safely
unguessable' (about 10^8 guesses or more); lower scores are repeats ('aaaaaaaaaaaa'),
sequences, keyboard patterns and passwords from its lists of common ones."""
_CONTEXT_WORDS = ("proactief", "gemeente", "vroegsignalering", "wachtwoord", "welkom")


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
    extern: bool = False
    """Logs in through the municipality's identity provider (no password here)."""


class UserError(ValueError):
    """A user that cannot be created as asked."""


@cache
def _hasher() -> PasswordHash:
    # Argon2id with pwdlib's recommended parameters (OWASP password storage guidance)
    return PasswordHash.recommended()


def check_password(wachtwoord: str, *, gebruikersnaam: str) -> None:
    """Refuse a password that is short or easy to guess (zxcvbn, with its lists of
    common passwords, names and patterns, and the user's own name).

    Raises:
        UserError: what is wrong, in Dutch and English.
    """
    if len(wachtwoord) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben / "
            f"password shorter than {MIN_PASSWORD_LENGTH}"
        )
    # zxcvbn looks at the first 100 characters only; a longer password is long enough
    estimate = zxcvbn(wachtwoord[:100], user_inputs=[gebruikersnaam, *_CONTEXT_WORDS])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        hint = estimate["feedback"]["warning"] or "too easy to guess"
        raise UserError(
            "dit wachtwoord is te makkelijk te raden (een herhaling, een reeks, een "
            "bekend wachtwoord of uw naam); kies bijvoorbeeld vier losse woorden / "
            f"password too easy to guess: {hint}"
        )


def add_user(
    *,
    conn: Connection,
    gebruikersnaam: str,
    wachtwoord: str,
    rol: Rol,
    naam: str | None = None,
    telefoon: str | None = None,
) -> User:
    """Create a user; the password is stored only as an Argon2 hash. ``naam`` is how a
    resident is told who their contact person is; ``telefoon`` the direct number the
    municipality gives for them (both optional)."""
    check_password(wachtwoord, gebruikersnaam=gebruikersnaam)
    if repo.user_by_name(conn, gebruikersnaam) is not None:
        raise UserError(f"gebruiker '{gebruikersnaam}' bestaat al / user exists")
    user_id = repo.insert_user(
        conn,
        {
            "gebruikersnaam": gebruikersnaam,
            "wachtwoord_hash": _hasher().hash(wachtwoord),
            "rol": rol.value,
            "actief": True,
            "naam": naam,
            "telefoon": telefoon,
        },
    )
    return User(user_id, gebruikersnaam, rol)


def authenticate(*, conn: Connection, gebruikersnaam: str, wachtwoord: str) -> User | None:
    """The user if name and password match and the user is active; otherwise None.

    An unknown name costs a hash verification too, so timing does not reveal names."""
    row = repo.user_by_name(conn, gebruikersnaam)
    if row is None or row.wachtwoord_hash is None:  # none: logs in at the identity provider
        _hasher().verify(wachtwoord, _dummy_hash())
        return None
    valid, new_hash = _hasher().verify_and_update(wachtwoord, row.wachtwoord_hash)
    if not valid or not row.actief:
        return None
    if new_hash:  # parameters were raised since the hash was made
        repo.update_user(conn, row.id, wachtwoord_hash=new_hash)
    return User(row.id, row.gebruikersnaam, Rol(row.rol))


def _name_taken(gebruikersnaam: str) -> UserError:
    return UserError(
        f"de gebruikersnaam '{gebruikersnaam}' is al van een account met een "
        "wachtwoord; de beheerder kan dat account uitzetten of hernoemen / name taken"
    )


def user_for_login(
    *, conn: Connection, extern_id: str, gebruikersnaam: str, rol: Rol, naam: str | None
) -> User:
    """The user the identity provider vouched for (its 'sub' is ``extern_id``), made at the
    first login and given the role the provider's groups map to at every login.

    Raises:
        UserError: the user was disabled here, or the name belongs to a local account (an
            account is never taken over by a login from elsewhere).
    """
    row = repo.user_by_extern_id(conn, extern_id)
    if row is None:
        if repo.user_by_name(conn, gebruikersnaam) is not None:
            raise _name_taken(gebruikersnaam)
        user_id = repo.insert_user_once(
            conn,
            {
                "gebruikersnaam": gebruikersnaam,
                "wachtwoord_hash": None,
                "extern_id": extern_id,
                "rol": rol.value,
                "actief": True,
                "naam": naam,
            },
        )
        if user_id is not None:
            return User(user_id, gebruikersnaam, rol, extern=True)
        # the same person's other login (a second tab) made the account a moment ago,
        # or someone else took the name in between
        row = repo.user_by_extern_id(conn, extern_id)
        if row is None:
            raise _name_taken(gebruikersnaam)
    if not row.actief:
        raise UserError("dit account is uitgezet; vraag de beheerder / account disabled")
    if row.rol != rol.value:
        repo.update_user(conn, row.id, rol=rol.value)
    return User(row.id, row.gebruikersnaam, rol, extern=True)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    """An active user by id (for the session)."""
    row = repo.user_by_id(conn, user_id)
    if row is None or not row.actief:
        return None
    return User(row.id, row.gebruikersnaam, Rol(row.rol), extern=row.extern_id is not None)


@dataclass(frozen=True, slots=True)
class ContactPerson:
    """A case owner as a resident is told about them."""

    naam: str
    telefoon: str | None


def contact_person(conn: Connection, user_id: int | None) -> ContactPerson | None:
    """The owner of a case as residents see them: their name and direct number; None for
    no owner, a disabled user (a disabled colleague is no contact person) or a user
    without a name for residents (a login name is not a person to ask for)."""
    if user_id is None:
        return None
    row = repo.user_by_id(conn, user_id)
    if row is None or not row.actief or not row.naam:
        return None
    return ContactPerson(row.naam, row.telefoon)


def set_contact_details(
    *, conn: Connection, gebruikersnaam: str, naam: str | None, telefoon: str | None
) -> None:
    """Set how residents are told about this user (name, direct number)."""
    user_id = _existing(conn, gebruikersnaam)
    repo.update_user(conn, user_id, naam=naam, telefoon=telefoon)


def active_user_ids(conn: Connection, rollen: tuple[Rol, ...]) -> list[int]:
    """Active users with one of these roles, by id (for assigning cases)."""
    return [r.id for r in repo.all_users(conn) if r.actief and Rol(r.rol) in rollen]


@dataclass(frozen=True, slots=True)
class UserListing:
    """A user as ``proactief users list`` shows them (no hash)."""

    gebruikersnaam: str
    rol: Rol
    actief: bool
    naam: str | None = None
    telefoon: str | None = None
    user_id: int = 0


def list_users(*, conn: Connection) -> list[UserListing]:
    """Every professional, by name."""
    return [
        UserListing(r.gebruikersnaam, Rol(r.rol), bool(r.actief), r.naam, r.telefoon, r.id)
        for r in repo.all_users(conn)
    ]


def _existing(conn: Connection, gebruikersnaam: str) -> int:
    row = repo.user_by_name(conn, gebruikersnaam)
    if row is None:
        raise UserError(f"gebruiker '{gebruikersnaam}' bestaat niet / no such user")
    return row.id


def set_active(*, conn: Connection, gebruikersnaam: str, actief: bool) -> int:
    """Enable or disable a user; disabling ends every session of theirs at once.
    Returns how many sessions ended."""
    user_id = _existing(conn, gebruikersnaam)
    repo.update_user(conn, user_id, actief=actief)
    if actief:
        return 0
    return end_sessions_of_user(conn=conn, user_id=user_id, reden="uitgeschakeld")


def set_role(*, conn: Connection, gebruikersnaam: str, rol: Rol) -> int:
    """Give a user another role; their sessions end, so the new rights count at once.
    Returns how many sessions ended."""
    user_id = _existing(conn, gebruikersnaam)
    repo.update_user(conn, user_id, rol=rol.value)
    return end_sessions_of_user(conn=conn, user_id=user_id, reden="rol gewijzigd")


def change_password(*, conn: Connection, gebruikersnaam: str, wachtwoord: str) -> int:
    """Set a new password (checked like a new one); every session of the user ends, so
    whoever had the old one is out. Returns how many sessions ended."""
    user_id = _existing(conn, gebruikersnaam)
    row = repo.user_by_name(conn, gebruikersnaam)
    if row is not None and row.extern_id is not None:
        raise UserError(
            "dit account logt in via de gemeente en heeft hier geen wachtwoord / this account "
            "logs in at the identity provider"
        )
    check_password(wachtwoord, gebruikersnaam=gebruikersnaam)
    repo.update_user(conn, user_id, wachtwoord_hash=_hasher().hash(wachtwoord))
    return end_sessions_of_user(conn=conn, user_id=user_id, reden="wachtwoord gewijzigd")


@cache
def _dummy_hash() -> str:
    return _hasher().hash("dummy-password-for-timing")
