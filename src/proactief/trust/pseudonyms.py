"""BSN validation and pseudonymisation.

A BSN is validated with the elfproef (python-stdnum) and replaced by a keyed hash
(HMAC-SHA256) wherever the purpose does not need the number itself. The key is generated
on first use and kept in a file outside the database, so a copy of the database alone does
not allow anyone to test a guessed BSN against it.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from stdnum.nl import bsn as stdnum_bsn

__all__ = ["Pseudonymizer", "is_valid_bsn", "load_or_create_key"]

_KEY_BYTES = 32


def is_valid_bsn(value: str) -> bool:
    """Whether ``value`` is exactly nine digits and passes the elfproef.

    >>> is_valid_bsn("111222333")
    True
    >>> is_valid_bsn("111222334")
    False
    >>> is_valid_bsn("11122233")
    False
    """
    # The input is already exactly nine ASCII digits, so the library's checksum (the
    # elfproef) is called directly; its cleaning step is the slow part of is_valid().
    return (
        len(value) == 9
        and value.isascii()
        and value.isdigit()
        and value != "000000000"
        and stdnum_bsn.checksum(value) == 0
    )


def load_or_create_key(path: Path) -> bytes:
    """Read the pseudonymisation key, creating it (mode 0600) on first use."""
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) != _KEY_BYTES:
            raise ValueError(
                f"The key file {path} does not hold a {_KEY_BYTES}-byte hex key. "
                "Restore it from backup; a new key would break the link to stored pseudonyms."
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(_KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


class Pseudonymizer:
    """Turns identifying data into stable pseudonyms with a secret key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def for_bsn(self, bsn: str) -> str:
        """Pseudonym of a person known by BSN."""
        return "b" + self._digest("bsn:" + bsn)

    def for_address_identity(
        self, *, geslacht: str, geboortedatum: str, postcode: str, huisnummer: str
    ) -> str:
        """Pseudonym of a person known by sex, birth date and address (no BSN given)."""
        return "a" + self._digest(f"adr:{geslacht}|{geboortedatum}|{postcode}|{huisnummer}")

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(<key hidden>)"
