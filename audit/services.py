"""Writing the audit trail (README, Audit trail): the services that change something a manager cares about record
it here, inside their own transaction, so a change that rolls back leaves no entry and every kept change has one.

    with audit_changes(offer):             # snapshot from the database before, diff after
        assign_and_save(offer, fields, OFFER_FIELDS)

    audit_record(action=AuditEntry.Action.DELETE, obj=goal, changes=changes_between(audit_snapshot(goal), {}, Goal))

Recording is explicit rather than through model signals: a queryset `.update()` sends none, and a service knows
which change is a status change or a rotation. A service that updates many rows with one `.update()` records each
with `audit_record_many`."""

from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal

from django.db import models, transaction

from audit.chain import GENESIS, entry_hash
from audit.context import Actor, actor_for, current_actor
from audit.models import AuditEntry, AuditHead

# Never recorded: bookkeeping columns every row has.
SKIPPED_FIELDS = {"id", "created_at", "updated_at"}
# Text columns whose values are credentials: an entry says they were rotated (set, removed), never what they hold.
SECRET_WORDS = ("secret", "token", "password", "api_key")
ROTATED, SET, REMOVED = "rotated", "set", "removed"
# A change of these alone (status among them) is a status change: the action managers filter on.
STATUS_FIELDS = {"status", "status_reason", "rejection_reason"}


def is_secret(field) -> bool:
    return isinstance(field, models.CharField | models.TextField) and any(w in field.name for w in SECRET_WORDS)


def object_type(obj) -> str:
    return obj._meta.label_lower


def _plain(value):
    """A JSON value that reads back unchanged (the hash covers it): Decimals, dates and the rest as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    return str(value)


def audit_snapshot(obj) -> dict:
    """The recorded fields of `obj` as {name: value} (foreign keys by ID under the field's name)."""
    return {
        field.name: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in SKIPPED_FIELDS and not getattr(field, "primary_key", False)
    }


def changes_between(before: dict, after: dict, model=None) -> list:
    """[{"field", "old", "new"}] for each field whose value differs, sorted by name; a secret's values replaced by
    what happened to it ("rotated", "set", "removed")."""
    secrets = {f.name for f in model._meta.concrete_fields if is_secret(f)} if model is not None else set()
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in secrets:
            if old and new:
                old, new = "", ROTATED
            else:
                old, new = "", SET if new else REMOVED
            changes.append({"field": name, "old": old, "new": new, "secret": True})
        else:
            changes.append({"field": name, "old": _plain(old), "new": _plain(new)})
    return changes


def _locked_head():
    """The chain's head row, locked until the caller's transaction ends (made on first use)."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    return head


def audit_lock() -> None:
    """Lock the chain's head now, for the rest of the caller's transaction. Every transaction that records takes
    the head before any row it locks (audit_changes does so itself), so two of them never wait on each other's
    head and row in opposite orders (a deadlock): a service that locks rows itself before recording calls this
    first."""
    _locked_head()


def audit_record(*, action, obj, changes, actor=None, note="", related=()) -> AuditEntry:
    """Append one entry for `obj` to the chain, inside the caller's transaction. `changes`: from
    `changes_between`; `actor`: a user, or None for the current request's (or "system" outside one); `related`:
    objects whose History shows the entry too."""
    return audit_record_many(action=action, items=[(obj, changes)], actor=actor, note=note, related=related)[0]


def related_key(obj) -> str:
    return f"{object_type(obj)}:{obj.pk}"


@transaction.atomic
def audit_record_many(*, action, items, actor=None, note="", related=()) -> list:
    """Append one entry per (obj, changes) under a single lock of the head: for a service that changed many rows
    with one queryset `.update()`, which no signal reports."""
    who = _actor(actor)
    head = _locked_head()
    seq, prev_hash = head.seq, head.hash or GENESIS
    made = []
    keys = "".join(f" {related_key(o)}" for o in related if o is not None)
    for obj, changes in items:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            actor_id=who.user_id,
            actor_name=who.name[:150],
            ip=who.ip,
            action=AuditEntry.Action(action),
            object_type=object_type(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            related=f"{keys} " if keys else "",
            changes=_plain(list(changes)),
            note=(note or "")[:500],
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(prev_hash, entry)
        made.append(entry)
        prev_hash = entry.hash
    AuditEntry.objects.bulk_create(made)
    head.seq, head.hash = seq, prev_hash
    head.save(update_fields=["seq", "hash"])
    return made


def _actor(actor) -> Actor:
    if actor is None:
        return current_actor()
    if isinstance(actor, Actor):
        return actor
    return actor_for(actor, current_actor().ip)


def audit_created(obj, *, related=(), actor=None, note="") -> AuditEntry:
    """Record that `obj` was just made (saved in this transaction): its non-empty fields as new values."""
    changes = [c for c in changes_between({}, audit_snapshot(obj), type(obj)) if c["new"] not in (None, "", [], {})]
    return audit_record(
        action=AuditEntry.Action.CREATE, obj=obj, changes=changes, actor=actor, note=note, related=related
    )


def audit_deleted(obj, *, related=(), actor=None, note="") -> AuditEntry:
    """Record that `obj` is about to be deleted (call before .delete(), in the same transaction): its old values."""
    changes = changes_between(audit_snapshot(obj), {}, type(obj))
    return audit_record(
        action=AuditEntry.Action.DELETE, obj=obj, changes=changes, actor=actor, note=note, related=related
    )


@contextmanager
def audit_changes(obj, *, action=None, note="", actor=None, related=(), new=False):
    """Record what the block changes on `obj`: a create when it has no primary key yet, otherwise the difference
    between the row as the database holds it now (not the instance, which a form may already have changed) and
    the instance after the block. Nothing is recorded when nothing changed. Runs in the caller's transaction (or
    its own). `new`: the row was made earlier in this transaction (a get_or_create), so this is still its creation.

    The chain's head is locked before the row is read, so every append locks the head before any row it reads:
    two services never wait on each other's head and row in opposite orders."""
    model = type(obj)
    before = None
    with transaction.atomic():
        audit_lock()
        if obj.pk is not None and not new:
            stored = model._default_manager.select_for_update().filter(pk=obj.pk).first()
            before = audit_snapshot(stored) if stored is not None else None
        yield
        changes = changes_between(before or {}, audit_snapshot(obj), model)
        if before is None:  # a new row: what it was made with, leaving out the empty fields
            changes = [c for c in changes if c["new"] not in (None, "", [], {})]
        elif not changes:
            return
        if before is None:
            default = AuditEntry.Action.CREATE
        elif any(c["field"] == "status" for c in changes) and {c["field"] for c in changes} <= STATUS_FIELDS:
            default = AuditEntry.Action.STATUS
        else:
            default = AuditEntry.Action.UPDATE
        audit_record(action=action or default, obj=obj, changes=changes, actor=actor, note=note, related=related)
