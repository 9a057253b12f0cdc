"""The values of /metrics that live in the database, read when Prometheus scrapes (never counted on a request):
the outbox backlog and the age of its oldest due delivery, deliveries by outcome, rollup lag, each periodic task's
last success and the heartbeats. The counters of the hot paths are in core.metrics."""

import logging
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from conversions.models import PostbackDelivery
from core import partitions
from operations import selectors, services
from operations.models import Heartbeat, TaskRun
from operations.task_runs import periodic_tasks

logger = logging.getLogger(__name__)


class DatabaseCollector:
    """A prometheus_client collector reading the database at each scrape. If the database can't be read, it says
    so (tally_metrics_database_up 0) instead of failing the whole scrape."""

    def collect(self):
        now = timezone.now()
        up = GaugeMetricFamily("tally_metrics_database_up", "1 when the database values below could be read.")
        try:
            families = list(self._families(now))
        except Exception:
            logger.warning("/metrics could not read the database", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, now):
        backlog, _, age = selectors.outbox_state(now=now)
        yield GaugeMetricFamily("tally_outbox_backlog", "Affiliate postback deliveries pending.", value=backlog)
        yield GaugeMetricFamily(
            "tally_outbox_oldest_due_age_seconds",
            "How long the oldest due pending delivery has been due (0 when none is).",
            value=age or 0,
        )
        deliveries = GaugeMetricFamily(
            "tally_postback_deliveries_24h",
            "Affiliate postback deliveries created in the last 24 hours, by status (delivered, failed, pending).",
            labels=["status"],
        )
        counts = dict(
            PostbackDelivery.objects.filter(created_at__gte=now - timedelta(hours=24))
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in PostbackDelivery.Status.values:
            deliveries.add_metric([status], counts.get(status, 0))
        yield deliveries
        lag = selectors.rollup_lag(now=now)
        yield GaugeMetricFamily(
            "tally_rollup_lag_seconds",
            "Seconds between now and the instant report rollups are current until (-1: never refreshed).",
            value=-1 if lag is None else lag,
        )
        runs = {run.task: run for run in TaskRun.objects.all()}
        success = GaugeMetricFamily(
            "tally_task_last_success_timestamp_seconds",
            "Unix time of each periodic task's last success (0: never).",
            labels=["task"],
        )
        failed = GaugeMetricFamily(
            "tally_task_last_run_failed", "1 when the periodic task's last run failed.", labels=["task"]
        )
        for task in periodic_tasks():
            run = runs.get(task)
            success.add_metric([task], run.last_success_at.timestamp() if run and run.last_success_at else 0)
            failed.add_metric([task], 1 if run and run.last_result == TaskRun.Result.FAILURE else 0)
        yield success
        yield failed
        heartbeat = GaugeMetricFamily(
            "tally_heartbeat_timestamp_seconds",
            "Unix time the worker or beat was last seen alive.",
            labels=["component"],
        )
        seen = {beat.component: beat.seen_at for beat in Heartbeat.objects.all()}
        for component in Heartbeat.Component.values:
            heartbeat.add_metric([component], seen[component].timestamp() if component in seen else 0)
        yield heartbeat
        ahead = GaugeMetricFamily(
            "tally_partitions_ahead_seconds",
            "How far past now the last daily partition of each partitioned table reaches (PostgreSQL only).",
            labels=["table"],
        )
        for model in services.PARTITIONED_MODELS:
            if (reach := partitions.partitions_ahead(model)) is not None:
                ahead.add_metric([model._meta.db_table], reach.total_seconds())
        yield ahead
