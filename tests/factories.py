from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from conversions.models import Conversion
from offers.models import Goal, Offer, OfferAccess
from partners.models import Advertiser, Affiliate, Membership
from tracking.models import Click


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class ManagerFactory(UserFactory):
    is_staff = True


# Every advertiser has a security token, and postbacks must carry it (docs/postbacks.md#security-token). The
# factory's advertisers share this one, so the tests' postback helpers can send it without looking it up.
SECURITY_TOKEN = "test-security-token"


class AdvertiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advertiser

    name = factory.Sequence(lambda n: f"Advertiser {n}")
    status = Advertiser.Status.ACTIVE
    security_token = SECURITY_TOKEN


class AffiliateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliate

    name = factory.Sequence(lambda n: f"Affiliate {n}")
    status = Affiliate.Status.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    advertiser = factory.SubFactory(AdvertiserFactory)
    name = factory.Sequence(lambda n: f"Offer {n}")
    destination_url = "https://shop.example/landing?tid={transaction_id}&sub=<aff_sub>"
    payout = Decimal("5.00")
    revenue = Decimal("8.00")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    offer = factory.SubFactory(OfferFactory)
    name = factory.Sequence(lambda n: f"goal-{n}")
    payout = Decimal("2.00")
    revenue = Decimal("3.00")


class OfferAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferAccess

    offer = factory.SubFactory(OfferFactory)
    affiliate = factory.SubFactory(AffiliateFactory)
    status = OfferAccess.Status.APPROVED


class ClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Click

    offer = factory.SubFactory(OfferFactory)
    affiliate = factory.SubFactory(AffiliateFactory)
    ip = "203.0.113.7"
    user_agent = "Mozilla/5.0 (test)"
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda c: c.created_at + timedelta(hours=c.offer.session_hours))


class ConversionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversion

    click = factory.SubFactory(ClickFactory)
    offer = factory.LazyAttribute(lambda c: c.click.offer)
    affiliate = factory.LazyAttribute(lambda c: c.click.affiliate)
    transaction_id = factory.LazyAttribute(lambda c: c.click.transaction_id)
    # What the postback pipeline copies from the click (conversions.models.click_details).
    aff_sub = factory.LazyAttribute(lambda c: c.click.aff_sub if c.click else "")
    aff_sub2 = factory.LazyAttribute(lambda c: c.click.aff_sub2 if c.click else "")
    aff_sub3 = factory.LazyAttribute(lambda c: c.click.aff_sub3 if c.click else "")
    aff_sub4 = factory.LazyAttribute(lambda c: c.click.aff_sub4 if c.click else "")
    aff_sub5 = factory.LazyAttribute(lambda c: c.click.aff_sub5 if c.click else "")
    source = factory.LazyAttribute(lambda c: c.click.source if c.click else "")
    aff_click_id = factory.LazyAttribute(lambda c: c.click.aff_click_id if c.click else "")
    clicked_at = factory.LazyAttribute(lambda c: c.click.created_at if c.click else None)
    click_country = factory.LazyAttribute(lambda c: c.click.country if c.click else "")
    amount = Decimal("100.00")
    payout = Decimal("5.00")
    revenue = Decimal("8.00")


def small_png(width=2, height=2, color=(200, 30, 30)):
    """The bytes of a real PNG image (made with Pillow), for creative uploads."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Category"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Coupon"

    offer = factory.SubFactory(OfferFactory)
    affiliate = factory.SubFactory(AffiliateFactory)
    code = factory.Sequence(lambda n: f"SAVE{n}")


class CreativeFactory(factory.django.DjangoModelFactory):
    """A banner with a real PNG in the default storage (tests point MEDIA_ROOT at a temporary folder)."""

    class Meta:
        model = "offers.Creative"

    offer = factory.SubFactory(OfferFactory)
    kind = "banner"
    name = factory.Sequence(lambda n: f"Banner {n}")
    image = factory.django.FileField(filename="banner.png", data=small_png(468, 60))
    content_type = "image/png"
    width = 468
    height = 60
