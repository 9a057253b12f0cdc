"""Postback-log retention (README, Data retention): log rows go TALLY_POSTBACK_LOG_RETENTION_DAYS after they were
received; on PostgreSQL by day partition (core.partitions, docs/storage.md), elsewhere in batches. Conversions keep
no pointer to their log rows (a log row points at its conversion), so nothing else changes."""

from datetime import timedelta

from django.conf import settings

from conversions.models import PostbackLog
from core.partitions import is_partitioned, partitions_drop_before

DELETE_BATCH_SIZE = 5000


def postback_log_cutoff(now):
    return now - timedelta(days=settings.TALLY_POSTBACK_LOG_RETENTION_DAYS)


def postback_log_drop(*, before, batch_size=DELETE_BATCH_SIZE):
    """Drop the log rows received before `before`: the day partitions that end by then on PostgreSQL, every such row
    elsewhere (a replay of a dropped row stays). Returns {"partitions", "deleted"}."""
    if is_partitioned(PostbackLog):
        return {"partitions": partitions_drop_before(PostbackLog, before), "deleted": 0}
    deleted = 0
    while ids := list(PostbackLog.objects.filter(received_at__lt=before).values_list("pk", flat=True)[:batch_size]):
        deleted += PostbackLog.objects.filter(pk__in=ids).delete()[0]
    return {"partitions": [], "deleted": deleted}
