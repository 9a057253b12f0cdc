"""Time the manager's report reads (reports.selectors) on the benchmark database; print medians as one JSON line.

    DATABASE_URL=postgres://.../tally_bench python bench/report_timing.py
First brings the rollups up to date (`rollups_rebuild`, timed too), as the minutely job keeps them.
"""

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.selectors import report_daily_series, report_rows  # noqa: E402
from reports.services import rollups_rebuild  # noqa: E402


def median_ms(call, times=20):
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return f"{statistics.median(samples):.1f} ms"


def main():
    manager, _ = get_user_model().objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    started = time.perf_counter()
    rollups_rebuild()
    rebuilt = time.perf_counter() - started
    today = timezone.localdate()
    month = {"date_from": today - timedelta(days=29), "date_to": today}
    print(
        json.dumps(
            {
                "rollup rebuild": f"{rebuilt:.1f} s",
                "by affiliate, 30 days": median_ms(lambda: report_rows(user=manager, group_by="affiliate", **month)),
                "by day, 30 days": median_ms(lambda: report_rows(user=manager, group_by="day", **month)),
                "daily chart": median_ms(lambda: report_daily_series(user=manager, **month)),
            }
        )
    )


if __name__ == "__main__":
    main()
