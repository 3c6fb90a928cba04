"""Professionals and one-time resident codes, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from proactief.accounts import repository as repo
from proactief.accounts.resident_codes import CodeError, create_code, normalise_code, redeem_code
from proactief.accounts.users import (
    Rol,
    UserError,
    add_user,
    authenticate,
    check_password,
    user_by_id,
)
from proactief.storage.tables import resident_codes, users

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
STRONG = "fiets-kaas-molen-71"


@pytest.mark.parametrize(
    "weak",
    ["aaaaaaaaaaaa", "abcdefghijkl", "password1234", "qwertyuiop12", "beheerder123!"],
)
def test_an_easy_password_is_refused_whatever_its_length(weak: str) -> None:
    """Issue 13, item 8: 'aaaaaaaaaaaa' was accepted for an administrator."""
    with pytest.raises(UserError, match="te makkelijk te raden"):
        check_password(weak, gebruikersnaam="beheerder")
    check_password(STRONG, gebruikersnaam="beheerder")


def test_a_password_is_kept_only_as_a_hash_and_checked(engine: Engine) -> None:
    with engine.begin() as conn:
        made = add_user(
            conn=conn, gebruikersnaam="anna", wachtwoord="lang-genoeg-wachtwoord", rol=Rol.ANALIST
        )
        (stored,) = conn.execute(select(users.c.wachtwoord_hash)).scalars()
        assert "lang-genoeg" not in stored and stored.startswith("$argon2id$")
        found = authenticate(conn=conn, gebruikersnaam="anna", wachtwoord="lang-genoeg-wachtwoord")
        assert found == made and found.rol is Rol.ANALIST
        assert (
            authenticate(conn=conn, gebruikersnaam="anna", wachtwoord="fout-wachtwoord-12") is None
        )
        assert authenticate(conn=conn, gebruikersnaam="niemand", wachtwoord="x" * 12) is None


def test_a_user_is_refused_when_short_doubled_or_inactive(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(UserError, match="minstens 12 tekens"):
            add_user(conn=conn, gebruikersnaam="kort", wachtwoord="kort", rol=Rol.ANALIST)
        made = add_user(conn=conn, gebruikersnaam="bob", wachtwoord=STRONG, rol=Rol.BEHEERDER)
        with pytest.raises(UserError, match="bestaat al"):
            add_user(conn=conn, gebruikersnaam="bob", wachtwoord=STRONG + "x", rol=Rol.ANALIST)
        repo.update_user(conn, made.id, actief=False)
        assert authenticate(conn=conn, gebruikersnaam="bob", wachtwoord=STRONG) is None
        assert user_by_id(conn, made.id) is None


def test_a_code_works_once_within_its_time_and_is_kept_as_a_hash(engine: Engine) -> None:
    with engine.begin() as conn:
        code = create_code(conn=conn, person_pseudonym="P1", now=T0, dagen=30)
        (kept,) = conn.execute(select(resident_codes.c.code_hash)).scalars()
        assert normalise_code(code) not in kept and len(kept) == 64
        typed = code.lower().replace("-", " ")  # as a resident types it from the letter
        assert redeem_code(conn=conn, code=typed, now=T0 + timedelta(days=1)) == "P1"
        with pytest.raises(CodeError):
            redeem_code(conn=conn, code=code, now=T0 + timedelta(days=1))
        late = create_code(conn=conn, person_pseudonym="P2", now=T0, dagen=30)
        with pytest.raises(CodeError):
            redeem_code(conn=conn, code=late, now=T0 + timedelta(days=31))
        with pytest.raises(CodeError, match="Deze code werkt niet"):
            redeem_code(conn=conn, code="AAAA-BBBB-CCCC", now=T0)
