"""Manager portal: offers (with the URL template builder and goals) and offer access."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_POST, require_safe

from areas.manager.audit import history_context
from areas.manager.offer_forms import GoalFormSet, OfferAccessEditForm, OfferAccessForm, OfferForm
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin, manager_required
from offers import services
from offers.filters import OfferAccessFilter, OfferFilter
from offers.macros import preview
from offers.models import Offer, OfferAccess
from offers.selectors import offer_access_list, offer_list
from reports.selectors import traffic_summary

GOAL_FIELDS = ["name", "payout_type", "payout", "revenue_type", "revenue", "allow_multiple_conversions"]


class OfferListView(ManagerRequiredMixin, FilteredListView):
    template_name = "offers/offer_list.html"
    selector = staticmethod(offer_list)
    filterset_class = OfferFilter


class OfferDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        offer = get_object_or_404(offer_list(user=request.user), pk=pk)
        access = offer_access_list(user=request.user).filter(offer=offer)
        context = {
            "offer": offer,
            "goals": offer.goals.all(),
            "access_counts": {s: access.filter(status=s).count() for s in OfferAccess.Status.values},
            "click_url": request.build_absolute_uri("/click"),
            "postback_url": request.build_absolute_uri("/postback"),
            "traffic": traffic_summary(user=request.user, filters={"offer": offer}),
            "report_url": f"{reverse('manager:report')}?group_by=day&offer={offer.pk}",
            **history_context(request, offer),
        }
        return render(request, "offers/offer_detail.html", context)


class OfferFormView(ManagerRequiredMixin, View):
    """Create (no pk) or edit an offer and its goals on one page. "Preview" re-renders without saving."""

    template_name = "offers/offer_form.html"

    def get_offer(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(offer_list(user=self.request.user), pk=pk) if pk else None

    def get(self, request, pk=None):
        offer = self.get_offer()
        initial = {"advertiser": request.GET.get("advertiser")} if offer is None else {}
        form = OfferForm(instance=offer, initial=initial, user=request.user)
        formset = GoalFormSet(instance=offer or Offer(), prefix="goals")
        sample = offer.destination_url if offer else ""
        return self.render(offer, form, formset, sample)

    def post(self, request, pk=None):
        offer = self.get_offer()
        form = OfferForm(request.POST, instance=offer, user=request.user)
        formset = GoalFormSet(request.POST, instance=offer or Offer(), prefix="goals")
        template = request.POST.get("destination_url", "")
        if "preview" in request.POST or not (form.is_valid() and formset.is_valid()):
            return self.render(offer, form, formset, template)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        goals = [
            (goal_form.instance if goal_form.instance.pk else None, {f: goal_form.cleaned_data[f] for f in GOAL_FIELDS})
            for goal_form in formset.forms
            if goal_form.has_changed() and goal_form not in formset.deleted_forms
        ]
        removed = [goal_form.instance for goal_form in formset.deleted_forms if goal_form.instance.pk]
        try:
            saved = services.offer_save(
                offer=offer,
                fields=fields,
                goals=goals,
                goals_removed=removed,
                tags=services.tag_names_parse(form.cleaned_data["tag_names"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(offer, form, formset, template)
        messages.success(request, f"Offer “{saved.name}” saved.")
        return redirect("manager:offer_detail", pk=saved.pk)

    def render(self, offer, form, formset, template):
        landing, problem = preview(template, offer_id=offer.pk if offer else None) if template else (None, None)
        context = {
            "offer": offer,
            "form": form,
            "goal_formset": formset,
            "preview_url": landing,
            "preview_error": problem,
            "preview_endpoint": reverse("manager:offer_preview"),
        }
        return render(self.request, self.template_name, context)


@require_safe
@manager_required
def offer_preview(request):
    """JSON for the URL builder's live preview: the landing URL of a sample click, or why the template is refused."""
    offer_id = request.GET.get("offer_id", "")
    landing, problem = preview(request.GET.get("template", ""), offer_id=int(offer_id) if offer_id.isdigit() else None)
    if problem:
        return JsonResponse({"valid": False, "error": problem})
    return JsonResponse({"valid": True, "url": landing})


@require_POST
@manager_required
def offer_archive(request, pk):
    offer = get_object_or_404(offer_list(user=request.user), pk=pk)
    services.offer_archive(offer=offer)
    messages.success(request, f"Offer “{offer.name}” archived: its links stop and its postbacks are refused.")
    return redirect("manager:offer_detail", pk=offer.pk)


# --- offer access --------------------------------------------------------------------------------------------


class OfferAccessListView(ManagerRequiredMixin, FilteredListView):
    """Requests and decisions per offer and per affiliate (filter by either); pending requests first."""

    template_name = "offers/offer_access_list.html"
    selector = staticmethod(offer_access_list)
    filterset_class = OfferAccessFilter

    def get_queryset(self):
        pending_first = Case(When(status=OfferAccess.Status.PENDING, then=Value(0)), default=Value(1))
        return (
            super()
            .get_queryset()
            .annotate(pending_first=pending_first)
            .order_by("pending_first", "-updated_at", "-id")
            .select_related("offer__advertiser")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = {k: self.request.GET.get(k) for k in ("offer", "affiliate") if self.request.GET.get(k)}
        context["grant_form"] = OfferAccessForm(user=self.request.user, initial=initial)
        context["statuses"] = OfferAccess.Status
        return context


def _back_to_access_list(request):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/manage/access/") else "manager:offer_access_list")


@require_POST
@manager_required
def offer_access_create(request):
    """Grant (or refuse, or block) an affiliate on an offer, from the form under the access list."""
    form = OfferAccessForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "offers/offer_access_form.html", {"form": form}, status=400)
    access = services.offer_access_set(**form.cleaned_data)
    messages.success(request, f"{access.affiliate} on {access.offer}: {access.status}.")
    return _back_to_access_list(request)


@require_POST
@manager_required
def offer_access_set_status(request, pk):
    """Approve, reject or block from a row's buttons; the payout override stays as it was."""
    access = get_object_or_404(offer_access_list(user=request.user), pk=pk)
    status = request.POST.get("status", "")
    if status not in OfferAccess.Status.values:
        messages.error(request, f"Unknown status {status!r}.")
        return _back_to_access_list(request)
    access = services.offer_access_set(
        offer=access.offer, affiliate=access.affiliate, status=status, payout=access.payout
    )
    messages.success(request, f"{access.affiliate} on {access.offer}: {access.status}.")
    return _back_to_access_list(request)


class OfferAccessEditView(ManagerRequiredMixin, View):
    """Change one row's status and payout override."""

    def get(self, request, pk):
        access = get_object_or_404(offer_access_list(user=request.user), pk=pk)
        return self.render(access, OfferAccessEditForm(instance=access))

    def post(self, request, pk):
        access = get_object_or_404(offer_access_list(user=request.user), pk=pk)
        form = OfferAccessEditForm(request.POST, instance=access)
        if not form.is_valid():
            return self.render(access, form, status=400)
        access = services.offer_access_set(offer=access.offer, affiliate=access.affiliate, **form.cleaned_data)
        messages.success(request, f"{access.affiliate} on {access.offer}: {access.status}.")
        return redirect(f"{reverse('manager:offer_access_list')}?offer={access.offer_id}")

    def render(self, access, form, status=200):
        return render(
            request=self.request,
            template_name="offers/offer_access_edit.html",
            context={"access": access, "form": form},
            status=status,
        )
