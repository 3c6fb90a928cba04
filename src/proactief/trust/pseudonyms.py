"""BSN validation and pseudonymisation.

A BSN is validated with the elfproef (python-stdnum) and replaced by a keyed hash
(HMAC-SHA256) wherever the purpose does not need the number itself. The key is kept in a
file outside the database, so a copy of the database alone does not allow anyone to test
a guessed BSN against it. Which key a database's pseudonyms were made with is checked by
``trust.keys`` before any command uses it.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from stdnum.nl import bsn as stdnum_bsn

__all__ = [
    "KeyFileError",
    "Pseudonymizer",
    "create_key",
    "is_valid_bsn",
    "key_fingerprint",
    "load_or_create_key",
    "read_key",
]

_KEY_BYTES = 32


class KeyFileError(ValueError):
    """A key file that cannot be used; the message says what to restore or change."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}. {fix}")


_RESTORE = (
    "Zet de sleutel terug uit de back-up (een nieuwe sleutel maakt van alle opgeslagen "
    "pseudoniemen, ook afmeldingen, vreemden)"
)


def read_key(path: Path) -> bytes:
    """Read a key file: it must exist, hold 32 bytes as hex, and be readable by its owner
    only.

    Raises:
        KeyFileError: missing, malformed, or open to group or others.
    """
    try:
        info = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(path, "de sleutel ontbreekt", _RESTORE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(path, f"de sleutel is niet te lezen ({exc})", _RESTORE) from None
    if info.st_mode & 0o077:
        raise KeyFileError(
            path,
            f"andere gebruikers kunnen de sleutel lezen (rechten {info.st_mode & 0o777:o})",
            f"Maak hem alleen voor de eigenaar leesbaar: chmod 600 {path}",
        )
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise KeyFileError(path, f"dit is geen sleutel van {_KEY_BYTES} bytes (hex)", _RESTORE)
    return key


def create_key(path: Path) -> bytes:
    """Make a new key file (mode 0600); never overwrites one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(_KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def key_fingerprint(key: bytes) -> str:
    """What the database keeps to recognise its key: an HMAC of a fixed label, which says
    nothing about the key itself."""
    return hmac.new(key, b"proactief:sleutel-vingerafdruk", hashlib.sha256).hexdigest()


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
    """Read a key, creating it (mode 0600) when there is none. Only for keys whose loss
    costs nothing lasting, such as the web app's session key (everyone logs in again);
    the pseudonymisation key goes through ``trust.keys.pseudonym_key``."""
    if not path.exists():
        return create_key(path)
    return read_key(path)


class Pseudonymizer:
    """Turns identifying data into stable pseudonyms with a secret key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _digest(self, text: str) -> str:
        # the one-shot HMAC (OpenSSL): the same value as hmac.new(...).hexdigest(), faster
        return hmac.digest(self._key, text.encode(), "sha256").hex()[:32]

    def for_bsn(self, bsn: str) -> str:
        """Pseudonym of a person known by BSN."""
        return "b" + self._digest("bsn:" + bsn)

    def for_address_identity(
        self, *, geslacht: str, geboortedatum: str, postcode: str, huisnummer: str
    ) -> str:
        """Pseudonym of a person known by sex, birth date and address (no BSN given)."""
        return "a" + self._digest(f"adr:{geslacht}|{geboortedatum}|{postcode}|{huisnummer}")

    def for_address(self, address: str) -> str:
        """Keyed hash of a normalised phone number or e-mail address: lets a reply find
        the message it answers without keeping the address."""
        return "r" + self._digest("adres:" + address)

    def for_household(self, address: str) -> str:
        """Keyed hash of a normalised postal address (postcode, number, letter, addition):
        cases with the same one are one household, without keeping the address."""
        return "h" + self._digest("huishouden:" + address)

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(<key hidden>)"
