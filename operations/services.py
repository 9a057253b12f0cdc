"""Writes of the operations app: a periodic task's run, a heartbeat. Each is one upsert."""

from django.utils import timezone

from operations.models import Heartbeat, TaskRun


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
