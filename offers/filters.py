from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from core.filters import HiddenSortsMixin, SortFilter, scoped
from core.roles import Role, role_of
from offers.models import Category, Coupon, Creative, Goal, Offer, OfferAccess, Tag
from offers.selectors import category_list, offer_list, tag_list
from offers.targeting import COUNTRY_CODES
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list

# Offers and access rows are few (hundreds, not millions): any column shown may sort them. A role sorts by none it may
# not see: advertisers never see what affiliates earn, affiliates neither what advertisers pay nor their names.
OFFER_HIDDEN_SORTS = {Role.ADVERTISER: ("payout",), Role.AFFILIATE: ("revenue", "advertiser")}


def search_offers(queryset, name, value):
    """The catalogue's search: the offer's name or ID, or a word of its description."""
    query = Q(name__icontains=value) | Q(description__icontains=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    return queryset.filter(query)


def offers_open_to_country(queryset, name, value):
    """Offers a shopper from `value` may be sent to (README.md, Offer catalogue): no allowed list or `value` on it,
    and `value` not blocked. The lists are JSON arrays of validated upper-case codes, compared as their text (`"US"`
    with its quotes) so the same query runs on SQLite, which has no JSON containment."""
    quoted = f'"{value}"'
    as_text = {
        "allowed_text": Cast("allowed_countries", TextField()),
        "blocked_text": Cast("blocked_countries", TextField()),
    }
    return (
        queryset.alias(**as_text)
        .filter(Q(allowed_text__in=("[]", "")) | Q(allowed_text__contains=quoted))
        .exclude(blocked_text__contains=quoted)
    )


def offers_new(queryset, name, value):
    """?new=true: offers published (created) in the last TALLY_CATALOGUE_NEW_DAYS days; ?new=false: the others."""
    since = timezone.now() - timedelta(days=settings.TALLY_CATALOGUE_NEW_DAYS)
    if value is None:
        return queryset
    return queryset.filter(created_at__gte=since) if value else queryset.filter(created_at__lt=since)


class TagChoiceField(forms.ModelChoiceField):
    """A tag by name; a value that cannot be a tag name (not a slug, e.g. with a NUL) is refused before any query."""

    def to_python(self, value):
        if value not in self.empty_values and not validate_slug.regex.fullmatch(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class TagFilter(django_filters.ModelChoiceFilter):
    field_class = TagChoiceField


class OfferFilter(HiddenSortsMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method=search_offers, label="Search")
    advertiser = django_filters.ModelChoiceFilter(queryset=scoped(advertiser_list, Advertiser))
    category = django_filters.ModelChoiceFilter(queryset=scoped(category_list, Category))
    tag = TagFilter(field_name="tags", to_field_name="name", queryset=scoped(tag_list, Tag), label="Tag")
    country = django_filters.ChoiceFilter(
        choices=[(code, code) for code in sorted(COUNTRY_CODES)],
        method=offers_open_to_country,
        label="Country",
        help_text="Offers open to shoppers from this country (ISO 3166-1 alpha-2).",
    )
    new = django_filters.BooleanFilter(
        method=offers_new,
        label="New",
        help_text="Published in the last TALLY_CATALOGUE_NEW_DAYS days.",
        widget=forms.Select(choices=[("", "Any"), ("true", "New only"), ("false", "Not new")]),
    )
    ordering = SortFilter(
        fields={
            "id": "id",
            "name": "name",
            "advertiser__name": "advertiser",
            "status": "status",
            "visibility": "visibility",
            "payout": "payout",
            "revenue": "revenue",
            "created_at": "created_at",
        },
        field_labels={"id": "ID", "name": "Offer", "advertiser__name": "Advertiser", "created_at": "Created"},
        tiebreak=("name",),
    )
    hidden_sorts = OFFER_HIDDEN_SORTS

    class Meta:
        model = Offer
        fields = ["status", "visibility", "advertiser", "payout_type", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(getattr(self.request, "user", None)) == Role.AFFILIATE:
            # An affiliate's payout column is what it earns (offer_list_with_payout): its override, or the offer's.
            self.filters["ordering"] = self.filters["ordering"].sorting("payout", by="affiliate_payout")


class OfferAccessFilter(HiddenSortsMixin, django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    ordering = SortFilter(
        fields={
            "offer__name": "offer",
            "affiliate__name": "affiliate",
            "status": "status",
            "payout": "payout",
            "updated_at": "updated_at",
        },
        field_labels={"offer__name": "Offer", "affiliate__name": "Affiliate", "updated_at": "Updated"},
        tiebreak=("-updated_at",),
    )
    # Advertisers see neither payout overrides nor affiliates' names (only their partner IDs).
    hidden_sorts = {Role.ADVERTISER: ("payout", "affiliate")}

    class Meta:
        model = OfferAccess
        fields = ["status", "offer", "affiliate"]


class GoalFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))

    class Meta:
        model = Goal
        fields = ["offer"]


class CreativeFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))

    class Meta:
        model = Creative
        fields = ["offer", "kind"]


class CouponFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))

    class Meta:
        model = Coupon
        fields = ["offer", "affiliate"]
