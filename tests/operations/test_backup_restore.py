"""Backups that restore (README, Operations): a seeded PostgreSQL database dumped with pg_dump, restored with
pg_restore into a new database, and Tally run on the copy: every row is there, the migrations are all applied,
/readyz answers, and a postback for a click made days before the backup still converts on it."""

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from offers.models import Offer
from tests.operations.serve import BASE_DIR
from tests.worker import _database_url
from tracking.models import Click

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Run on a restored database: the rows of every model, as JSON on the last line.
COUNT_EVERY_MODEL = (
    "import json; from django.apps import apps; "
    "print(json.dumps({m._meta.label: m._base_manager.count() for m in apps.get_models()}))"
)


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def manage(database_url, *args):
    """`manage.py <args>` on another database; its standard output."""
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": "filesystem://"}
    result = subprocess.run(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def postgres_tool(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: install Debian's postgresql-client (apt-get install -y postgresql-client)"
    return path


@pytest.fixture
def restored_database():
    """The name of a database to restore into, dropped after the test."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored"
    server = _database_url(settings).rsplit("/", 1)[0]
    psql = [postgres_tool("psql"), f"{server}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}"'], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603
    yield name
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)  # noqa: S603


def test_a_dump_restored_into_a_new_database_runs_tally_with_every_row(restored_database, server_process, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    old_click = (
        Click.objects.filter(
            created_at__lt=now - timedelta(days=5),
            expires_at__gt=now + timedelta(days=1),
            conversions__isnull=True,
            offer__name="Acme Newsletter Sign-up",
            affiliate__name="Blue Coupons",
        )
        .select_related("offer__advertiser")
        .first()
    )
    assert old_click is not None, "seed_demo made no unconverted click older than five days"
    token = old_click.offer.advertiser.security_token
    assert old_click.offer.status == Offer.Status.ACTIVE and token
    before = row_counts()
    assert before["tracking.Click"] > 100 and before["conversions.Conversion"] > 10

    source_url = _database_url(connection.settings_dict)
    restored_url = f"{source_url.rsplit('/', 1)[0]}/{restored_database}"
    dump = tmp_path / "tally.dump"
    # The README's commands: a custom-format dump, restored without the source's owners and privileges.
    subprocess.run(  # noqa: S603
        [postgres_tool("pg_dump"), "--format=custom", f"--file={dump}", source_url], check=True, timeout=120
    )
    subprocess.run(  # noqa: S603
        [postgres_tool("pg_restore"), "--no-owner", "--no-privileges", f"--dbname={restored_url}", str(dump)],
        check=True,
        timeout=120,
    )

    # Every row of every model, and no migration left to apply.
    assert json.loads(manage(restored_url, "shell", "-c", COUNT_EVERY_MODEL).splitlines()[-1]) == before
    manage(restored_url, "migrate", "--check")

    # Tally serves from the copy: ready, and a postback for the old click converts there (and only there).
    server = server_process(DATABASE_URL=restored_url, CELERY_BROKER_URL="filesystem://", TALLY_VAR_DIR=str(tmp_path))
    assert server.get("/readyz")[0] == 200
    status, _, body = server.get(
        f"/postback?transaction_id={old_click.transaction_id}&amount=10.00&adv_sub=AFTER-RESTORE&security_token={token}"
    )
    assert status == 200, body
    assert json.loads(body)["status"] == "approved"
    after = json.loads(manage(restored_url, "shell", "-c", COUNT_EVERY_MODEL).splitlines()[-1])
    assert after["conversions.Conversion"] == before["conversions.Conversion"] + 1
    assert after["conversions.PostbackLog"] == before["conversions.PostbackLog"] + 1
    assert row_counts() == before  # the source is untouched
