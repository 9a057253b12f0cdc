"""Django-side steps of `bench/run.py --growth`, each printing one JSON line.

    DATABASE_URL=postgres://.../tally_growth python bench/growth_tools.py partitions 32
    DATABASE_URL=postgres://.../tally_growth python bench/growth_tools.py retention
    DATABASE_URL=postgres://.../tally_growth python bench/growth_tools.py sizes

partitions DAYS: the day partitions of clicks for the last DAYS days (a bulk load of past clicks would otherwise land
in the DEFAULT partition). retention: one timed run of the retention job (operations.retention), with the clicks
the partition it drops held. sizes: bytes per row, indexes included, of clicks, postback-log rows and conversions.
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversions.models import Conversion, PostbackLog  # noqa: E402
from core.partitions import partitions, partitions_create_between  # noqa: E402
from operations.retention import retention_apply  # noqa: E402
from tracking.models import Click  # noqa: E402


def create_partitions(days):
    now = timezone.now()
    created = partitions_create_between(Click, start=now - timedelta(days=days), through=now)
    return {"created": len(created), "partitions": len(partitions(Click))}


def rows_in(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (a partition name read from the catalogue)
        return cursor.fetchone()[0]


def retention():
    """One timed run of the job; first the clicks of the partitions past retention (not timed)."""
    horizon = timezone.now() - timedelta(days=settings.TALLY_CLICK_RETENTION_DAYS)
    past = [p for p in partitions(Click) if p.end <= horizon]
    held = sum(rows_in(p.name) for p in past)
    started = time.perf_counter()
    done = retention_apply()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "dropped": done["clicks"]["partitions"],
        "their clicks": held,
        "partitions left": len(partitions(Click)),
    }


def sizes():
    """Bytes per row of each table, all its partitions together: in total and in its indexes."""
    found = {}
    with connection.cursor() as cursor:
        for label, model in (("click", Click), ("postback log row", PostbackLog), ("conversion", Conversion)):
            table = model._meta.db_table
            # A partitioned table's own size is 0: add up its partitions (pg_partition_tree is empty for a plain one).
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size(%s::regclass)),"
                " coalesce(sum(pg_indexes_size(relid)), pg_indexes_size(%s::regclass))"
                " FROM pg_partition_tree(%s::regclass)",
                [table, table, table],
            )
            total, indexes = cursor.fetchone()
            count = model.objects.count()
            found[label] = {
                "rows": count,
                "bytes": int(total),
                "bytes per row": round(total / count) if count else None,
                "index bytes per row": round(indexes / count) if count else None,
            }
    return found


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "partitions":
        print(json.dumps(create_partitions(int(sys.argv[2]))))
    elif command == "retention":
        print(json.dumps(retention()))
    elif command == "sizes":
        print(json.dumps(sizes()))
    else:
        raise SystemExit(f"unknown command {command!r}")
