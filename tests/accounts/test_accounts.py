"""Professionals and one-time resident codes, on both databases."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select

from proactief.accounts import repository as repo
from proactief.accounts.resident_codes import (
    CodeError,
    CodeExpiredError,
    code_valid_until,
    create_code,
    normalise_code,
    redeem_code,
)
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


def test_a_code_works_for_the_life_of_its_message_and_is_kept_as_a_hash(engine: Engine) -> None:
    with engine.begin() as conn:
        code = create_code(conn=conn, person_pseudonym="P1", now=T0, dagen=30)
        (kept,) = conn.execute(select(resident_codes.c.code_hash)).scalars()
        assert normalise_code(code) not in kept and len(kept) == 64
        typed = code.lower().replace("-", " ")  # as a resident types it from the letter
        assert redeem_code(conn=conn, code=typed, now=T0 + timedelta(days=1)) == "P1"
        # the resident comes back a week later with the same letter
        assert redeem_code(conn=conn, code=code, now=T0 + timedelta(days=8)) == "P1"
        (first_use,) = conn.execute(select(resident_codes.c.gebruikt)).scalars()
        assert first_use is not None and first_use.date() == (T0 + timedelta(days=1)).date()
        # it works through the whole last day the letter states, and not a second after
        last_day = code_valid_until(conn.execute(select(resident_codes.c.verloopt)).scalars().one())
        assert last_day == (T0 + timedelta(days=30)).date()
        end_of_last_day = datetime.combine(last_day, time(23, 59), UTC)
        assert redeem_code(conn=conn, code=code, now=end_of_last_day) == "P1"
        with pytest.raises(CodeExpiredError, match="werkte tot en met") as expired:
            redeem_code(conn=conn, code=code, now=end_of_last_day + timedelta(minutes=1))
        assert code_valid_until(expired.value.verloopt) == last_day
        with pytest.raises(CodeError, match="kennen wij niet") as unknown:
            redeem_code(conn=conn, code="AAAA-BBBB-CCCC", now=T0)
        assert not isinstance(unknown.value, CodeExpiredError)
