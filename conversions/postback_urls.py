"""The affiliates' postback URLs (docs/affiliate-postbacks.md): which URL Tally may call, setting one, and which
one applies to a conversion."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from conversions import outbound
from conversions.models import AffiliatePostback
from offers.macros import POSTBACK_MACROS, validate_url_template


def validate_postback_url(url, *, resolve=None):
    """Raise ValidationError unless url is a postback URL template Tally may call: known macros, http(s), and a
    host that is not (and does not resolve to) a loopback, private, link-local or other non-public address.

    A name that does not resolve now is accepted: the address is checked again before every request."""
    validate_url_template(url, known=POSTBACK_MACROS)
    try:
        outbound.check_url(url, resolve=resolve)
    except outbound.UnsafeURL as exc:
        if exc.code != "unresolvable":
            raise ValidationError(exc.message, code=f"unsafe_url_{exc.code}") from None


@transaction.atomic
def affiliate_postback_set(*, affiliate, url, offer=None, on_status_change=False):
    """Set the affiliate's postback URL (affiliate-wide, or for one offer); an empty url removes it.
    Returns the AffiliatePostback, or None when removed. Raises ValidationError for a URL Tally won't call."""
    url = (url or "").strip()
    current = AffiliatePostback.objects.select_for_update().filter(affiliate=affiliate, offer=offer).first()
    if not url:
        if current is not None:
            current.delete()
        return None
    validate_postback_url(url)
    postback = current or AffiliatePostback(affiliate=affiliate, offer=offer)
    postback.url = url
    postback.on_status_change = on_status_change
    postback.full_clean()
    postback.save()
    return postback


def postback_for(conversion):
    """The postback that applies to a conversion: the offer's own, else the affiliate-wide one, else None."""
    candidates = AffiliatePostback.objects.filter(affiliate_id=conversion.affiliate_id).filter(
        Q(offer_id=conversion.offer_id) | Q(offer__isnull=True)
    )
    return min(candidates, key=lambda p: p.offer_id is None, default=None)
