"""Manager portal: advertisers (security token, signing secret, IP allowlist) and affiliates (partner IDs)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_POST

from areas.manager.audit import history_context
from areas.manager.partner_forms import AdvertiserForm, AffiliateForm, InviteForm, RejectApplicationForm
from core.http import site_url
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin, manager_required
from offers.selectors import offer_access_list, offer_list
from partners import services
from partners.filters import AdvertiserFilter, AffiliateFilter
from partners.models import PartnerStatus
from partners.selectors import advertiser_list, affiliate_list


class PartnerFormView(ManagerRequiredMixin, View):
    """Create (no pk) or edit one advertiser or affiliate through its services."""

    form_class = None
    selector = None
    template_name = "partners/partner_form.html"
    kind = ""

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(type(self).selector(user=self.request.user), pk=pk) if pk else None

    def get(self, request, pk=None):
        obj = self.get_object()
        return self.render(obj, self.form_class(instance=obj))

    def post(self, request, pk=None):
        obj = self.get_object()
        form = self.form_class(request.POST, instance=obj)
        if not form.is_valid():
            return self.render(obj, form, status=400)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        saved = self.save(obj, fields)
        messages.success(request, f"{self.kind.capitalize()} “{saved.name}” saved.")
        return redirect(f"manager:{self.kind}_detail", pk=saved.pk)

    def render(self, obj, form, status=200):
        context = {
            "object": obj,
            "form": form,
            "kind": self.kind,
            "list_url": f"manager:{self.kind}_list",
            "detail_url": f"manager:{self.kind}_detail",
        }
        return render(self.request, self.template_name, context, status=status)


# --- advertisers ---------------------------------------------------------------------------------------------


class AdvertiserListView(ManagerRequiredMixin, FilteredListView):
    template_name = "partners/advertiser_list.html"
    selector = staticmethod(advertiser_list)
    filterset_class = AdvertiserFilter


class AdvertiserFormView(PartnerFormView):
    form_class = AdvertiserForm
    selector = staticmethod(advertiser_list)
    kind = "advertiser"

    def save(self, advertiser, fields):
        if advertiser is None:
            return services.advertiser_create(**fields)
        return services.advertiser_update(advertiser=advertiser, **fields)


class AdvertiserDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        advertiser = get_object_or_404(advertiser_list(user=request.user), pk=pk)
        offers = offer_list(user=request.user).filter(advertiser=advertiser)
        context = {"advertiser": advertiser, "offers": offers, **history_context(request, advertiser)}
        return render(request, "partners/advertiser_detail.html", context)


def _advertiser(request, pk):
    return get_object_or_404(advertiser_list(user=request.user), pk=pk)


@require_POST
@manager_required
def advertiser_set_status(request, pk):
    advertiser = _advertiser(request, pk)
    return _set_status(request, advertiser, partial(services.advertiser_set_status, advertiser=advertiser))


@require_POST
@manager_required
def advertiser_rotate_token(request, pk):
    advertiser = _advertiser(request, pk)
    had_token = bool(advertiser.security_token)
    services.advertiser_rotate_token(advertiser=advertiser)
    if had_token:
        messages.warning(request, "New security token generated: postbacks with the old one are refused from now on.")
    else:
        messages.success(request, "Security token generated and required: postbacks must now carry security_token.")
    return redirect("manager:advertiser_detail", pk=advertiser.pk)


@require_POST
@manager_required
def advertiser_clear_token(request, pk):
    advertiser = _advertiser(request, pk)
    services.advertiser_clear_token(advertiser=advertiser)
    messages.warning(
        request,
        "Security token removed and no longer required: anyone who learns a transaction ID can report a conversion. "
        "Partner-ID postbacks are refused unless signed.",
    )
    return redirect("manager:advertiser_detail", pk=advertiser.pk)


@require_POST
@manager_required
def advertiser_rotate_signing_secret(request, pk):
    advertiser = _advertiser(request, pk)
    services.advertiser_rotate_signing_secret(advertiser=advertiser)
    messages.success(request, "New signing secret; the previous one stays valid until the next rotation.")
    return redirect("manager:advertiser_detail", pk=advertiser.pk)


# --- affiliates ----------------------------------------------------------------------------------------------


class AffiliateListView(ManagerRequiredMixin, FilteredListView):
    template_name = "partners/affiliate_list.html"
    selector = staticmethod(affiliate_list)
    filterset_class = AffiliateFilter


class AffiliateFormView(PartnerFormView):
    form_class = AffiliateForm
    selector = staticmethod(affiliate_list)
    kind = "affiliate"

    def save(self, affiliate, fields):
        if affiliate is None:
            return services.affiliate_create(**fields)
        return services.affiliate_update(affiliate=affiliate, **fields)


class AffiliateDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
        access = offer_access_list(user=request.user).filter(affiliate=affiliate).order_by("offer__name")
        context = {
            "affiliate": affiliate,
            "access": access,
            "click_url": request.build_absolute_uri("/click"),
            "grace_ends_at": affiliate.postback_grace_ends_at(),
            **history_context(request, affiliate),
        }
        return render(request, "partners/affiliate_detail.html", context)


@require_POST
@manager_required
def affiliate_set_status(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    return _set_status(request, affiliate, partial(services.affiliate_set_status, affiliate=affiliate))


def _set_status(request, partner, set_status):
    """Activate, suspend or reopen an advertiser or an affiliate with the status posted; back to its page."""
    kind = partner._meta.model_name
    status = request.POST.get("status", "")
    if status not in PartnerStatus.values:
        messages.error(request, f"Unknown status {status!r}.")
    else:
        set_status(status=status)
        messages.success(request, f"{kind.capitalize()} “{partner.name}” is now {status}.")
    return redirect(f"manager:{kind}_detail", pk=partner.pk)


@require_POST
@manager_required
def affiliate_rotate_postback_secret(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    affiliate = services.affiliate_rotate_postback_secret(affiliate=affiliate)
    messages.success(
        request,
        f"New postback secret for “{affiliate.name}”. The previous one signs its postbacks too until "
        f"{affiliate.postback_grace_ends_at():%Y-%m-%d %H:%M} UTC; the affiliate reads the new one on its "
        "Postbacks page.",
    )
    return redirect("manager:affiliate_detail", pk=affiliate.pk)


# --- Applications and invitations ------------------------------------------------------------


@require_POST
@manager_required
def affiliate_application_approve(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    try:
        services.affiliate_application_approve(affiliate=affiliate, site_url=site_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{affiliate.name}” is approved and active; the applicant was emailed.")
    return redirect("manager:affiliate_detail", pk=affiliate.pk)


@require_POST
@manager_required
def affiliate_application_reject(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    form = RejectApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", ["Invalid reason."])))
        return redirect("manager:affiliate_detail", pk=affiliate.pk)
    try:
        services.affiliate_application_reject(affiliate=affiliate, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{affiliate.name}” was rejected (now suspended); the applicant was emailed.")
    return redirect("manager:affiliate_detail", pk=affiliate.pk)


def _invite(request, *, advertiser=None, affiliate=None, back):
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect(back)
    email = form.cleaned_data["email"]
    try:
        services.member_invite(
            email=email, advertiser=advertiser, affiliate=affiliate, site_url=site_url(request), invited_by=request.user
        )
    except ValidationError as error:
        messages.error(request, f"{email}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Invitation sent to {email}.")
    return redirect(back)


@require_POST
@manager_required
def advertiser_member_invite(request, pk):
    advertiser = get_object_or_404(advertiser_list(user=request.user), pk=pk)
    return _invite(request, advertiser=advertiser, back=reverse("manager:advertiser_detail", args=[advertiser.pk]))


@require_POST
@manager_required
def affiliate_member_invite(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    return _invite(request, affiliate=affiliate, back=reverse("manager:affiliate_detail", args=[affiliate.pk]))
