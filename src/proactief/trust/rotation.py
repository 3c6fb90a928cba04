"""Key rotation: every pseudonym made anew with a new key, in one transaction.

A pseudonym is an HMAC of the BSN (or of sex, birth date and address) with the key, so a
new key needs the identity behind each pseudonym: the BSN vault (``client_identities``)
has it. Every table that holds a pseudonym is rewritten through one mapping, the
quarantine's pseudonymised BSNs too, the database's key fingerprint is replaced and
resident sessions end, all in the caller's transaction: it happens whole or not at all.

Pseudonyms with no identity in the vault (a resident of the population register, messages
of a person whose case was deleted) get a fresh random pseudonym, the same in every table,
so their rows stay together but can no longer be linked to a BSN: a new file with their
BSN makes a new person. A person with a choice (an opt-out above all) must be in the vault,
or the rotation is refused: the choice would otherwise no longer belong to anyone. The
audit log keeps the pseudonyms it was written with (its entries are sealed by the chain).
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.trust import repository as repo
from proactief.trust.audit import append_audit
from proactief.trust.pseudonyms import Pseudonymizer, key_fingerprint

__all__ = ["RotationError", "RotationResult", "rotate_pseudonyms"]

_QUARANTINE_BSN = re.compile(r"\[BSN ([a-z0-9]+)\]")


class RotationError(ValueError):
    """The rotation would cut a choice loose from its person; nothing was changed."""


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What the rotation changed."""

    personen: int
    """Persons whose pseudonym was made anew from the vault."""
    zonder_identiteit: int
    """Pseudonyms without an identity in the vault, replaced by a random one."""
    rijen: dict[str, int] = field(default_factory=dict)
    """Rows changed per table."""


def rotate_pseudonyms(
    *, conn: Connection, new_key: bytes, now: datetime | None = None
) -> RotationResult:
    """Re-pseudonymise the whole database with ``new_key`` in ``conn``'s transaction.

    Raises:
        RotationError: someone with a recorded choice has no identity in the vault.
    """
    now = now or datetime.now(UTC)
    new = Pseudonymizer(new_key)
    mapping: dict[str, str] = {}
    for old, bsn, (geslacht, geboren, postcode, huisnummer) in repo.vault_identities(conn):
        mapping[old] = (
            new.for_bsn(bsn)
            if bsn
            else new.for_address_identity(
                geslacht=geslacht, geboortedatum=geboren, postcode=postcode, huisnummer=huisnummer
            )
        )
    in_use = set().union(*repo.pseudonyms_in_use(conn).values())
    loose_choices = repo.persons_with_choices(conn) - mapping.keys()
    if loose_choices:
        raise RotationError(
            f"{len(loose_choices)} inwoner(s) maakten een keuze (zoals een afmelding) maar "
            "hun BSN staat niet in de kluis: met een nieuwe sleutel hoort die keuze bij "
            "niemand meer. Leg hun keuze opnieuw vast met hun BSN (proactief consent ...) "
            "en probeer het dan opnieuw. Er is niets veranderd."
        )
    unlinked = in_use - mapping.keys()
    for old in unlinked:
        mapping[old] = "x" + secrets.token_hex(16)
    changed = repo.replace_pseudonyms(conn, mapping)
    rewritten = 0
    for quarantine_id, raw in repo.quarantine_raw_rows(conn):
        text = _QUARANTINE_BSN.sub(
            lambda m: f"[BSN {mapping.get(m.group(1), 'onbekend na sleutelwissel')}]", raw
        )
        if text != raw:
            repo.set_quarantine_raw(conn, quarantine_id, text)
            rewritten += 1
    changed["quarantine"] = rewritten
    changed["web_sessions"] = repo.end_resident_sessions(conn, now)
    repo.replace_key_fingerprint(conn, key_fingerprint(new_key), now)
    persons = len(mapping) - len(unlinked)
    choices: dict[str, int] = {}
    for _person, soort, _when in repo.opt_out_events(conn):
        choices[soort] = choices.get(soort, 0) + 1
    append_audit(
        conn,
        actor="beheerder:sleutelwissel",
        actie="wijzig",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="pseudoniemen",
        # the opt-outs so far, counted: the audit check compares them from now on, since
        # the entries before this one name the old pseudonyms (trust.anchor)
        details={
            "personen": persons,
            "zonder_identiteit": len(unlinked),
            "rijen": changed,
            "afmeldingen": choices,
        },
        now=now,
    )
    return RotationResult(persons, len(unlinked), changed)
