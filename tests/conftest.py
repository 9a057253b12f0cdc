import pytest
from django.db import connection

from tests import factories
from tests.portal import advertiser_user, affiliate_user, fast_passwords, manager_client  # noqa: F401 -- portal fixtures
from tests.worker import celery_worker, worker  # noqa: F401 -- fixtures: a real Celery worker


@pytest.fixture(autouse=True, scope="session")
def media_in_a_temporary_folder(tmp_path_factory):
    """Uploaded files (creatives' images) go to a folder of this run, never to var/media."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no rate-limit or sign-in counts left over from another test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    # The blocklists each process keeps in memory (quality.blocklist): a rolled-back test's entries send no signal.
    from quality.blocklist import forget_blocklists

    forget_blocklists()


@pytest.fixture
def offer(db):
    return factories.OfferFactory()


@pytest.fixture
def affiliate(db):
    return factories.AffiliateFactory()


@pytest.fixture
def click(offer, affiliate):
    return factories.ClickFactory(offer=offer, affiliate=affiliate)


@pytest.fixture
def manager(db):
    return factories.ManagerFactory()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency: skip them on SQLite."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
