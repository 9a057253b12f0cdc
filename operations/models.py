"""What Tally knows about its own background processes: each periodic task's last run, and heartbeats."""

from django.db import models


class TaskRun(models.Model):
    """The last run of one periodic (beat) task: when it ended, how, and when it last succeeded."""

    class Result(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"

    task = models.CharField(max_length=200)
    last_run_at = models.DateTimeField()
    last_result = models.CharField(max_length=16, choices=Result.choices)
    last_error = models.CharField(max_length=500, blank=True)
    # Seconds the last run took (None when the worker could not tell).
    last_duration = models.FloatField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task"]
        constraints = [models.UniqueConstraint(fields=["task"], name="%(app_label)s_%(class)s_unique_task")]

    def __str__(self):
        return f"{self.task}: {self.last_result} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class Heartbeat(models.Model):
    """When a background process was last seen alive: the worker ran beat's heartbeat task, or beat scheduled one."""

    class Component(models.TextChoices):
        WORKER = "worker", "Celery worker"
        BEAT = "beat", "Celery beat"

    component = models.CharField(max_length=16, choices=Component.choices)
    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["component"]
        constraints = [models.UniqueConstraint(fields=["component"], name="%(app_label)s_%(class)s_unique_component")]

    def __str__(self):
        return f"{self.component} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
