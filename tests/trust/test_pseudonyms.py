"""BSN elfproef and keyed pseudonyms."""

import stat
from pathlib import Path

import pytest

from proactief.trust.pseudonyms import (
    KeyFileError,
    Pseudonymizer,
    is_valid_bsn,
    load_or_create_key,
    read_key,
)


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


@pytest.mark.parametrize(
    ("content", "mode", "problem"),
    [
        ("abcd\n", 0o600, "geen sleutel van 32 bytes"),
        ("zz" * 32 + "\n", 0o600, "geen sleutel van 32 bytes"),  # not hex: no traceback
        ("ab" * 32 + "\n", 0o644, r"rechten 644\). Maak hem alleen voor de eigenaar leesbaar"),
    ],
)
def test_a_broken_or_open_key_file_is_refused_with_what_to_do(
    tmp_path: Path, content: str, mode: int, problem: str
) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_text(content)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=problem):
        read_key(path)
    with pytest.raises(KeyFileError, match="ontbreekt"):
        read_key(tmp_path / "missing.key")
