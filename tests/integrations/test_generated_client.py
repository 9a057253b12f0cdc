"""A Python client generated from the served schema by openapi-python-client (as an integrator would make one), used
with its default settings (`Authorization: Bearer <token>`) for a manager's and an affiliate's everyday calls
against a live test server."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from conversions import outbound
from conversions.models import Conversion
from partners.models import Affiliate
from tests import factories

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def tally_api_client(live_server, tmp_path, monkeypatch):
    """The package openapi-python-client generates from /api/schema/ of the live server, imported."""
    if not GENERATOR.exists():
        pytest.fail("openapi-python-client is not installed: it is in the dev extra (`make test` installs it)")
    # Its formatting step runs ruff, which is in the same virtualenv.
    env = {"PATH": f"{GENERATOR.parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 (the generator from our virtualenv, fixed arguments)
        [str(GENERATOR), "generate", "--url", f"{live_server.url}/api/schema/", "--meta", "none"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Warning" not in output, output
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("tally_api_client")
    yield package
    for name in [name for name in sys.modules if name.split(".")[0] == "tally_api_client"]:
        del sys.modules[name]


def api_module(package, path):
    return importlib.import_module(f"{package.__name__}.{path}")


def test_a_generated_client_does_a_managers_and_an_affiliates_calls_with_its_defaults(
    tally_api_client, live_server, network, monkeypatch
):
    # The affiliate's postback URL is checked without asking a DNS server (the live server runs in this process).
    monkeypatch.setattr(outbound, "resolve_host", lambda host, port: ["93.184.216.34"])
    client_class = tally_api_client.AuthenticatedClient
    offers_list = api_module(tally_api_client, "api.offers.offers_list")
    conversions_list = api_module(tally_api_client, "api.conversions.conversions_list")
    conversions_partial_update = api_module(tally_api_client, "api.conversions.conversions_partial_update")
    reports_list = api_module(tally_api_client, "api.reports.reports_list")
    affiliates_retrieve = api_module(tally_api_client, "api.affiliates.affiliates_retrieve")
    affiliates_partial_update = api_module(tally_api_client, "api.affiliates.affiliates_partial_update")
    rotate = api_module(tally_api_client, "api.affiliates.affiliates_rotate_postback_secret_create")
    models = api_module(tally_api_client, "models")
    unset = api_module(tally_api_client, "types").UNSET

    def client_for(role):
        token = Token.objects.get_or_create(user=network.users[role])[0].key
        return client_class(base_url=live_server.url, token=token, raise_on_unexpected_status=True)

    pending = factories.ConversionFactory(
        click=factories.ClickFactory(offer=network.public, affiliate=network.aff_a), status="pending"
    )

    # The manager: offers, a filtered conversion list, an approval, a report.
    with client_for("manager") as manager:
        assert manager.prefix == "Bearer"  # the generator's default, not set here
        offers = offers_list.sync(client=manager)
        assert isinstance(offers, models.PaginatedOfferList) and offers.count == 4
        assert {offer.status.value for offer in offers.results} == {"active"}
        page = conversions_list.sync(client=manager, status=models.ConversionsListStatus.PENDING)
        assert [row.id for row in page.results] == [pending.pk]
        approved = conversions_partial_update.sync(
            pending.pk,
            client=manager,
            body=models.PatchedConversionRequest(status=models.ConversionStatusEnum.APPROVED, reason="shipped"),
        )
        assert isinstance(approved, models.Conversion) and approved.status.value == "approved"
        assert Conversion.objects.get(pk=pending.pk).status == "approved"
        report = reports_list.sync(client=manager, group_by=models.ReportsListGroupBy.AFFILIATE)
        assert isinstance(report, models.PaginatedReportRowList)

    # Affiliate A: its conversions (payout, no revenue), its postback URL, a new postback secret; nobody else's.
    with client_for("affiliate_a") as affiliate:
        page = conversions_list.sync(client=affiliate)
        assert {row.id for row in page.results} == {network.conv_a.pk, pending.pk}
        assert all(row.payout is not unset and row.revenue is unset for row in page.results)
        url = "https://bluecoupons.example/pb?click={aff_click_id}&payout={payout}"
        changed = affiliates_partial_update.sync(
            network.aff_a.pk, client=affiliate, body=models.PatchedAffiliateRequest(postback_url=url)
        )
        assert isinstance(changed, models.Affiliate) and changed.postback_url == url
        secrets = rotate.sync(network.aff_a.pk, client=affiliate)
        assert isinstance(secrets, models.PostbackSecret)
        assert secrets.postback_secret == Affiliate.objects.get(pk=network.aff_a.pk).postback_secret
        other = affiliates_retrieve.sync_detailed(network.aff_b.pk, client=client_for("affiliate_a"))
        assert other.status_code == 404
