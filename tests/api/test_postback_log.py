"""/api/v1/postback-log/: managers read every entry, advertisers those on their offers, affiliates none."""

import pytest

from tests.api.helpers import ids

URL = "/api/v1/postback-log/"


def test_a_manager_reads_every_entry_with_its_trace(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.log_a.pk, network.log_b.pk}
    row = api("manager").get(f"{URL}{network.log_a.pk}/").json()
    assert row == {
        "id": network.log_a.pk,
        "received_at": row["received_at"],
        "source_ip": "192.0.2.10",
        "params": {"transaction_id": network.click_a.transaction_id, "security_token": "***"},
        "verdict": "approved",
        "reason": "",
        "trace": [{"rule": "missing_parameter", "ok": True, "detail": ""}],
        "conversion": network.conv_a.pk,
    }


def test_an_advertiser_reads_entries_on_its_offers_only(api, network):
    assert ids(api("advertiser").get(URL)) == {network.log_a.pk}
    assert api("advertiser").get(f"{URL}{network.log_b.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["affiliate_a", "affiliate_b"])
def test_affiliates_read_no_entries(api, network, role):
    assert ids(api(role).get(URL)) == set()
    assert api(role).get(f"{URL}{network.log_a.pk}/").status_code == 404


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_the_log_is_read_only(api, network):
    assert api("manager").patch(f"{URL}{network.log_a.pk}/", {"verdict": "rejected"}, format="json").status_code == 405


def test_entries_filter_by_verdict_and_transaction_id(api, network):
    network.log_b.verdict = "rejected"
    network.log_b.reason = "duplicate"
    network.log_b.save()
    manager = api("manager")
    assert ids(manager.get(URL, {"verdict": "rejected"})) == {network.log_b.pk}
    assert ids(manager.get(URL, {"reason": "duplicate"})) == {network.log_b.pk}
    assert ids(manager.get(URL, {"transaction_id": network.click_a.transaction_id})) == {network.log_a.pk}
