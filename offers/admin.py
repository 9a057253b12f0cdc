from django.contrib import admin

from offers.models import Category, Coupon, Creative, Goal, Offer, OfferAccess, Tag


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "advertiser", "status", "visibility", "payout_type", "payout", "revenue", "currency"]
    list_filter = ["status", "visibility", "advertiser"]
    search_fields = ["name"]
    autocomplete_fields = ["advertiser"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "offer", "payout", "revenue", "allow_multiple_conversions"]
    search_fields = ["name", "offer__name"]


@admin.register(OfferAccess)
class OfferAccessAdmin(admin.ModelAdmin):
    list_display = ["id", "offer", "affiliate", "status", "payout"]
    list_filter = ["status"]
    autocomplete_fields = ["offer", "affiliate"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["id", "name"]
    search_fields = ["name"]


@admin.register(Creative)
class CreativeAdmin(admin.ModelAdmin):
    """Read and delete only: uploads go through the portal or the API, where the image is checked by content."""

    list_display = ["id", "name", "kind", "offer", "content_type", "width", "height"]
    list_filter = ["kind"]
    readonly_fields = ["offer", "kind", "image", "content_type", "width", "height", "public_key"]

    def has_add_permission(self, request):
        return False


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["id", "code", "offer", "affiliate", "valid_from", "valid_until"]
    search_fields = ["code"]
    autocomplete_fields = ["offer", "affiliate"]
