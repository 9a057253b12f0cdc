"""The demo's catalogue (seed_demo): categories and tags on the demo offers, a banner, a text link and an e-mail on
Acme Store Sales, and Blue Coupons' coupon code there (README.md: Creatives, Offer catalogue, Coupon codes).
Idempotent like the rest of seed_demo: everything is looked up first and made only when missing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from offers.models import Category, Coupon, Creative
from offers.services import category_create, coupon_create, creative_create, offer_tags_set

CATEGORIES = {
    "Acme Newsletter Sign-up": ("Lead generation", ["email", "no-purchase"]),
    "Acme Store Sales": ("Retail", ["ecommerce", "recurring"]),
    "Acme App Install": ("Mobile apps", ["mobile", "app-install"]),
    "Acme VIP Club": ("Retail", ["premium"]),
    "Acme Flash Sale": ("Retail", ["ecommerce", "limited-time"]),
    "Acme Winter Promo": ("Retail", ["seasonal"]),
}
COUPON = ("Acme Store Sales", "Blue Coupons", "BLUE10")


def banner_png(width=468, height=60):
    """A small banner drawn with Pillow: a coloured band with the offer's name."""
    image = Image.new("RGB", (width, height), (29, 78, 216))
    ImageDraw.Draw(image).text((14, height // 2 - 6), "Acme Store - up to 30% off", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def category_ensure(name):
    return Category.objects.filter(name=name).first() or category_create(name=name)


def catalogue_seed(*, offers, affiliates):
    for offer_name, (category_name, tags) in CATEGORIES.items():
        offer = offers.get(offer_name)
        if offer is None:
            continue
        if offer.category_id is None:
            offer.category = category_ensure(category_name)
            offer.save(update_fields=["category"])
        if not offer.tags.exists():
            offer_tags_set(offer=offer, names=tags)
    store = offers["Acme Store Sales"]
    if not Creative.objects.filter(offer=store).exists():
        image = SimpleUploadedFile("acme-468x60.png", banner_png(), content_type="image/png")
        creative_create(offer=store, kind=Creative.Kind.BANNER, name="Acme Store 468×60", image=image)
        creative_create(offer=store, kind=Creative.Kind.TEXT_LINK, name="Deal link", text="Acme Store: up to 30% off")
        creative_create(
            offer=store,
            kind=Creative.Kind.EMAIL,
            name="Newsletter mention",
            subject="Our pick this week: Acme Store",
            text="Acme Store has up to 30% off this week.\n\nShop here: {tracking_link}",
        )
    offer_name, affiliate_name, code = COUPON
    if not Coupon.objects.filter(offer=offers[offer_name], code__iexact=code).exists():
        coupon_create(offer=offers[offer_name], affiliate=affiliates[affiliate_name], code=code)
    return code
