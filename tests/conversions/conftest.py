"""Helpers for the postback tests: an advertiser's server calling /postback, and what the log then holds."""

import json
from urllib.parse import urlencode

import pytest

from conversions.models import PostbackLog
from conversions.reasons import Reason
from conversions.signing import sign
from quality.blocklist import current_blocklists
from tests.factories import SECURITY_TOKEN

ADVERTISER_IP = "192.0.2.10"

# docs/reason-codes.md, in the order the rules are checked (tests/conversions/test_reasons.py holds the pipeline to it).
RULES = [reason.value for reason in Reason]


def trace_of(log):
    """The log's decision trace as (rule, ok) pairs."""
    return [(step["rule"], step["ok"]) for step in log.trace]


def trace_failing_at(rule):
    """The trace of a postback that passed every rule before `rule` and failed there."""
    index = RULES.index(rule)
    return [(name, True) for name in RULES[:index]] + [(rule, False)]


TRACE_ALL_PASSED = [(name, True) for name in RULES]


def only_log():
    assert PostbackLog.objects.count() == 1
    return PostbackLog.objects.get()


@pytest.fixture
def send_postback(client):
    """Call a postback endpoint the way an advertiser's server does.

    `how` is "get" (query string), "form" (form-encoded POST) or "json" (JSON POST). With `secret`, the request
    is signed over the raw query string or body (`signed_at` sets the signature's timestamp). `token` is added as
    `security_token` unless the params carry one (the factories' advertisers all have SECURITY_TOKEN); None sends
    no token.
    """

    def send(
        params=None,
        *,
        path="/postback",
        how="get",
        secret=None,
        signed_at=None,
        signature=None,
        remote_addr=ADVERTISER_IP,
        token=SECURITY_TOKEN,
        **extra,
    ):
        params = {k: str(v) for k, v in (params or {}).items()}
        if token is not None:
            params.setdefault("security_token", token)
        headers = {}
        if how == "get" or how == "form":
            payload = urlencode(params)
        elif how == "json":
            payload = json.dumps(params)
        else:
            raise ValueError(how)
        if secret is not None:
            signature = sign(secret, payload, signed_at)
        if signature is not None:
            headers["X-Tally-Signature"] = signature
        if how == "get":
            url = f"{path}?{payload}" if payload else path
            return client.get(url, headers=headers, REMOTE_ADDR=remote_addr, **extra)
        content_type = "application/x-www-form-urlencoded" if how == "form" else "application/json"
        return client.post(path, payload, content_type=content_type, headers=headers, REMOTE_ADDR=remote_addr, **extra)

    return send


@pytest.fixture
def warm_blocklists(db):
    """The blocklists as a running process holds them (quality.blocklist): loaded, so a postback asks them without
    a query until TALLY_CLICK_CACHE_SECONDS pass. For the tests that count a postback's queries."""
    current_blocklists()
