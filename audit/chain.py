"""The hash chain over the audit entries (README, Audit trail): each entry's hash is
sha256(previous hash + canonical JSON of the entry), so changing, removing, inserting or reordering any entry
breaks every link after it. `chain_verify` walks it; the `audit_verify` command reports what it finds."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64

# What the hash covers: every column of the entry but its row ID and the hashes themselves.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "related",
    "changes",
    "note",
)


def canonical(entry) -> bytes:
    """The entry as bytes that read back the same from PostgreSQL or SQLite: sorted keys, no spaces, UTC
    timestamps with microseconds (the JSON of `changes` holds only strings, numbers, booleans and null)."""
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["at"] = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


@dataclass
class Verdict:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def chain_verify() -> Verdict:
    """Walk every entry in order. The chain holds when entry n is numbered n, names the hash of entry n-1 as its
    previous hash, its own hash is that of its content, and the last entry is the head's."""
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    expected_seq, prev_hash = 1, GENESIS
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        failure = None
        if entry.seq != expected_seq:
            failure = f"expected entry #{expected_seq} here, found #{entry.seq} (an entry is missing or was renumbered)"
        elif entry.prev_hash != prev_hash:
            failure = "its previous hash is not the hash of the entry before it (an entry was inserted or moved)"
        elif entry_hash(prev_hash, entry) != entry.hash:
            failure = "its content does not match its hash (the entry was edited)"
        if failure:
            return Verdict(False, expected_seq - 1, head_seq, head_hash, entry.seq, entry.pk, failure)
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    checked = expected_seq - 1
    if checked == head_seq and prev_hash != (head_hash or GENESIS):
        reason = "the last entry's hash is not the head's (the last entry was replaced)"
        return Verdict(False, checked - 1, head_seq, head_hash, checked, None, reason)
    if checked != head_seq:
        return Verdict(
            False,
            checked,
            head_seq,
            head_hash,
            min(checked, head_seq) + 1,
            None,
            f"the chain ends at #{checked} but its head says #{head_seq} (entries at the end were removed or added, "
            "or the head was changed)",
        )
    return Verdict(True, checked, head_seq, head_hash)
