"""BSN elfproef and keyed pseudonyms."""

import stat
from pathlib import Path

import pytest

from proactief.trust.pseudonyms import Pseudonymizer, is_valid_bsn, load_or_create_key


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990"])
def test_valid_bsns_pass_the_elfproef(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn", ["111222334", "123456789", "12345678", "1234567890", "12345678a", "", "000000000"]
)
def test_invalid_bsns_fail(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


def test_pseudonym_is_stable_keyed_and_hides_the_bsn() -> None:
    a = Pseudonymizer(b"a" * 32)
    b = Pseudonymizer(b"b" * 32)
    assert a.for_bsn("111222333") == a.for_bsn("111222333")
    assert a.for_bsn("111222333") != b.for_bsn("111222333")
    assert "111222333" not in a.for_bsn("111222333")
    assert ("a" * 32).encode().hex() not in repr(a) and "aaaa" not in repr(a)
    assert repr(a) == "Pseudonymizer(<key hidden>)"


def test_key_is_created_once_with_owner_only_rights(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "pseudonym.key"
    first = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first == load_or_create_key(path)


def test_broken_key_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_text("abcd\n")
    with pytest.raises(ValueError, match="Restore it from backup"):
        load_or_create_key(path)
