"""Reads of the audit trail: managers only (everyone else sees nothing)."""

from django.db.models import Q

from audit.models import AuditEntry
from audit.services import object_type
from core.scoping import restrict


def audit_entry_list(*, user):
    """Every entry, for managers; no one else reads the trail."""
    return restrict(AuditEntry.objects.all(), user)


def audit_history(*, user, obj):
    """One object's History: its own entries and those that name it as related (an offer's goals and access
    rows, an affiliate's access rows), newest first."""
    kind, pk = object_type(obj), str(obj.pk)
    return (
        audit_entry_list(user=user)
        .filter(Q(object_type=kind, object_id=pk) | Q(related__contains=f" {kind}:{pk} "))
        .order_by("-seq")
    )
