"""The manager's Flagged conversions page, the flags on a conversion's page, the offer form's conversion rules, and
the Time to convert report (README, Traffic quality)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversions.models import Conversion, ConversionFlag
from offers.models import Offer, RuleAction
from tests import factories

pytestmark = pytest.mark.django_db

PENDING, APPROVED, REJECTED = Conversion.Status.PENDING, Conversion.Status.APPROVED, Conversion.Status.REJECTED


def flagged(code, *, status=PENDING, detail="", **fields):
    conversion = factories.ConversionFactory(status=status, **fields)
    ConversionFlag.objects.create(conversion=conversion, code=code, detail=detail or f"{code} detail")
    return conversion


def posted(value):
    """A form field's value as a browser posts it (a list: one value per ticked box)."""
    if value is None or value is False:
        return ""
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else value


def listed(response):
    return {conversion.pk for conversion in response.context["object_list"]}


def test_the_flagged_page_lists_only_flagged_conversions_with_their_flags(manager_client):
    too_fast = flagged("too_fast", detail="converted 2 s after the click; the offer's minimum is 60 s")
    mismatch = flagged("country_mismatch", status=REJECTED)
    factories.ConversionFactory(status=PENDING)  # not flagged

    response = manager_client.get("/manage/conversions/flagged/")

    assert response.status_code == 200
    assert listed(response) == {too_fast.pk, mismatch.pk}
    page = response.content.decode()
    assert "Flagged conversions" in page
    assert 'title="converted 2 s after the click; the offer&#x27;s minimum is 60 s">too_fast</span>' in page
    assert ">country_mismatch</span>" in page


def test_the_flagged_page_filters_by_flag_and_status(manager_client):
    too_fast = flagged("too_fast")
    mismatch = flagged("country_mismatch")
    both = flagged("too_fast", status=REJECTED)
    ConversionFlag.objects.create(conversion=both, code="country_mismatch")

    by_flag = manager_client.get("/manage/conversions/flagged/", {"flag": "country_mismatch"})
    pending_too_fast = manager_client.get("/manage/conversions/flagged/", {"flag": "too_fast", "status": "pending"})

    assert listed(by_flag) == {mismatch.pk, both.pk}
    assert listed(pending_too_fast) == {too_fast.pk}
    # The same filter on the conversion list and on the API.
    assert listed(manager_client.get("/manage/conversions/", {"flag": "too_fast"})) == {too_fast.pk, both.pk}


def test_an_unknown_flag_is_shown_as_a_filter_error(manager_client):
    flagged("too_fast")

    response = manager_client.get("/manage/conversions/flagged/", {"flag": "nonsense"})

    assert response.status_code == 200
    assert "flag" in response.context["filter"].errors


def test_a_manager_approves_flagged_conversions_from_the_flagged_page_and_goes_back_there(manager_client, manager):
    chosen = [flagged("too_fast"), flagged("country_mismatch")]

    response = manager_client.post(
        "/manage/conversions/bulk/",
        {
            "conversions": [c.pk for c in chosen],
            "status": "approved",
            "next": "/manage/conversions/flagged/?status=pending",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/conversions/flagged/?status=pending"
    for conversion in chosen:
        conversion.refresh_from_db()
        assert conversion.status == APPROVED
        assert conversion.status_changes.get().changed_by == manager
        assert conversion.flags.exists()  # the flag stays: why it was looked at


def test_the_conversion_page_shows_its_flags_time_and_country(manager_client):
    conversion = flagged("too_fast", detail="converted 3 s after the click; the offer's minimum is 60 s")
    Conversion.objects.filter(pk=conversion.pk).update(seconds_to_convert=3, country="DE")

    page = manager_client.get(f"/manage/conversions/{conversion.pk}/").content.decode()

    assert "<h3>Flags</h3>" in page
    assert "too_fast</span> converted 3 s after the click" in page
    assert "<dt>Click → conversion</dt><dd>3 s</dd>" in page
    assert "<dt>Shopper's country</dt><dd>DE" in page


def test_the_manager_nav_links_the_flagged_page(manager_client):
    page = manager_client.get("/manage/conversions/flagged/").content.decode()

    assert 'href="/manage/conversions/flagged/" aria-current="page">Flagged</a>' in page


def test_the_offer_form_sets_the_conversion_rules_in_its_targeting_and_quality_section(manager_client, offer):
    form_page = manager_client.get(f"/manage/offers/{offer.pk}/edit/")
    assert "Targeting &amp; quality" in form_page.content.decode()
    form = form_page.context["form"]
    data = {name: posted(form[name].value()) for name in form.fields}
    data.update(
        {
            "too_fast_seconds": "45",
            "too_fast_action": "reject",
            "country_mismatch_action": "review",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
        }
    )

    response = manager_client.post(f"/manage/offers/{offer.pk}/edit/", data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    offer = Offer.objects.get(pk=offer.pk)
    assert (offer.too_fast_seconds, offer.too_fast_action, offer.country_mismatch_action) == (
        45,
        RuleAction.REJECT,
        RuleAction.REVIEW,
    )


# --- Time to convert ------------------------------------------------------------------------------------------------


def test_the_time_to_convert_report_buckets_the_chosen_conversions(manager_client, offer):
    for seconds in (2, 5, 40, 4000, 4000):
        factories.ConversionFactory(click=factories.ClickFactory(offer=offer), seconds_to_convert=seconds)
    factories.ConversionFactory(seconds_to_convert=3)  # another offer
    factories.ConversionFactory(click=factories.ClickFactory(offer=offer), seconds_to_convert=None)  # no time

    response = manager_client.get("/manage/reports/time-to-convert/", {"offer": offer.pk})

    assert response.status_code == 200
    distribution = response.context["distribution"]
    counts = {bucket.label: bucket.count for bucket in distribution.buckets}
    assert counts["< 10 s"] == 2
    assert counts["30–60 s"] == 1
    assert counts["1–6 h"] == 2
    assert sum(counts.values()) == distribution.timed == 5
    assert distribution.untimed == 1
    assert distribution.buckets[0].percent == 40.0
    page = response.content.decode()
    assert 'id="time-chart"' in page
    assert 'id="time-chart-data"' in page


def test_the_time_to_convert_report_filters_by_affiliate_and_defaults_to_the_last_30_days(manager_client, affiliate):
    recent = factories.ConversionFactory(click=factories.ClickFactory(affiliate=affiliate), seconds_to_convert=20)
    old = factories.ConversionFactory(click=factories.ClickFactory(affiliate=affiliate), seconds_to_convert=20)
    Conversion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    factories.ConversionFactory(seconds_to_convert=20)  # another affiliate
    assert recent

    response = manager_client.get("/manage/reports/time-to-convert/", {"affiliate": affiliate.pk})

    assert response.context["distribution"].timed == 1


def test_the_time_to_convert_report_counts_in_one_query(manager_client, django_assert_max_num_queries, offer):
    factories.ConversionFactory.create_batch(5, click=factories.ClickFactory(offer=offer), seconds_to_convert=9)
    manager_client.get("/manage/reports/time-to-convert/")  # warm: session, user

    with django_assert_max_num_queries(8):
        response = manager_client.get("/manage/reports/time-to-convert/", {"offer": offer.pk})

    assert response.context["distribution"].timed == 5


def test_a_bad_filter_on_the_report_is_a_400_page(manager_client):
    response = manager_client.get("/manage/reports/time-to-convert/", {"date_from": "not-a-date"})

    assert response.status_code == 400
