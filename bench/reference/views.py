import secrets

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils import timezone

from bench.reference.models import Hit


def hit(request):
    """One INSERT and a 302: the floor a Django click endpoint cannot go below."""
    try:
        offer_id, aff_id = int(request.GET["offer_id"]), int(request.GET["aff_id"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("offer_id and aff_id")
    transaction_id = secrets.token_hex(16)
    Hit.objects.create(offer_id=offer_id, aff_id=aff_id, transaction_id=transaction_id, created_at=timezone.now())
    return HttpResponseRedirect(f"https://shop.example/landing?tid={transaction_id}")
