"""The postback snippets of an advertiser's offer page, run for real: curl, PHP (php-cli), Python and Node.js (as
CommonJS and as an ES module) call a live test server, convert, and print the reason of a 409 (duplicate) and of
a 403 (wrong security token). The snippets come from the page itself, as an advertiser copies them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from areas.advertiser.postback_snippets import AFFILIATE_ID, AMOUNT, ORDER_ID, TRANSACTION_ID, UNIQUE_ID, VARIABLES
from conversions.models import Conversion
from tests import factories
from tests.integrations.conftest import run, tool

pytestmark = pytest.mark.django_db(transaction=True)

# How each snippet is run: its program and file name.
RUNNERS = {
    "curl": ("sh", "postback.sh", "curl"),
    "php": ("php", "postback.php", "php"),
    "python": ("python3", "postback.py", "python"),
    "node-cjs": ("node", "postback.cjs", "node"),
    "node-mjs": ("node", "postback.mjs", "node"),
}


def page_snippets(client, live_server, offer, protocol):
    """The snippets as the offer page shows them, with the postback URL of the live server."""
    host = live_server.url.removeprefix("http://")
    response = client.get(reverse("advertiser:offer_detail", args=[offer.pk]), {"protocol": protocol}, HTTP_HOST=host)
    assert response.status_code == 200
    return {snippet.key: snippet.text for snippet in response.context["call_snippets"]}


def program(language, text, values):
    """The snippet as the advertiser's code runs it: its placeholders (curl) or variables set to `values`."""
    if language == "curl":
        tool("curl")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text
    variables = VARIABLES["node" if language.startswith("node") else language]
    if language == "php":
        lines = "".join(f"{variables[name]} = '{value}';\n" for name, value in values.items())
        return text.replace("<?php\n", f"<?php\n{lines}", 1)
    if language == "python":
        return "".join(f'{variables[name]} = "{value}"\n' for name, value in values.items()) + text
    return "".join(f'const {variables[name]} = "{value}";\n' for name, value in values.items()) + text


def run_snippet(language, text, values, tmp_path):
    executable, filename, _ = RUNNERS[language]
    path = tmp_path / filename
    path.write_text(program(language, text, values))
    return run([tool(executable), str(path)], cwd=tmp_path)


@pytest.fixture
def advertiser_page(client):
    advertiser = factories.AdvertiserFactory()
    client.force_login(factories.MembershipFactory(advertiser=advertiser).user)
    return advertiser


@pytest.mark.parametrize("language", RUNNERS)
def test_the_transaction_id_snippet_converts_and_shows_why_a_duplicate_or_a_wrong_token_is_refused(
    language, client, live_server, advertiser_page, tmp_path
):
    offer = factories.OfferFactory(advertiser=advertiser_page)
    click = factories.ClickFactory(offer=offer)
    snippets = page_snippets(client, live_server, offer, "transaction")
    text = snippets[RUNNERS[language][2]]
    values = {TRANSACTION_ID: click.transaction_id, AMOUNT: "49.90", ORDER_ID: "ORDER-1001"}

    output = run_snippet(language, text, values, tmp_path)
    assert "200" in output and '"approved"' in output, output
    conversion = Conversion.objects.get(click=click)
    assert (conversion.amount, conversion.adv_sub) == (Decimal("49.90"), "ORDER-1001")

    output = run_snippet(language, text, values, tmp_path)
    assert "409" in output and '"duplicate"' in output, output

    wrong = text.replace(advertiser_page.security_token, "not-the-token")
    output = run_snippet(language, wrong, values, tmp_path)
    assert "403" in output and '"invalid_token"' in output, output
    assert Conversion.objects.filter(offer=offer).count() == 1


@pytest.mark.parametrize("language", RUNNERS)
def test_the_partner_id_snippet_carries_a_unique_id_so_a_retried_call_never_counts_twice(
    language, client, live_server, advertiser_page, tmp_path
):
    offer = factories.OfferFactory(advertiser=advertiser_page)
    affiliate = factories.AffiliateFactory()
    snippets = page_snippets(client, live_server, offer, "partner")
    text = snippets[RUNNERS[language][2]]
    assert "conversion_unique_id" in text and "transaction" not in text.lower()
    values = {AFFILIATE_ID: str(affiliate.pk), AMOUNT: "19.90", ORDER_ID: "SUB-7", UNIQUE_ID: "INV-2024-07"}

    output = run_snippet(language, text, values, tmp_path)
    assert "200" in output and '"approved"' in output, output
    conversion = Conversion.objects.get(offer=offer)
    assert (conversion.affiliate_id, conversion.conversion_unique_id) == (affiliate.pk, "INV-2024-07")

    output = run_snippet(language, text, values, tmp_path)  # the same call again, as a retry would send it
    assert "409" in output and '"duplicate"' in output, output

    wrong = text.replace(advertiser_page.security_token, "not-the-token")
    output = run_snippet(language, wrong, {**values, UNIQUE_ID: "INV-2024-08"}, tmp_path)
    assert "403" in output and '"invalid_token"' in output, output
    assert Conversion.objects.filter(offer=offer).count() == 1


def test_every_snippet_carries_the_advertisers_security_token(client, live_server, advertiser_page):
    offer = factories.OfferFactory(advertiser=advertiser_page)
    for protocol in ("transaction", "partner"):
        for key, text in page_snippets(client, live_server, offer, protocol).items():
            assert "security_token" in text and advertiser_page.security_token in text, (protocol, key)
