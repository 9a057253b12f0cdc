"""Report periods: dates typed in the filter bar choose the custom range, even though the bar also sends the Period
select still showing its default; dates sent with another period are not used, and the page says so."""

from datetime import date, timedelta

import pytest

from core.periods import network_today

pytestmark = pytest.mark.django_db


def test_dates_sent_with_the_default_period_select_the_custom_range(manager_client):
    response = manager_client.get(
        "/manage/reports/", {"preset": "last_30_days", "date_from": "2025-03-01", "date_to": "2025-03-31"}
    )
    assert response.status_code == 200
    params = response.context["params"]
    assert (params["date_from"], params["date_to"]) == (date(2025, 3, 1), date(2025, 3, 31))
    assert response.context["filter"].form.cleaned_data["preset"] == "custom"
    assert "were not used" not in response.content.decode()


def test_the_report_api_reads_dates_with_the_default_period_the_same_way(manager_client):
    response = manager_client.get(
        "/api/v1/reports/", {"group_by": "day", "preset": "last_30_days", "date_from": "2025-03-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["date_from"] == "2025-03-01"


def test_dates_sent_with_another_period_are_not_used_and_the_page_says_so(manager_client):
    response = manager_client.get(
        "/manage/reports/", {"preset": "last_7_days", "date_from": "2025-03-01", "date_to": "2025-03-31"}
    )
    assert response.status_code == 200
    today = network_today()
    params = response.context["params"]
    assert (params["date_from"], params["date_to"]) == (today - timedelta(days=6), today)
    page = response.content.decode()
    assert "Showing “Last 7 days”: the From and To dates were not used." in page
    # The form shows what the report shows: no stale dates left in it.
    assert 'value="2025-03-01"' not in page


def test_the_report_dates_are_date_pickers_like_the_list_filters(manager_client):
    page = manager_client.get("/manage/reports/").content.decode()
    assert '<input type="date" name="date_from"' in page
    assert '<input type="date" name="date_to"' in page
