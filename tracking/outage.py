"""What the click endpoint answers when the database can't be reached: the shopper still lands, untracked.

A click that cannot be stored (the connection is refused, dropped or closed while looking the link up or while
inserting the click) is not worth a 500 page: the shopper goes to the offer's landing URL with an empty
transaction ID, and one WARNING line (logger `tracking.outage`, starting "click not stored") records the offer and
affiliate, so the lost clicks can be counted from the logs. When the link can't even be looked up, the route this
process last saw for it is used however old it is; a link this process never saw gets a 503 with Retry-After.

Never on the path of a stored click: the view only calls in here from its `except` branches (and for HEAD).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseRedirect

from core.http import plain_page
from offers.macros import fill

logger = logging.getLogger(__name__)

# The driver errors that mean "the database is not there", as opposed to a bug or bad data (still a 500).
DATABASE_DOWN = (OperationalError, InterfaceError)

# Retry-After of the 503 for a link whose landing URL is unknown: a restart or failover usually takes this long.
RETRY_AFTER_SECONDS = 30


def untracked_landing_url(click):
    """The landing URL of an unsaved click with its transaction ID left empty: every other macro is known without
    the database (sub IDs, affiliate, offer, advertiser, time)."""
    return fill(click.offer.destination_url, {**click.macro_values(), "transaction_id": ""})


def untracked_redirect(click, error):
    """The answer to a click that could not be stored: the landing URL without a transaction ID, logged."""
    _log_not_stored(offer_id=click.offer_id, aff_id=click.affiliate_id, error=error, answer="302 untracked")
    return HttpResponseRedirect(untracked_landing_url(click))


def unavailable(request, *, offer_id, aff_id, error):
    """The answer when the link can't be looked up and this process never saw it: a 503 asking to come back."""
    if request.method != "HEAD":
        _log_not_stored(offer_id=offer_id, aff_id=aff_id, error=error, answer="503")
    page = plain_page(503, "Temporarily unavailable", "This link can't be followed right now. Try again in a minute.")
    page["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


def _log_not_stored(*, offer_id, aff_id, error, answer):
    # One line per lost click, in a fixed shape: `grep -c "click not stored"` is the count.
    logger.warning(
        "click not stored: offer_id=%s aff_id=%s answer=%s error=%s: %s",
        offer_id,
        aff_id,
        answer,
        type(error).__name__,
        (str(error).strip().splitlines() or [""])[0],
    )
