from datetime import timedelta

from django.utils import timezone

from partners.services import network_test_affiliate
from tracking.click_writer import click_store
from tracking.models import Click
from tracking.transaction_ids import new_transaction_id, truncate_ms


def click_record(*, offer, affiliate, subs, ip, user_agent, referer, now=None):
    """Store one click (a session) and return it; its expiry is fixed now from the offer's lifespan."""
    return click_store(
        click_build(offer=offer, affiliate=affiliate, subs=subs, ip=ip, user_agent=user_agent, referer=referer, now=now)
    )


def click_build(*, offer, affiliate, subs, ip, user_agent, referer, now=None, country="", device="", os="") -> Click:
    """An unsaved click with its transaction ID, time and expiry fixed now, so the landing URL can be filled
    (and measured) before click_store (tracking/click_writer.py) stores exactly that click. country, device and
    os are what the click's screening told (quality.services.click_screen; README, Traffic quality)."""
    # One time, to the millisecond, for the ID and created_at: the ID carries the click's time (docs/storage.md).
    now = truncate_ms(now or timezone.now())
    return Click(
        transaction_id=new_transaction_id(now),
        offer=offer,
        affiliate=affiliate,
        ip=ip,
        user_agent=user_agent,
        referer=referer,
        country=country,
        device=device,
        os=os,
        created_at=now,
        expires_at=now + timedelta(hours=offer.session_hours),
        **subs,
    )


def integration_test_click(*, offer, ip=None, user_agent=""):
    """A click for an advertiser's live integration test: through the network's test affiliate, so it stays out
    of reports and a postback for it runs every rule but records no conversion. Returns the click."""
    return click_record(
        offer=offer,
        affiliate=network_test_affiliate(),
        subs={"source": "integration-test"},
        ip=ip,
        user_agent=user_agent[:500],
        referer="",
    )
