"""The signature verifier examples of an affiliate's postback page, run as the affiliate would run them (python3,
php -S, node) and called by real signed deliveries (conversions.sending.delivery_attempt): they accept Tally's
postbacks, with either secret during a rotation's grace period, and refuse anything else with a 403, which fails
the delivery at once."""

import os
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.utils import timezone

from areas.affiliate.verifier_examples import verifier_examples
from conversions import signing
from conversions.models import PostbackDelivery
from conversions.postback_test_fire import affiliate_postback_test_fire
from conversions.postback_urls import affiliate_postback_set
from conversions.sending import delivery_attempt
from partners.models import POSTBACK_SECRET_GRACE, Affiliate
from partners.services import affiliate_rotate_postback_secret
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.integrations.conftest import free_port, tool, wait_for_port

pytestmark = pytest.mark.django_db

LANGUAGES = ["verify-python", "verify-php", "verify-node"]
# A template with values that need percent-encoding: the examples must check the query string as received.
TEMPLATE = "/tally?click={aff_click_id}&sub={aff_sub}&cid={conversion_id}&payout={payout}&status={status}"


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True


@contextmanager
def example_server(key, secrets, tmp_path):
    """The example for `key`, with these secrets filled in, listening on a free port of 127.0.0.1."""
    example = next(e for e in verifier_examples(secrets=secrets) if e.key == key)
    # Node: a .cjs file, so it is CommonJS whatever a package.json above says.
    path = tmp_path / example.filename.replace(".js", ".cjs")
    path.write_text(example.text)
    port = free_port()
    if key == "verify-php":
        command = [tool("php"), "-S", f"127.0.0.1:{port}", str(path)]
    else:
        command = [tool("python3" if key == "verify-python" else "node"), str(path)]
    process = subprocess.Popen(  # noqa: S603 (our own example, fixed arguments)
        command,
        cwd=tmp_path,
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def delivery_to(client, server, affiliate):
    """An approved conversion of `affiliate` through /postback, and its delivery to `server` (not yet attempted)."""
    click = factories.ClickFactory(affiliate=affiliate, aff_click_id="their click/7", aff_sub="spring sale & more ü")
    affiliate_postback_set(affiliate=affiliate, url=server + TEMPLATE)
    response = client.get(
        "/postback", {"transaction_id": click.transaction_id, "amount": "20", "security_token": SECURITY_TOKEN}
    )
    assert response.status_code == 200, response.content
    return PostbackDelivery.objects.get(conversion__click=click)


def get(url, header):
    """(status, body) of a GET to an example with this X-Tally-Signature."""
    try:
        with urlopen(Request(url, headers={"X-Tally-Signature": header}), timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("key", LANGUAGES)
def test_the_example_accepts_a_real_delivery_and_a_test_fire_signed_with_the_secret(key, client, tmp_path):
    affiliate = factories.AffiliateFactory()
    with example_server(key, affiliate.postback_signing_secrets(), tmp_path) as server:
        delivery = delivery_attempt(delivery_id=delivery_to(client, server, affiliate).pk)
        answer, snippet = affiliate_postback_test_fire(affiliate=affiliate, url=server + TEMPLATE)
    attempt = delivery.attempt_log.get()
    assert (delivery.status, attempt.status_code, attempt.response_snippet) == ("delivered", 200, "ok")
    assert "%20" in attempt.url or "+" in attempt.url  # the signed query was percent-encoded
    assert (answer.status_code, snippet) == (200, "ok")


@pytest.mark.parametrize("key", LANGUAGES)
def test_during_the_grace_period_an_example_with_only_the_previous_secret_still_accepts(key, client, tmp_path):
    affiliate = factories.AffiliateFactory()
    old_secrets = affiliate.postback_signing_secrets()
    affiliate = affiliate_rotate_postback_secret(affiliate=affiliate)
    assert affiliate.postback_signing_secrets() == [affiliate.postback_secret, old_secrets[0]]
    with example_server(key, old_secrets, tmp_path) as server:
        delivery = delivery_attempt(delivery_id=delivery_to(client, server, affiliate).pk)
    assert (delivery.status, delivery.attempt_log.get().status_code) == ("delivered", 200)


@pytest.mark.parametrize("key", LANGUAGES)
def test_after_the_grace_period_the_previous_secret_is_refused_and_the_403_fails_the_delivery_at_once(
    key, client, tmp_path
):
    affiliate = factories.AffiliateFactory()
    old_secrets = affiliate.postback_signing_secrets()
    affiliate_rotate_postback_secret(affiliate=affiliate)
    ended = timezone.now() - POSTBACK_SECRET_GRACE - timedelta(minutes=1)
    Affiliate.objects.filter(pk=affiliate.pk).update(postback_secret_rotated_at=ended)
    affiliate.refresh_from_db()
    assert len(affiliate.postback_signing_secrets()) == 1
    with example_server(key, old_secrets, tmp_path) as server:
        delivery = delivery_attempt(delivery_id=delivery_to(client, server, affiliate).pk)
    attempt = delivery.attempt_log.get()
    assert (attempt.status_code, attempt.response_snippet) == (403, "invalid signature")
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)


@pytest.mark.parametrize("key", LANGUAGES)
def test_an_example_with_both_secrets_accepts_either_and_refuses_stale_tampered_or_foreign_signatures(key, tmp_path):
    current, previous = "new-secret_A1", "old-secret_B2"
    query = "click=their%20click%2F7&payout=5.00&status=approved"
    with example_server(key, [current, previous], tmp_path) as server:
        url = f"{server}/tally?{query}"
        now = int(time.time())  # whole seconds, as Tally signs: 310 s below stays clear of the 300 s edge
        assert get(url, signing.sign(current, query, now)) == (200, "ok")
        assert get(url, signing.sign(previous, query, now)) == (200, "ok")
        assert get(url, signing.sign_with(["someone-else", current], query, now)) == (200, "ok")
        refused = (403, "invalid signature")
        assert get(url, signing.sign(current, query, now - 310)) == refused  # older than 5 minutes
        assert get(url, signing.sign(current, query, now + 310)) == refused  # too far ahead
        assert get(url, signing.sign("someone-else", query, now)) == refused
        # A query rebuilt after decoding (%20 -> space -> +) is not what was signed.
        assert get(url, signing.sign(current, query.replace("%20", "+"), now)) == refused
        assert get(f"{server}/tally?{query}&payout=500", signing.sign(current, query, now)) == refused
        assert get(url, "") == refused
