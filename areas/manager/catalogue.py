"""Manager portal: an offer's creatives and coupon codes, and the catalogue's categories (README.md, Creatives,
Coupon codes, Offer catalogue)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from areas.manager.catalogue_forms import CategoryForm, CouponForm, CreativeForm
from core.permissions import ManagerRequiredMixin, manager_required
from offers import services
from offers.models import Creative
from offers.selectors import category_list, coupon_list, creative_list, offer_list


def _apply_errors(form, error):
    """A service's refusal on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class OfferCreativesView(ManagerRequiredMixin, View):
    """An offer's creatives with a preview of each, the upload form, and delete buttons."""

    def get(self, request, pk):
        return self.render(self.get_offer(), CreativeForm())

    def post(self, request, pk):
        offer = self.get_offer()
        form = CreativeForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(offer, form, status=400)
        data = form.cleaned_data
        try:
            creative = services.creative_create(
                offer=offer,
                kind=data["kind"],
                name=data["name"],
                image=data["image"] or None,
                subject=data["subject"],
                text=data["text"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.render(offer, form, status=400)
        messages.success(request, f"{creative.get_kind_display()} “{creative.name}” added.")
        return redirect("manager:offer_creatives", pk=offer.pk)

    def get_offer(self):
        return get_object_or_404(offer_list(user=self.request.user), pk=self.kwargs["pk"])

    def render(self, offer, form, status=200):
        creatives = creative_list(user=self.request.user).filter(offer=offer).order_by("kind", "name")
        context = {"offer": offer, "form": form, "creatives": creatives, "kinds": Creative.Kind}
        return render(self.request, "offers/creative_list.html", context, status=status)


@require_POST
@manager_required
def creative_delete(request, pk):
    creative = get_object_or_404(creative_list(user=request.user), pk=pk)
    services.creative_delete(creative=creative)
    messages.success(request, f"Creative “{creative.name}” deleted.")
    return redirect("manager:offer_creatives", pk=creative.offer_id)


class OfferCouponsView(ManagerRequiredMixin, View):
    """An offer's coupon codes (each an affiliate's), the form to add one, and delete buttons."""

    def get(self, request, pk):
        return self.render(self.get_offer(), CouponForm(user=request.user))

    def post(self, request, pk):
        offer = self.get_offer()
        form = CouponForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(offer, form, status=400)
        try:
            coupon = services.coupon_create(offer=offer, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
            return self.render(offer, form, status=400)
        messages.success(request, f"Coupon code {coupon.code} now converts for {coupon.affiliate.name}.")
        return redirect("manager:offer_coupons", pk=offer.pk)

    def get_offer(self):
        return get_object_or_404(offer_list(user=self.request.user), pk=self.kwargs["pk"])

    def render(self, offer, form, status=200):
        coupons = coupon_list(user=self.request.user).filter(offer=offer).order_by("code")
        context = {"offer": offer, "form": form, "coupons": coupons}
        return render(self.request, "offers/coupon_list.html", context, status=status)


@require_POST
@manager_required
def coupon_delete(request, pk):
    coupon = get_object_or_404(coupon_list(user=request.user), pk=pk)
    services.coupon_delete(coupon=coupon)
    messages.success(request, f"Coupon code {coupon.code} deleted: postbacks with it are now unknown_coupon.")
    return redirect("manager:offer_coupons", pk=coupon.offer_id)


class CategoryListView(ManagerRequiredMixin, View):
    """The catalogue's categories, with how many offers each has; add and delete."""

    def get(self, request):
        return self.render(CategoryForm())

    def post(self, request):
        form = CategoryForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            category = services.category_create(name=form.cleaned_data["name"])
        except ValidationError as error:
            _apply_errors(form, error)
            return self.render(form, status=400)
        messages.success(request, f"Category “{category.name}” added.")
        return redirect("manager:category_list")

    def render(self, form, status=200):
        categories = category_list(user=self.request.user).annotate(offer_count=Count("offers"))
        return render(
            self.request, "offers/category_list.html", {"form": form, "categories": categories}, status=status
        )


@require_POST
@manager_required
def category_delete(request, pk):
    category = get_object_or_404(category_list(user=request.user), pk=pk)
    services.category_delete(category=category)
    messages.success(request, f"Category “{category.name}” deleted; its offers are uncategorised.")
    return redirect("manager:category_list")
