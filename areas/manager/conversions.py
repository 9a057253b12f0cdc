"""The manager's conversion pages (review, approve, reject) and the postback log (its decision trace, replay)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from areas.manager.audit import history_context
from areas.manager.conversion_forms import ConversionBulkStatusForm, ConversionStatusForm
from areas.manager.exports import CsvExportMixin, utc
from conversions.filters import ConversionFilter, PostbackLogFilter
from conversions.models import PostbackLog
from conversions.reasons import Reason
from conversions.selectors import conversion_flagged_list, conversion_list, postback_log_list
from conversions.services import conversion_set_status, conversions_set_status, postback_replay
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin, manager_required


class ConversionListView(ManagerRequiredMixin, FilteredListView):
    """Conversions with filters (dates, offer, affiliate, goal, status); tick rows to approve or reject at once."""

    template_name = "conversions/conversion_list.html"
    selector = staticmethod(conversion_list)
    filterset_class = ConversionFilter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = ConversionBulkStatusForm(user=self.request.user)
        return context


class FlaggedConversionListView(ConversionListView):
    """Conversions that broke a conversion rule (docs/postbacks.md#conversion-rules), with their flags; pending ones
    first wait for a manager, who approves or rejects them here like on the conversion list."""

    template_name = "conversions/flagged_conversion_list.html"
    selector = staticmethod(conversion_flagged_list)


class ConversionCsvView(CsvExportMixin, ConversionListView):
    """The conversions the list's filters select, every page, as CSV (Export CSV on the list)."""

    csv_name = "conversions"
    csv_header = (
        "ID", "Time (UTC)", "Offer ID", "Offer", "Affiliate ID", "Affiliate", "Goal", "Status", "Status reason",
        "Amount", "Payout", "Revenue", "Currency", "Transaction ID", "adv_sub",
    )  # fmt: skip

    def csv_row(self, conversion):
        return (
            conversion.pk,
            utc(conversion.created_at),
            conversion.offer_id,
            conversion.offer.name,
            conversion.affiliate_id,
            conversion.affiliate.name,
            conversion.goal.name if conversion.goal_id else "",
            conversion.status,
            conversion.status_reason,
            conversion.amount,
            conversion.payout,
            conversion.revenue,
            conversion.currency,
            conversion.transaction_id,
            conversion.adv_sub,
        )


class ConversionDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        return self.render(None, pk)

    def render(self, form, pk, status=200):
        conversion = get_object_or_404(conversion_list(user=self.request.user), pk=pk)
        context = {
            "conversion": conversion,
            "form": form or ConversionStatusForm(initial={"status": conversion.status}),
            "history": conversion.status_changes.select_related("changed_by"),
            "flags": conversion.flags.all(),
            "logs": postback_log_list(user=self.request.user).filter(conversion=conversion),
            **history_context(self.request, conversion),
        }
        return render(self.request, "conversions/conversion_detail.html", context, status=status)


@require_POST
@manager_required
def conversion_set_status_view(request, pk):
    conversion = get_object_or_404(conversion_list(user=request.user), pk=pk)
    form = ConversionStatusForm(request.POST)
    if not form.is_valid():
        return ConversionDetailView(request=request).render(form, pk, status=400)
    conversion = conversion_set_status(conversion=conversion, user=request.user, **form.cleaned_data)
    messages.success(request, f"Conversion #{conversion.pk} is {conversion.status}.")
    return redirect("manager:conversion_detail", pk=conversion.pk)


@require_POST
@manager_required
def conversion_bulk_status(request):
    """Approve, reject or reopen every ticked conversion, with one reason; back to the same filtered list."""
    form = ConversionBulkStatusForm(request.POST, user=request.user)
    back = request.POST.get("next", "")
    back = back if back.startswith("/manage/conversions/") else "/manage/conversions/"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    changed = conversions_set_status(
        conversions=form.cleaned_data["conversions"],
        status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"],
        user=request.user,
    )
    messages.success(
        request, f"{len(changed)} conversion{'s' if len(changed) != 1 else ''} now {form.cleaned_data['status']}."
    )
    return redirect(back)


# --- Postback log -----------------------------------------------------------------------------


def readable_trace(log):
    """The decision trace as rows a person reads: what was checked, whether it passed, and why not."""
    return [{"rule": step.get("rule", ""), "label": _rule_label(step.get("rule")), **step} for step in log.trace]


def _rule_label(code):
    """What the rule checks (Reason.label), or the bare code of a rule this version does not know."""
    reason = Reason.lookup(code)
    return reason.label if reason else code


def is_replayable(log):
    reason = Reason.lookup(log.reason)
    return log.verdict == PostbackLog.Verdict.REJECTED and reason is not None and reason.replayable


class PostbackLogListView(ManagerRequiredMixin, FilteredListView):
    """Every postback, accepted or not: what a manager opens when an advertiser says a conversion was lost."""

    template_name = "conversions/postback_log_list.html"
    selector = staticmethod(postback_log_list)
    filterset_class = PostbackLogFilter

    def get_queryset(self):
        return super().get_queryset().select_related("offer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["replayable_reasons"] = Reason.replayable_reasons()
        return context


class PostbackLogDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        log = get_object_or_404(postback_log_list(user=request.user).select_related("offer", "replay_of"), pk=pk)
        context = {
            "log": log,
            "trace": readable_trace(log),
            "params": sorted(log.params.items()),
            "replays": log.replays.order_by("-received_at", "-id"),
            "replayable": is_replayable(log),
            "replayable_reasons": Reason.replayable_reasons(),
        }
        return render(request, "conversions/postback_log_detail.html", context)


@require_POST
@manager_required
def postback_log_replay(request, pk):
    """Run a rejected postback again through the same rules; its replay gets its own log entry."""
    log = get_object_or_404(postback_log_list(user=request.user), pk=pk)
    if not is_replayable(log):
        messages.error(
            request, f"Only postbacks rejected for {' or '.join(Reason.replayable_reasons())} can be replayed."
        )
        return redirect("manager:postback_log_detail", pk=log.pk)
    outcome = postback_replay(log=log)
    if outcome.status == "rejected":
        messages.warning(request, f"Replayed: rejected again ({outcome.reason}). {outcome.detail}")
    else:
        messages.success(request, f"Replayed: {outcome.status}, conversion #{outcome.conversion_id}.")
    return redirect("manager:postback_log_detail", pk=outcome.log.pk)
