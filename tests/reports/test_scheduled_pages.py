"""The "Schedule this report" form on each audience's report page, the list of one's schedules, and delete."""

import pytest

from reports.models import ReportSchedule
from tests import factories

pytestmark = pytest.mark.django_db

QUERY = "group_by=offer&preset=last_7_days"


@pytest.mark.parametrize("audience", ["manager", "affiliate", "advertiser"])
def test_each_audience_schedules_its_report_from_the_report_page(
    client, audience, manager, affiliate_user, advertiser_user
):
    user = {"manager": manager, "affiliate": affiliate_user, "advertiser": advertiser_user}[audience]
    prefix = {"manager": "/manage", "affiliate": "/affiliate", "advertiser": "/advertiser"}[audience]
    client.force_login(user)

    page = client.get(f"{prefix}/reports/?{QUERY}")
    assert "Schedule this report" in page.content.decode()
    assert f'name="query" value="{QUERY.replace("&", "&amp;")}"' in page.content.decode()

    response = client.post(
        f"{prefix}/reports/scheduled/", {"name": "Weekly", "frequency": "weekly", "query": QUERY + "&page=3"}
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert (schedule.owner, schedule.query, schedule.frequency) == (user, QUERY, "weekly")
    listing = client.get(f"{prefix}/reports/scheduled/").content.decode()
    assert "Weekly" in listing and "Every Monday" in listing

    assert client.post(f"{prefix}/reports/scheduled/{schedule.pk}/delete/").status_code == 302
    assert not ReportSchedule.objects.exists()


def test_bad_input_is_a_400_and_nothing_is_saved(client, affiliate_user):
    client.force_login(affiliate_user)
    response = client.post("/affiliate/reports/scheduled/", {"name": "", "frequency": "hourly", "query": QUERY})
    assert response.status_code == 400
    response = client.post(
        "/affiliate/reports/scheduled/", {"name": "X", "frequency": "daily", "query": "group_by=advertiser"}
    )
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not ReportSchedule.objects.exists()


def test_someone_elses_schedule_is_not_found_and_stays(client, affiliate_user):
    other = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    schedule = ReportSchedule.objects.create(owner=other, name="Theirs", query=QUERY)
    client.force_login(affiliate_user)
    assert client.post(f"/affiliate/reports/scheduled/{schedule.pk}/delete/").status_code == 404
    assert "Theirs" not in client.get("/affiliate/reports/scheduled/").content.decode()
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()
