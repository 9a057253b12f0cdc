"""seed_demo: the demo data `make run` loads, made once however often it runs."""

import re
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from areas.manager.management.commands.seed_demo import DAYS
from conversions.models import Conversion, PostbackLog
from offers.models import Goal, Offer, OfferAccess
from partners.models import Advertiser, Affiliate, Membership
from reports.selectors import report_rows
from tracking.models import Click

pytestmark = pytest.mark.django_db

MODELS = [get_user_model(), Advertiser, Affiliate, Membership, Offer, Goal, OfferAccess, Click, Conversion, PostbackLog]


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def printed_path(output, label):
    url = re.search(rf"{label}:\s+(\S+)", output).group(1)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_running_seed_demo_twice_creates_everything_once():
    seed()
    first = counts()
    seed()

    assert counts() == first
    assert first["Advertiser"] == 1
    assert first["Affiliate"] == 3
    assert first["Offer"] == 6
    assert first["Click"] > 0
    assert first["Conversion"] > 0


def test_the_demo_has_conversions_of_every_kind_spread_over_two_weeks():
    seed()
    conversions = Conversion.objects.all()

    assert conversions.filter(status=Conversion.Status.APPROVED).exists()
    assert conversions.filter(status=Conversion.Status.PENDING, offer__conversion_approval="manual").exists()
    assert conversions.filter(status=Conversion.Status.REJECTED, status_reason="cap_reached").exists()
    assert conversions.filter(goal__isnull=False).exists()
    assert conversions.filter(click__isnull=True).exists()  # partner-ID conversions
    days = {c.created_at.date() for c in conversions}
    assert len(days) > 5
    assert min(c.created_at for c in Click.objects.all()) > timezone.now() - timedelta(days=DAYS + 1)
    assert PostbackLog.objects.count() == Conversion.objects.count()


def test_the_printed_login_and_links_work(client):
    output = seed()

    assert "manager / tally-demo" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert client.login(username="manager", password="tally-demo")
    click = client.get(printed_path(output, "Tracking link"))
    assert click.status_code == 302
    assert click["Location"].startswith("https://shop.acme.example/landing?tid=")
    postback = client.get(printed_path(output, "Postback"))
    assert postback.status_code == 200
    assert postback.json()["status"] == "approved"


def test_the_printed_links_use_the_address_tally_runs_on():
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8100", stdout=out)
    output = out.getvalue()

    for label in ("Admin", "Tracking link", "Postback", "Partner-ID"):
        assert re.search(rf"{label}:\s+http://127\.0\.0\.1:8100/", output), label
    assert ":8000" not in output


def test_reports_show_the_demo_as_soon_as_it_is_seeded(manager):
    seed()
    today = timezone.localdate()
    rows = report_rows(user=manager, group_by="affiliate", date_from=today - timedelta(days=DAYS + 1), date_to=today)

    assert sum(row.clicks for row in rows) == Click.objects.count() > 0
    assert sum(row.conversions for row in rows) == Conversion.objects.filter(status="approved").count() > 0


def test_acme_gets_a_signing_secret_once_and_it_is_printed():
    output = seed()
    secret = Advertiser.objects.get(name="Acme Shop").signing_secret
    seed()

    assert len(secret) >= 32
    assert Advertiser.objects.get(name="Acme Shop").signing_secret == secret
    assert f"Acme's signing secret (for X-Tally-Signature): {secret}" in output
