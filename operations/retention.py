"""The retention job (README, Data retention): drops clicks and postback-log rows past their retention, by day
partition on PostgreSQL (core.partitions, docs/storage.md), in batches elsewhere."""

import logging

from django.utils import timezone

from conversions.retention import postback_log_cutoff, postback_log_drop
from core.periods import day_start, network_tz
from reports.services import rollups_complete_until
from tracking.retention import click_horizon, clicks_cutoff, clicks_drop

logger = logging.getLogger(__name__)


def _day_floor(moment):
    """The start of the network day holding `moment`: clicks go by whole network days, so the rollups' rebuild
    knows which days are complete (reports.services._first_complete_day)."""
    return day_start(timezone.localtime(moment, network_tz()).date())


def retention_apply(*, now=None):
    """Drop what is past retention. Clicks wait for the rollups (a click goes only once the rollups count it) and
    for the sessions still open among them (tracking.retention.clicks_cutoff). Returns what was done."""
    now = now or timezone.now()
    done = {}
    complete = rollups_complete_until()
    if complete is None:
        logger.warning("retention: no click dropped, the rollups have not been refreshed yet")
        done["clicks"] = {"partitions": [], "deleted": 0, "before": None}
    else:
        before = _day_floor(clicks_cutoff(now=now, limit=complete))
        done["clicks"] = {**clicks_drop(before=before), "before": before.isoformat()}
        held = click_horizon(now) - before
        if held.days >= 1:
            logger.info("retention: clicks since %s kept past retention (an open session or the rollups)", before)
    log_before = postback_log_cutoff(now)
    done["postback_log"] = {**postback_log_drop(before=log_before), "before": log_before.isoformat()}
    return done
