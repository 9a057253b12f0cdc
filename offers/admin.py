from django.contrib import admin

from offers.models import Goal, Offer, OfferAccess


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
