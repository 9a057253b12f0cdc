"""/api/v1/creatives/, coupons/, categories/ and tags/ (README.md: Creatives, Coupon codes, Offer catalogue).

Creatives: every role reads those in its scope (an affiliate: of the offers it may run, each with its own tracking
link and the snippet to paste); managers upload (multipart) and delete. Coupon codes: managers write; an affiliate
reads its own codes; advertisers see none. Categories and tags: everyone signed in reads, managers write.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.parsers import JSONParser, MultiPartParser

from core.api import ScopedRelatedField, ScopedViewSet, service_errors
from core.roles import affiliate_of
from offers.creatives import creative_snippet, public_image_url, tracking_link_for
from offers.filters import CouponFilter, CreativeFilter
from offers.models import Category, Coupon, Creative, Offer, Tag
from offers.selectors import category_list, coupon_list, creative_list, offer_list, tag_list
from offers.services import (
    category_create,
    category_delete,
    coupon_create,
    coupon_delete,
    coupon_update,
    creative_create,
    creative_delete,
    tag_create,
    tag_delete,
)
from partners.models import Affiliate
from partners.selectors import affiliate_list


class CreativeSerializer(serializers.ModelSerializer):
    """A banner, text link or e-mail of an offer. `image` is the upload (write only, banners, PNG/JPEG/GIF/WebP
    checked by content); `image_url` the signed-in view of it, `public_image_url` the one pasted banners load.
    For an affiliate, `tracking_link` and `snippet` carry its own link; null for other roles."""

    offer = ScopedRelatedField(selector=offer_list, queryset=Offer.objects.all())
    image = serializers.FileField(write_only=True, required=False, help_text="Banners only: the image file.")
    image_url = serializers.SerializerMethodField()
    public_image_url = serializers.SerializerMethodField()
    tracking_link = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Creative
        fields = [
            "id",
            "offer",
            "kind",
            "name",
            "image",
            "image_url",
            "public_image_url",
            "content_type",
            "width",
            "height",
            "subject",
            "text",
            "tracking_link",
            "snippet",
            "created_at",
        ]
        read_only_fields = ["content_type", "width", "height", "created_at"]

    def _affiliate(self):
        request = self.context.get("request")
        return affiliate_of(request.user) if request is not None and request.user.is_authenticated else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, creative):
        if not creative.image:
            return None
        return self.context["request"].build_absolute_uri(reverse("offers:creative_image", args=[creative.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_public_image_url(self, creative):
        return public_image_url(self.context["request"], creative) if creative.image else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_tracking_link(self, creative):
        affiliate = self._affiliate()
        if affiliate is None:
            return None
        return tracking_link_for(self.context["request"], offer=creative.offer, affiliate=affiliate)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snippet(self, creative):
        link = self.get_tracking_link(creative)
        if link is None:
            return None
        return creative_snippet(creative, tracking_link=link, image_url=self.get_public_image_url(creative) or "")


class CouponSerializer(serializers.ModelSerializer):
    """A coupon code of an affiliate on an offer; a postback with `offer_id` and `coupon_code` converts for it."""

    offer = ScopedRelatedField(selector=offer_list, queryset=Offer.objects.all())
    affiliate = ScopedRelatedField(selector=affiliate_list, queryset=Affiliate.objects.all())

    class Meta:
        model = Coupon
        fields = ["id", "offer", "affiliate", "code", "valid_from", "valid_until", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the service (and the database) decide whether a code is taken

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("offer", "affiliate", "code"):
                fields[name].read_only = True  # a different code is a new coupon
        return fields


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]
        read_only_fields = ["slug"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class CreativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Creatives within one's scope; managers upload (multipart/form-data) and delete."""

    selector = creative_list
    serializer_class = CreativeSerializer
    filterset_class = CreativeFilter
    parser_classes = [MultiPartParser, JSONParser]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = creative_create(**serializer.validated_data)

    def perform_destroy(self, instance):
        creative_delete(creative=instance)


class CouponViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Managers: every coupon code; they create, change the dates of and delete codes. Affiliates: their own."""

    selector = coupon_list
    serializer_class = CouponSerializer
    filterset_class = CouponFilter

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = coupon_create(**serializer.validated_data)

    def perform_update(self, serializer):
        with service_errors():
            serializer.instance = coupon_update(coupon=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        coupon_delete(coupon=instance)


class CategoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """The catalogue's categories (an offer's `category`); managers add and delete them."""

    selector = category_list
    serializer_class = CategorySerializer
    ordering = ("name",)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = category_create(**serializer.validated_data)

    def perform_destroy(self, instance):
        category_delete(category=instance)


class TagViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """The catalogue's tags (an offer's `tags`, by name); managers add and delete them."""

    selector = tag_list
    serializer_class = TagSerializer
    ordering = ("name",)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = tag_create(**serializer.validated_data)

    def perform_destroy(self, instance):
        tag_delete(tag=instance)
