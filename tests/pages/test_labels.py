"""Labels people tripped on: "Any" for a yes/no filter, reason codes as a list, "Transaction ID", goal rows,
money with its currency, the terms behind the sign-up checkbox, readable rules in the advertiser's trace."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from conversions.reasons import Reason
from tests import factories
from tests.portal import postback_log

pytestmark = pytest.mark.django_db


def test_the_postback_log_filters_test_entries_by_any_yes_or_no(manager_client):
    page = manager_client.get("/manage/postbacks/").content.decode()
    assert '<option value="unknown" selected>Any</option>' in page
    assert "Unknown" not in page


def test_the_test_filter_still_reads_true_and_false(manager_client):
    test, real = postback_log(is_test=True), postback_log(is_test=False)
    listed = manager_client.get("/manage/postbacks/", {"is_test": "true"}).context["object_list"]
    assert [log.pk for log in listed] == [test.pk]
    listed = manager_client.get("/api/v1/postback-log/", {"is_test": "false"}).json()["results"]
    assert [log["id"] for log in listed] == [real.pk]


def test_the_reason_filter_is_the_list_of_reason_codes(manager_client):
    refused = postback_log(verdict="rejected", reason="invalid_token")
    postback_log(verdict="rejected", reason="duplicate")
    response = manager_client.get("/manage/postbacks/", {"reason": "invalid_token"})
    page = response.content.decode()
    assert '<select name="reason" id="id_reason">' in page
    for reason in Reason:
        assert f'<option value="{reason.value}"' in page
    assert '<option value="invalid_token" selected>invalid_token: Security token</option>' in page
    assert [log.pk for log in response.context["object_list"]] == [refused.pk]


@pytest.mark.parametrize("path", ["/manage/conversions/", "/manage/clicks/", "/manage/postbacks/"])
def test_transaction_id_is_spelled_id(manager_client, path):
    page = manager_client.get(path).content.decode()
    assert ">Transaction ID:</label>" in page
    assert "Transaction Id" not in page


def test_the_empty_goal_row_has_no_delete_box_and_a_saved_goal_has_one(manager_client):
    assert "goals-0-DELETE" not in manager_client.get("/manage/offers/new/").content.decode()
    goal = factories.GoalFactory()
    page = manager_client.get(f"/manage/offers/{goal.offer_id}/edit/").content.decode()
    assert 'name="goals-0-DELETE"' in page
    assert 'name="goals-1-DELETE"' not in page


def test_a_payout_override_shows_its_currency(manager_client):
    offer = factories.OfferFactory(currency="EUR")
    factories.OfferAccessFactory(offer=offer, payout=Decimal("45.00"))
    page = manager_client.get("/manage/access/").content.decode()
    assert '45.00 EUR <span class="muted">override</span>' in page


def test_the_conversion_list_shows_the_amount_with_its_currency(manager_client):
    factories.ConversionFactory(amount=Decimal("49.90"), currency="EUR")
    page = manager_client.get("/manage/conversions/").content.decode()
    assert '<td class="num">49.90 EUR</td>' in page


def test_the_sign_up_form_links_to_the_terms(client):
    page = client.get("/signup/").content.decode()
    assert 'href="/terms/"' in page


def test_the_terms_page_shows_the_template_text_by_default(client):
    response = client.get("/terms/")
    assert response.status_code == 200
    assert "<h1>Terms and conditions</h1>" in response.content.decode()
    assert "Send traffic only from the sources you described" in response.content.decode()


def test_the_terms_page_shows_the_networks_own_file_as_text(client, settings, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("Acme Network terms.\n\nNo <script>alert(1)</script> spam.\nSecond line.\n", encoding="utf-8")
    settings.TALLY_TERMS_FILE = str(terms)
    page = client.get("/terms/").content.decode()
    assert "<p>Acme Network terms.</p>" in page
    assert "<p>No &lt;script&gt;alert(1)&lt;/script&gt; spam.<br>Second line.</p>" in page
    assert "Send traffic only from the sources" not in page


def test_the_advertisers_trace_names_each_rule_as_the_managers_does(rf):
    log = postback_log(
        verdict="rejected",
        reason="invalid_token",
        trace=[{"rule": "missing_parameter", "ok": True}, {"rule": "invalid_token", "ok": False, "detail": "wrong"}],
    )
    html = render_to_string("advertiser/_integration_results.html", {"logs": [log], "request": rf.get("/")})
    assert "Rejected: Security token <code>invalid_token</code>" in html
    assert 'Required parameters present <code class="muted">missing_parameter</code>' in html
    assert 'Security token <code class="muted">invalid_token</code>' in html
