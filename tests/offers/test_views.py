"""The manager's offer pages: list and filters, the offer form with its URL builder and goals, archive, access."""

from decimal import Decimal

import pytest

from offers.macros import CLICK_MACROS
from offers.models import Goal, Offer, OfferAccess
from tests import factories

pytestmark = pytest.mark.django_db


def offer_data(advertiser, goals=(), **overrides):
    """What the offer form posts: every offer field, plus the goals formset."""
    data = {
        "advertiser": advertiser.pk,
        "name": "Summer Sale",
        "description": "",
        "status": "active",
        "destination_url": "https://shop.example/land?tid={transaction_id}&sub=<aff_sub>",
        "fallback_url": "",
        "visibility": "public",
        "payout_type": "cpa_flat",
        "payout": "4.50",
        "revenue_type": "cps_percent",
        "revenue": "10",
        "currency": "usd",
        "session_hours": "672",
        "conversion_approval": "manual",
        "daily_cap": "",
        "monthly_cap": "100",
        # Traffic quality's conversion rules: what the form shows for a new offer.
        "too_fast_seconds": "0",
        "too_fast_action": "review",
        "country_mismatch_action": "off",
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": str(sum(1 for g in goals if g.get("id"))),
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
    }
    for index, goal in enumerate(goals):
        row = {"payout_type": "cpa_flat", "revenue_type": "cpa_flat", "payout": "0", "revenue": "0", **goal}
        data.update({f"goals-{index}-{key}": value for key, value in row.items()})
    data.update(overrides)
    return data


# --- list ----------------------------------------------------------------------------------------------------


def test_the_offer_list_filters_with_the_offer_filterset(manager_client):
    factories.OfferFactory(name="Running Shoes")
    factories.OfferFactory(name="Garden Tools", status=Offer.Status.PAUSED)

    everything = manager_client.get("/manage/offers/")
    paused = manager_client.get("/manage/offers/", {"status": "paused"})
    searched = manager_client.get("/manage/offers/", {"q": "shoes"})

    assert b"Running Shoes" in everything.content and b"Garden Tools" in everything.content
    assert b"Garden Tools" in paused.content and b"Running Shoes" not in paused.content
    assert b"Running Shoes" in searched.content and b"Garden Tools" not in searched.content


def test_the_offer_list_pages_without_counting(manager_client):
    advertiser = factories.AdvertiserFactory()
    factories.OfferFactory.create_batch(51, advertiser=advertiser)

    first = manager_client.get("/manage/offers/")
    second = manager_client.get("/manage/offers/", {"page": "2"})

    assert len(first.context["object_list"]) == 50
    assert first.context["page_obj"].has_next
    assert len(second.context["object_list"]) == 1
    assert not second.context["page_obj"].has_next


# --- create and edit -----------------------------------------------------------------------------------------


def test_creating_an_offer_with_goals_saves_both(manager_client):
    advertiser = factories.AdvertiserFactory()
    goals = [{"name": "registration", "payout": "1.00", "revenue": "2.00"}, {"name": "deposit", "payout": "5"}]

    response = manager_client.post("/manage/offers/new/", offer_data(advertiser, goals))

    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/manage/offers/{offer.pk}/"
    assert offer.advertiser == advertiser
    assert offer.destination_url == "https://shop.example/land?tid={transaction_id}&sub=<aff_sub>"
    assert offer.session_hours == 672
    assert offer.currency == "USD"
    assert offer.payout == Decimal("4.50")
    assert offer.revenue_type == Offer.PayoutType.CPS_PERCENT
    assert offer.conversion_approval == Offer.Approval.MANUAL
    assert offer.monthly_cap == 100 and offer.daily_cap is None
    assert sorted(offer.goals.values_list("name", "payout")) == [
        ("deposit", Decimal("5.00")),
        ("registration", Decimal("1.00")),
    ]


