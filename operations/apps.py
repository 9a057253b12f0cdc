from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    name = "operations"

    def ready(self):
        from celery import signals

        from core import logs
        from operations import task_runs

        # The request ID travels from the request (or task) that publishes a task to the worker that runs it.
        signals.before_task_publish.connect(logs.task_publish_carry_request_id, dispatch_uid="core.logs.publish")
        signals.task_prerun.connect(logs.task_prerun_adopt_request_id, dispatch_uid="core.logs.prerun")
        signals.task_postrun.connect(logs.task_postrun_forget_request_id, dispatch_uid="core.logs.postrun")
        # Each periodic task's last run and result, and beat's heartbeat when it schedules the heartbeat task.
        signals.before_task_publish.connect(task_runs.beat_published, dispatch_uid="operations.beat_published")
        signals.beat_init.connect(task_runs.beat_started, dispatch_uid="operations.beat_started")
        signals.task_prerun.connect(task_runs.task_started, dispatch_uid="operations.task_started")
        signals.task_success.connect(task_runs.task_succeeded, dispatch_uid="operations.task_succeeded")
        signals.task_failure.connect(task_runs.task_failed, dispatch_uid="operations.task_failed")
        # The partitions ahead exist as soon as the database is migrated, not only after the first hourly run.
        post_migrate.connect(partitions_after_migrate, sender=self, dispatch_uid="operations.partitions")


def partitions_after_migrate(using="default", plan=None, **kwargs):
    from operations.services import partitions_create_ahead

    if plan is not None:  # not a flush (tests)
        partitions_create_ahead(using=using)
