"""A page that does not exist, or an object outside one's scope, answers 404 with Tally's layout (templates/404.html),
signed in or not, in every area; with DEBUG off, as in production."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_tallys_404(response):
    page = response.content.decode()
    assert response.status_code == 404
    assert '<header class="topbar">' in page
    assert "<title>Not found · Tally</title>" in page
    assert "<h1>Not found</h1>" in page
    assert 'href="/"' in page


def test_an_unknown_address_answers_the_laid_out_404_to_anyone(client):
    response = client.get("/no-such-page/")

    assert_tallys_404(response)
    assert "Sign in" in response.content.decode()


@pytest.mark.parametrize("path", ["/manage/offers/999999/", "/manage/nothing-here/"])
def test_a_manager_gets_the_laid_out_404(manager_client, manager, path):
    response = manager_client.get(path)

    assert_tallys_404(response)
    assert manager.username in response.content.decode()


def test_an_affiliate_gets_the_laid_out_404_for_another_affiliates_offer(client, affiliate_user):
    private = factories.OfferFactory(visibility="private")
    client.force_login(affiliate_user)

    assert_tallys_404(client.get(f"/affiliate/offers/{private.pk}/"))


def test_an_advertiser_gets_the_laid_out_404_for_another_advertisers_offer(client, advertiser_user):
    other = factories.OfferFactory()
    client.force_login(advertiser_user)

    assert_tallys_404(client.get(f"/advertiser/offers/{other.pk}/"))