def test_an_unknown_macro_is_refused_with_the_list_of_known_ones(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.post(
        "/manage/offers/new/", offer_data(advertiser, destination_url="https://shop.example/?t={click_id}")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["destination_url"]
    assert errors == [f"Unknown macro: click_id. Known macros: {', '.join(CLICK_MACROS)}."]
    assert b"Unknown macro: click_id" in response.content
    assert not Offer.objects.exists()


def test_a_macro_in_the_host_name_is_refused(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.post(
        "/manage/offers/new/", offer_data(advertiser, destination_url="https://{aff_sub}.example/land")
    )

    assert response.context["form"].errors["destination_url"] == ["Macros may not stand in the host name."]
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("session_hours", "0", "Ensure this value is greater than or equal to 1."),
        ("payout", "-1", "Ensure this value is greater than or equal to 0."),
        ("currency", "dollars", "Ensure this value has at most 3 characters (it has 7)."),
        ("advertiser", "999999", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_the_offer_form_explains_each_invalid_field(manager_client, field, value, message):
    advertiser = factories.AdvertiserFactory()

    data = offer_data(advertiser)
    data[field] = value

    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Offer.objects.exists()


def test_two_goals_of_one_offer_may_not_share_a_name(manager_client):
    advertiser = factories.AdvertiserFactory()
    goals = [{"name": "deposit"}, {"name": "deposit"}]

    response = manager_client.post("/manage/offers/new/", offer_data(advertiser, goals))

    assert response.status_code == 200
    assert response.context["goal_formset"].total_error_count() >= 1
    assert not Offer.objects.exists()
    assert not Goal.objects.exists()


def test_preview_shows_the_landing_url_of_a_sample_click_without_saving(manager_client):
    advertiser = factories.AdvertiserFactory()
    data = offer_data(advertiser, destination_url="https://shop.example/l?sub={aff_sub}&src=<source>", preview="1")

    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 200
    assert response.context["preview_url"] == "https://shop.example/l?sub=newsletter&src=email"
    assert b"https://shop.example/l?sub=newsletter&amp;src=email" in response.content
    assert not Offer.objects.exists()


def test_a_refused_template_shows_why_in_the_preview_too(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.post(
        "/manage/offers/new/", offer_data(advertiser, destination_url="https://x.example/{nope}")
    )

    assert response.context["preview_url"] is None
    assert response.context["preview_error"].startswith("Unknown macro: nope.")


def test_the_preview_endpoint_fills_a_template_for_the_url_builder(manager_client):
    response = manager_client.get(
        "/manage/offers/preview/", {"template": "https://x.example/?t={transaction_id}&o=<offer_id>", "offer_id": "42"}
    )

    assert response.json() == {"valid": True, "url": "https://x.example/?t=9f2c4e7a1b3d5f60718293a4b5c6d7e8&o=42"}


def test_the_preview_endpoint_explains_an_invalid_template(manager_client):
    response = manager_client.get("/manage/offers/preview/", {"template": "https://x.example/?t={clickid}"})

    body = response.json()
    assert body["valid"] is False
    assert body["error"].startswith("Unknown macro: clickid. Known macros: transaction_id, affiliate_id")


def test_the_offer_form_lists_every_click_macro_and_the_session_presets(manager_client):
    response = manager_client.get("/manage/offers/new/")

    for macro in CLICK_MACROS:
        assert f'data-insert-macro="{macro}"'.encode() in response.content
    assert b'data-set-value="672"' in response.content
    assert b'data-set-value="720"' in response.content
    assert b'<option value="672">' in response.content


def test_editing_an_offer_updates_it_and_its_goals(manager_client):
    offer = factories.OfferFactory(session_hours=720)
    kept = factories.GoalFactory(offer=offer, name="registration")
    dropped = factories.GoalFactory(offer=offer, name="old")
    goals = [
        {"id": kept.pk, "name": "sign-up", "payout": "1.50"},
        {"id": dropped.pk, "name": "old", "DELETE": "on"},
        {"name": "purchase", "payout": "9"},
    ]
    data = offer_data(offer.advertiser, goals, name="Renamed", session_hours="720", status="paused")

    response = manager_client.post(f"/manage/offers/{offer.pk}/edit/", data)

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Renamed"
    assert offer.status == Offer.Status.PAUSED
    assert offer.session_hours == 720
    assert sorted(offer.goals.values_list("name", flat=True)) == ["purchase", "sign-up"]
    assert Goal.objects.get(pk=kept.pk).payout == Decimal("1.50")


def test_a_goal_with_conversions_cannot_be_removed(manager_client):
    offer = factories.OfferFactory()
    goal = factories.GoalFactory(offer=offer, name="deposit")
    factories.ConversionFactory(click=factories.ClickFactory(offer=offer), goal=goal)
    data = offer_data(offer.advertiser, [{"id": goal.pk, "name": "deposit", "DELETE": "on"}])

    response = manager_client.post(f"/manage/offers/{offer.pk}/edit/", data)

    assert response.status_code == 200
    assert "has conversions and cannot be removed" in str(response.context["goal_formset"].non_form_errors())
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_archiving_an_offer_sets_its_status(manager_client):
    offer = factories.OfferFactory()

    response = manager_client.post(f"/manage/offers/{offer.pk}/archive/")

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ARCHIVED


def test_the_offer_page_shows_its_goals_and_links(manager_client):
    offer = factories.OfferFactory(name="Acme Install")
    goal = factories.GoalFactory(offer=offer, name="first_deposit")

    response = manager_client.get(f"/manage/offers/{offer.pk}/")

    assert b"Acme Install" in response.content
    assert b"first_deposit" in response.content
    assert f"/click?offer_id={offer.pk}&amp;aff_id=".encode() in response.content
    assert str(goal.pk).encode() in response.content


# --- offer access --------------------------------------------------------------------------------------------


def test_the_access_list_shows_pending_requests_first(manager_client):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    factories.OfferAccessFactory(offer=offer, affiliate=factories.AffiliateFactory(name="Zed Approved"))
    factories.OfferAccessFactory(
        offer=offer, affiliate=factories.AffiliateFactory(name="Amy Pending"), status=OfferAccess.Status.PENDING
    )

    response = manager_client.get("/manage/access/", {"offer": offer.pk})

    assert [row.affiliate.name for row in response.context["object_list"]] == ["Amy Pending", "Zed Approved"]


def test_the_access_list_filters_by_affiliate(manager_client):
    mine = factories.OfferAccessFactory()
    factories.OfferAccessFactory()

    response = manager_client.get("/manage/access/", {"affiliate": mine.affiliate_id})

    assert list(response.context["object_list"]) == [mine]


@pytest.mark.parametrize("status", ["approved", "rejected", "blocked"])
def test_a_decision_on_a_request_keeps_its_payout_override(manager_client, status):
    access = factories.OfferAccessFactory(status=OfferAccess.Status.PENDING, payout=Decimal("7.00"))

    response = manager_client.post(f"/manage/access/{access.pk}/status/", {"status": status})

    assert response.status_code == 302
    access.refresh_from_db()
    assert access.status == status
    assert access.payout == Decimal("7.00")


def test_an_unknown_status_changes_nothing(manager_client):
    access = factories.OfferAccessFactory(status=OfferAccess.Status.PENDING)

    manager_client.post(f"/manage/access/{access.pk}/status/", {"status": "sure"})

    access.refresh_from_db()
    assert access.status == OfferAccess.Status.PENDING


def test_granting_access_with_a_payout_override_creates_the_row(manager_client):
    offer = factories.OfferFactory(visibility=Offer.Visibility.PRIVATE)
    affiliate = factories.AffiliateFactory()

    response = manager_client.post(
        "/manage/access/new/", {"offer": offer.pk, "affiliate": affiliate.pk, "status": "approved", "payout": "3.25"}
    )

    assert response.status_code == 302
    access = OfferAccess.objects.get()
    assert (access.offer, access.affiliate, access.status, access.payout) == (
        offer,
        affiliate,
        "approved",
        Decimal("3.25"),
    )


def test_granting_access_explains_missing_and_invalid_fields(manager_client):
    offer = factories.OfferFactory()

    response = manager_client.post("/manage/access/new/", {"offer": offer.pk, "status": "approved", "payout": "-2"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "affiliate": ["This field is required."],
        "payout": ["Ensure this value is greater than or equal to 0."],
    }
    assert not OfferAccess.objects.exists()


def test_editing_an_access_row_sets_or_clears_the_payout_override(manager_client):
    access = factories.OfferAccessFactory(payout=None)

    manager_client.post(f"/manage/access/{access.pk}/edit/", {"status": "approved", "payout": "2.40"})
    access.refresh_from_db()
    assert access.payout == Decimal("2.40")

    manager_client.post(f"/manage/access/{access.pk}/edit/", {"status": "approved", "payout": ""})
    access.refresh_from_db()
    assert access.payout is None


def test_editing_an_access_row_refuses_a_negative_payout(manager_client):
    access = factories.OfferAccessFactory(payout=Decimal("1.00"))

    response = manager_client.post(f"/manage/access/{access.pk}/edit/", {"status": "approved", "payout": "-1"})

    assert response.status_code == 400
    assert response.context["form"].errors["payout"] == ["Ensure this value is greater than or equal to 0."]
    access.refresh_from_db()
    assert access.payout == Decimal("1.00")


def test_a_new_offer_from_an_advertiser_page_starts_with_that_advertiser(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.get("/manage/offers/new/", {"advertiser": advertiser.pk})

    assert response.context["form"]["advertiser"].value() == str(advertiser.pk)
