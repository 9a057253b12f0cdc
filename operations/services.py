"""Writes of the operations app: a periodic task's run, a heartbeat. Each is one upsert."""

from django.utils import timezone

from conversions.models import PostbackLog
from core import partitions
from operations.models import Heartbeat, TaskRun
from tracking.models import Click

# The tables range-partitioned by time on PostgreSQL (docs/storage.md); each names its column in `partitioned_by`.
PARTITIONED_MODELS = (Click, PostbackLog)


def task_run_record(*, task: str, succeeded: bool, error: str = "", duration: float | None = None, at=None) -> TaskRun:
    """Record that the periodic task `task` just ended, and how (its last success stays when it failed)."""
    at = at or timezone.now()
    values = {
        "last_run_at": at,
        "last_result": TaskRun.Result.SUCCESS if succeeded else TaskRun.Result.FAILURE,
        "last_error": "" if succeeded else error[:500],
        "last_duration": duration,
    }
    if succeeded:
        values["last_success_at"] = at
    run, _ = TaskRun.objects.update_or_create(task=task, defaults=values)
    return run


def heartbeat_record(*, component: str, hostname: str = "", at=None) -> Heartbeat:
    """Record that `component` (Heartbeat.Component) is alive now."""
    beat, _ = Heartbeat.objects.update_or_create(
        component=component, defaults={"seen_at": at or timezone.now(), "hostname": hostname[:255]}
    )
    return beat


def partitions_create_ahead(*, using="default") -> list[str]:
    """Create the missing time partitions of every partitioned table through partitions.AHEAD from now (beat:
    hourly, and after every migrate): a click or postback never waits for one. Idempotent; returns the names
    created. Nothing on SQLite."""
    through = timezone.now() + partitions.AHEAD
    return [
        name
        for model in PARTITIONED_MODELS
        for name in partitions.partitions_create_ahead(model, through=through, using=using)
    ]
