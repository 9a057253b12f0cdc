from django.contrib import admin

from partners.models import Advertiser, Affiliate, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Advertiser)
class AdvertiserAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "status", "token_required", "require_signature", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "status", "contact_email", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "contact_email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "advertiser", "affiliate"]
    autocomplete_fields = ["user", "advertiser", "affiliate"]
