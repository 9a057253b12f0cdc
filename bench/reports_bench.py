# ruff: noqa: S608 -- table and column names come from Django models, values are query parameters.
"""Report pages at a million clicks: load 1,000,000 clicks and 30,000 conversions into PostgreSQL, build the
rollups, then time the main report pages (Django test client, full request: middleware, session, template).

    .venv/bin/python bench/reports_bench.py            # loads once, then reuses the data (--reload to load again)
    .venv/bin/python bench/reports_bench.py --clicks 200000 --conversions 6000 --reload

The database is tally_bench_reports on 127.0.0.1 (created when missing; BENCH_DATABASE_URL overrides it).
Rows are made by INSERT … SELECT over generate_series inside PostgreSQL, not one by one through the ORM: 60
network days of traffic from 400 affiliates on 100 offers of 20 advertisers, a few sub IDs per affiliate, skewed
so that a few pairs get most clicks. Prints load, rollup (full rebuild and one minutely refresh) and page times.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tally_bench_reports")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ADVERTISERS, OFFERS, AFFILIATES, OFFERS_PER_AFFILIATE, DAYS = 20, 100, 400, 8, 60
PAGE_TARGET_MS = 300


def ensure_database():
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _defaults(model, given):
    """SQL expressions for every column of `model`: ours where given, else the field's default as a parameter
    (so a column another change adds with a default does not break the load)."""
    from django.db import connection

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            expressions.append(given[field.column])
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    return ", ".join(columns), ", ".join(expressions), params


def load(clicks, conversions):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from conversions.models import Conversion
    from offers.models import Offer
    from partners.models import Advertiser, Affiliate, Membership
    from reports.models import DailyStat, DailySubStat, RollupState
    from tracking.models import Click

    tables = [m._meta.db_table for m in (DailyStat, DailySubStat, RollupState, Conversion, Click, Membership)]
    tables += [Offer._meta.db_table, Affiliate._meta.db_table, Advertiser._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    get_user_model().objects.filter(username__startswith="bench-").delete()

    with transaction.atomic(), connection.cursor() as cursor:
        advertisers = Advertiser.objects.bulk_create(
            Advertiser(name=f"Advertiser {n:02d}", status="active") for n in range(ADVERTISERS)
        )
        Offer.objects.bulk_create(
            Offer(
                advertiser=advertisers[n % ADVERTISERS],
                name=f"Offer {n:03d}",
                destination_url="https://shop.example/?tid={transaction_id}",
                payout_type="cps_percent" if n % 3 == 0 else "cpa_flat",
                payout=10 if n % 3 == 0 else 4 + n % 7,
                revenue=15 if n % 3 == 0 else 6 + n % 9,
                currency="EUR" if n % 10 == 0 else "USD",
            )
            for n in range(OFFERS)
        )
        Affiliate.objects.bulk_create(Affiliate(name=f"Affiliate {n:03d}", status="active") for n in range(AFFILIATES))
        # The pairs that carry traffic: each affiliate runs OFFERS_PER_AFFILIATE offers.
        cursor.execute("CREATE TEMP TABLE bench_pair (n int PRIMARY KEY, offer_id bigint, affiliate_id bigint)")
        cursor.execute(
            "INSERT INTO bench_pair SELECT row_number() OVER () - 1, o.id, a.id FROM "
            f"{Affiliate._meta.db_table} a CROSS JOIN LATERAL (SELECT id FROM {Offer._meta.db_table} "
            "WHERE (id * 7 + a.id * 13) %% %s < %s ORDER BY id LIMIT %s) o",
            [OFFERS, OFFERS_PER_AFFILIATE + 2, OFFERS_PER_AFFILIATE],
        )
        cursor.execute("SELECT count(*) FROM bench_pair")
        pairs = cursor.fetchone()[0]

        # The rows are consistent by construction: skip the per-row foreign-key triggers while loading.
        cursor.execute("SET LOCAL session_replication_role = replica")
        started = time.monotonic()
        # pow(random(), 3): a few pairs get most of the traffic, as on a real network.
        columns, expressions, params = _defaults(
            Click,
            {
                "transaction_id": "md5(g::text)",
                "offer_id": "p.offer_id",
                "affiliate_id": "p.affiliate_id",
                "aff_sub": "CASE WHEN g %% 10 < 3 THEN '' ELSE 'sub-' || (p.affiliate_id %% 7 + g %% 4) END",
                "ip": "('10.' || (g %% 250) || '.' || (g / 250 %% 250) || '.' || (g %% 7))::inet",
                "user_agent": "'Mozilla/5.0 (bench)'",
                "is_unique": "random() < 0.8",
                "created_at": "t.at",
                "expires_at": "t.at + interval '720 hours'",
            },
        )
        cursor.execute(
            f"INSERT INTO {Click._meta.db_table} ({columns}) SELECT {expressions} "
            "FROM (SELECT g, now() - random() * interval '1 day' * %s AS at, floor(pow(random(), 3) * %s)::int AS n "
            "FROM generate_series(1, %s) g) t JOIN bench_pair p ON p.n = t.n",
            [*params, DAYS, pairs, clicks],
        )
        click_seconds = time.monotonic() - started

        started = time.monotonic()
        columns, expressions, params = _defaults(
            Conversion,
            {
                "click_id": "c.id",
                "offer_id": "c.offer_id",
                "affiliate_id": "c.affiliate_id",
                "transaction_id": "c.transaction_id",
                # What the postback pipeline copies from the click (conversions.models.click_details).
                "aff_sub": "c.aff_sub",
                "clicked_at": "c.created_at",
                "amount": "round((random() * 200)::numeric, 2)",
                "payout": "o.payout",
                "revenue": "o.revenue",
                "currency": "o.currency",
                "single_per_click": "true",
                "status": "CASE WHEN c.id %% 10 < 7 THEN 'approved' WHEN c.id %% 10 < 9 THEN 'pending' "
                "ELSE 'rejected' END",
                "created_at": "least(c.created_at + random() * interval '2 hours', now())",
                "updated_at": "now()",
            },
        )
        cursor.execute(
            f"INSERT INTO {Conversion._meta.db_table} ({columns}) SELECT {expressions} "
            f"FROM (SELECT * FROM {Click._meta.db_table} ORDER BY md5(id::text || 'conv') LIMIT %s) c "
            f"JOIN {Offer._meta.db_table} o ON o.id = c.offer_id",
            [*params, conversions],
        )
        conversion_seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Click._meta.db_table}")
        cursor.execute(f"ANALYZE {Conversion._meta.db_table}")
    print(
        f"loaded {clicks:,} clicks in {click_seconds:.1f} s, {conversions:,} conversions in {conversion_seconds:.1f} s"
    )


def users():
    from django.db.models import Count

    from partners.models import Membership
    from tests.factories import ManagerFactory, UserFactory
    from tracking.models import Click

    def member(name, **partner):
        user = UserFactory(username=name)
        Membership.objects.get_or_create(user=user, defaults=partner)
        return user

    busiest = Click.objects.values("affiliate_id").annotate(n=Count("pk")).order_by("-n").first()["affiliate_id"]
    from offers.models import Offer

    advertiser_id = Offer.objects.values_list("advertiser_id", flat=True).order_by("pk").first()
    return {
        "manager": ManagerFactory(username="bench-manager"),
        "affiliate": member("bench-affiliate", affiliate_id=busiest),
        "advertiser": member("bench-advertiser", advertiser_id=advertiser_id),
    }


PAGES = [
    ("manager", "manager:report", "group_by=affiliate"),
    ("manager", "manager:report", "group_by=offer"),
    ("manager", "manager:report", "group_by=advertiser"),
    ("manager", "manager:report", "group_by=day"),
    ("manager", "manager:report", "group_by=affiliate&preset=custom&date_from={d60}&date_to={today}"),
    ("manager", "manager:report", "group_by=affiliate&sort=-cr&preset=last_7_days"),
    ("manager", "manager:report_csv", "group_by=affiliate"),
    ("affiliate", "affiliate:report", "group_by=offer"),
    ("affiliate", "affiliate:report", "group_by=day"),
    ("affiliate", "affiliate:report", "group_by=sub"),
    ("affiliate", "affiliate:report_csv", "group_by=sub"),
    ("advertiser", "advertiser:report", "group_by=offer"),
    ("advertiser", "advertiser:report", "group_by=day"),
]


def time_pages(runs):
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse

    from core.periods import network_today

    today = network_today()
    fill = {"today": today.isoformat(), "d60": (today - timedelta(days=DAYS)).isoformat()}
    accounts = users()
    worst = 0.0
    # "django cpu" is this process's CPU time per request (Django, template, CSV), which other load on the
    # machine does not stretch; the wall-clock median includes PostgreSQL's time and any wait for a core.
    print(f"\n{'page':<58}{'rows':>6}{'median ms':>11}{'max ms':>9}{'django cpu ms':>15}")
    for who, name, query in PAGES:
        client = Client()
        client.force_login(accounts[who])
        url = f"{reverse(name)}?{query.format(**fill)}"
        samples, cpu, size = [], [], 0
        for attempt in range(runs + 1):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt:  # the first request warms caches and the connection
                samples.append(elapsed)
                cpu.append((time.process_time() - started_cpu) * 1000)
            size = body.count(b"<tr") - 2 if not response.streaming else body.count(b"\n") - 1
        median = statistics.median(samples)
        worst = max(worst, median)
        print(f"{who + ' ' + url:<58}{size:>6}{median:>11.1f}{max(samples):>9.1f}{statistics.median(cpu):>15.1f}")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nmachine load average while timing (1, 5, 15 min; {os.cpu_count()} cores): {load}")
    verdict = "under" if worst < PAGE_TARGET_MS else "OVER"
    print(f"slowest page median {worst:.1f} ms: {verdict} the {PAGE_TARGET_MS} ms target")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--conversions", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (after one warm-up)")
    parser.add_argument("--reload", action="store_true", help="load the data again even if it is there")
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the rollups when the data was already there")
    args = parser.parse_args()

    ensure_database()
    setup_django()
    from conversions.models import Conversion
    from reports.services import rollups_rebuild, rollups_refresh
    from tracking.models import Click

    fresh = args.reload or Click.objects.count() != args.clicks or Conversion.objects.count() != args.conversions
    if fresh:
        load(args.clicks, args.conversions)
    if fresh or not args.skip_rebuild:
        started = time.monotonic()
        written = rollups_rebuild()
        print(f"rollups rebuilt from raw rows in {time.monotonic() - started:.1f} s ({written:,} sub-ID rows)")
    started = time.monotonic()
    rollups_refresh()
    print(f"one minutely refresh (today's and yesterday's rows) took {time.monotonic() - started:.2f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does in production after a rewrite of the rollups
        cursor.execute("VACUUM ANALYZE reports_dailystat, reports_dailysubstat")
    time_pages(args.runs)


if __name__ == "__main__":
    main()
