from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One change a person (or the system) made to one object: who, when, from which address, and each field's old
    and new value (secrets only as "rotated"). Rows are only ever appended: `seq` numbers them without gaps and
    `hash` chains each to the one before (README, Audit trail), so an edited, deleted or reordered row shows."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        STATUS = "status", "status change"
        ROTATE = "rotate", "secret rotated"
        INVITE = "invite"

    # Position in the chain: 1, 2, 3… (unique, so two writers can never both append entry n).
    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The user's ID and username as they were (a plain number, not a foreign key: deleting a user must neither
    # cascade here nor change the row); "system" for tasks and commands, "anonymous" for a public form.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    # "offers.offer" and the row's primary key: the history of one object (indexed for its History section).
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    # The objects whose History also shows this entry, as " offers.offer:5 partners.affiliate:3 " (a goal's entry
    # shows on its offer, an access row's on its offer and its affiliate).
    related = models.TextField(blank=True)
    # [{"field": "payout", "old": "2.00", "new": "2.50"}, …] sorted by field; a secret's values are never stored.
    changes = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            # One object's History section: its entries, newest first.
            models.Index(fields=["object_type", "object_id", "-seq"], name="audit_entry_object_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_type} {self.object_id}"


class AuditHead(models.Model):
    """The chain's head: the last entry's number and hash, in the one row (pk=1) every append locks first, so
    concurrent writers append one after the other and never fork the chain. `audit_verify` checks the last entry
    against it, which shows a deleted last entry too."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"head #{self.seq} {self.hash[:12]}"
