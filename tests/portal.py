"""Fixtures for the manager portal's page tests: import them into a test module (`from tests.portal import ...`)."""

import pytest
from django.utils import timezone

from conversions.models import PostbackLog
from tests import factories


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users made by the factories get a cheap password hash: these tests sign people in, they do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def affiliate_user(db):
    """A login that belongs to an affiliate (not staff)."""
    return factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user


@pytest.fixture
def advertiser_user(db):
    """A login that belongs to an advertiser (not staff)."""
    return factories.MembershipFactory(advertiser=factories.AdvertiserFactory()).user


def postback_log(**fields):
    """A postback log row as the pipeline writes it (defaults: an approved GET /postback)."""
    values = {
        "received_at": fields.pop("received_at", None) or timezone.now(),
        "source_ip": "192.0.2.10",
        "method": "GET",
        "path": "/postback",
        "params": {},
        "verdict": PostbackLog.Verdict.APPROVED,
        "http_status": 200,
        "trace": [],
    }
    values.update(fields)
    return PostbackLog.objects.create(**values)
