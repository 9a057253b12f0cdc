"""Changes to what the postback pipeline recorded: a manager's replay of a rejected postback, and a conversion's
status (approve, reject, back to pending), each with its audit row and the affiliate postbacks it earns."""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_changes, audit_lock
from conversions.models import Conversion, ConversionStatusChange, PostbackLog, UsedSignature
from conversions.outbox import deliveries_record
from conversions.postback_pipeline import Outcome, PostbackRequest, postback_process
from conversions.reasons import Reason


def postback_replay(*, log: PostbackLog) -> Outcome:
    """Run a rejected postback again through the same rules (credentials as checked when it arrived)."""
    reason = Reason.lookup(log.reason)
    if log.verdict != PostbackLog.Verdict.REJECTED or reason is None or not reason.replayable:
        raise ValueError(f"only postbacks rejected for {', '.join(Reason.replayable_reasons())} can be replayed")
    request = PostbackRequest(
        params={k: v for k, v in log.params.items() if k != "security_token"},
        source_ip=log.source_ip,
        method=log.method,
        path=log.path,
        goal_required=log.path.startswith("/aff_goal"),
    )
    return postback_process(request=request, replay_of=log)


# Sent inside the transaction that changed a conversion's status, with `conversion` and `old_status`: the layers
# above (reports, whose rollups move the conversion at once) listen without conversions importing them.
conversion_status_changed = Signal()


@transaction.atomic
def conversion_set_status(*, conversion, status, reason="", user=None):
    """Approve, reject or return to pending one conversion, with an audit row. The row is locked so two
    managers acting at once are applied one after the other."""
    status = Conversion.Status(status)
    audit_lock()  # the audit trail's head before the conversion's row (audit.services.audit_lock)
    locked = Conversion.objects.select_for_update().get(pk=conversion.pk)
    if locked.status == status:
        return locked
    ConversionStatusChange.objects.create(
        conversion=locked, old_status=locked.status, new_status=status, reason=reason[:255], changed_by=user
    )
    old_status = locked.status
    with audit_changes(locked, action=AuditEntry.Action.STATUS, actor=user, note=reason):
        locked.status = status
        locked.status_reason = reason[:255] if status == Conversion.Status.REJECTED else ""
        locked.save(update_fields=["status", "status_reason", "updated_at"])
    deliveries_record(conversion=locked, old_status=old_status)
    conversion_status_changed.send(sender=Conversion, conversion=locked, old_status=old_status)
    return locked


def conversions_set_status(*, conversions, status, reason="", user=None):
    """The same for many conversions (a bulk action); each is its own transaction."""
    return [conversion_set_status(conversion=c, status=status, reason=reason, user=user) for c in conversions]


def used_signatures_purge() -> int:
    """Delete the used signatures whose window has ended (their timestamp is refused as too old anyway); returns how
    many."""
    deleted, _ = UsedSignature.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
