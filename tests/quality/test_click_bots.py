"""Bots and link previewers (docs/clicks.md#traffic-quality): still redirected, so previews work, but no session."""

import pytest

from quality.models import RefusedClickCount
from tests import factories
from tests.quality import helpers as h

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("agent", [h.GOOGLEBOT, h.FACEBOOK_PREVIEW, h.SLACK_PREVIEW])
def test_a_bot_is_redirected_to_the_landing_page_without_a_transaction_id_and_counted(client, offer, affiliate, agent):
    response = h.follow(client, offer, affiliate, agent=agent, aff_sub="mail")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub=mail"
    assert h.stored() == 0
    assert h.refused(RefusedClickCount.Reason.BOT) == 1


def test_a_bot_previewing_a_targeted_offer_still_sees_its_landing_page(client, affiliate):
    offer = factories.OfferFactory(allowed_countries=["US"], allowed_devices=["mobile"])

    response = h.follow(client, offer, affiliate, agent=h.FACEBOOK_PREVIEW, ip=h.GB_IPV4)

    assert response.status_code == 302
    assert response["Location"].startswith("https://shop.example/landing?tid=&")
    assert h.refused() == h.refused(RefusedClickCount.Reason.BOT) == 1


def test_a_blocklisted_bot_is_refused_as_blocked(client, offer, affiliate):
    factories_entry = {"kind": "ip", "value": h.US_IPV4}
    from quality.services import block_entry_add

    block_entry_add(**factories_entry)

    response = h.follow(client, offer, affiliate, agent=h.GOOGLEBOT, ip=h.US_IPV4)

    assert response.status_code == 403
    assert h.refused(RefusedClickCount.Reason.BLOCKED) == 1
    assert h.refused(RefusedClickCount.Reason.BOT) == 0


def test_many_bot_requests_add_up_in_one_row(client, offer, affiliate):
    for _ in range(5):
        h.follow(client, offer, affiliate, agent=h.GOOGLEBOT)

    assert RefusedClickCount.objects.get().count == 5
    assert h.stored() == 0
