"""Seed the benchmark database through Tally's own write services; print the IDs as one JSON line. The click and
postback log tables get the day partitions that their retention keeps (TALLY_CLICK_RETENTION_DAYS and
TALLY_POSTBACK_LOG_RETENTION_DAYS; a fresh database has a week's): a query the planner cannot prune pays for each.

DATABASE_URL=postgres://.../tally_bench python bench/seed.py
"""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from datetime import UTC, datetime, timedelta  # noqa: E402

from django.conf import settings  # noqa: E402

from conversions.models import PostbackLog  # noqa: E402
from core.partitions import partitions_create_between  # noqa: E402
from offers.models import Offer, OfferAccess  # noqa: E402
from offers.services import offer_access_set, offer_create  # noqa: E402
from partners.models import PartnerStatus  # noqa: E402
from partners.services import advertiser_create, affiliate_create  # noqa: E402
from tracking.models import Click  # noqa: E402

OFFERS = 10  # the last two need approval; every affiliate is approved on them
AFFILIATES = 20


def main():
    now = datetime.now(UTC)
    for model, days in (
        (Click, settings.TALLY_CLICK_RETENTION_DAYS),
        (PostbackLog, settings.TALLY_POSTBACK_LOG_RETENTION_DAYS),
    ):
        partitions_create_between(model, start=now - timedelta(days=days), through=now)
    advertiser = advertiser_create(name="Bench Shop")
    affiliates = [affiliate_create(name=f"Bench affiliate {n}", status=PartnerStatus.ACTIVE) for n in range(AFFILIATES)]
    offers = []
    for n in range(OFFERS):
        restricted = n >= OFFERS - 2
        offer = offer_create(
            advertiser=advertiser,
            name=f"Bench offer {n}",
            destination_url="https://shop.example/landing?tid={transaction_id}&aff=<affiliate_id>&sub={aff_sub}"
            "&src={source}&d={date}",
            visibility=Offer.Visibility.APPROVAL_REQUIRED if restricted else Offer.Visibility.PUBLIC,
            payout_type=Offer.PayoutType.CPS_PERCENT if n % 2 else Offer.PayoutType.CPA_FLAT,
            payout=Decimal("10.00"),
            revenue=Decimal("12.00"),
        )
        if restricted:
            for affiliate in affiliates:
                offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)
        offers.append(offer)
    print(json.dumps({"offers": [o.pk for o in offers], "affiliates": [a.pk for a in affiliates]}))


if __name__ == "__main__":
    main()
