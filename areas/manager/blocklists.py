"""Manager portal: the blocklists (README, Traffic quality), network-wide and per offer: list, add, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from core.permissions import ManagerRequiredMixin, manager_required
from offers.selectors import offer_list
from partners.selectors import affiliate_list
from quality.forms import BlockEntryForm
from quality.selectors import block_entry_list
from quality.services import block_entry_add, block_entry_delete


class BlockEntryListView(ManagerRequiredMixin, View):
    """Network-wide entries (pk None) or one offer's, with the form that adds one."""

    def get(self, request, pk=None):
        offer = self.get_offer(pk)
        return self.render(offer, BlockEntryForm(affiliates=affiliate_list(user=request.user)))

    def post(self, request, pk=None):
        offer = self.get_offer(pk)
        form = BlockEntryForm(request.POST, affiliates=affiliate_list(user=request.user))
        if not form.is_valid():
            return self.render(offer, form, status=400)
        data = form.cleaned_data
        try:
            entry = block_entry_add(
                kind=data["kind"], value=data["value"], affiliate=data["affiliate"], offer=offer, note=data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.render(offer, form, status=400)
        messages.success(request, f"Blocked: {entry.get_kind_display()} {entry.affiliate or entry.value}.")
        return redirect(request.path)

    def get_offer(self, pk):
        return get_object_or_404(offer_list(user=self.request.user), pk=pk) if pk else None

    def render(self, offer, form, status=200):
        entries = block_entry_list(user=self.request.user, offer=offer)
        if offer is None:
            entries = entries.filter(offer=None)
        context = {"offer": offer, "form": form, "entries": entries}
        if offer is None:
            context["offer_entries"] = block_entry_list(user=self.request.user).exclude(offer=None)
        return render(self.request, "quality/block_entry_list.html", context, status=status)


@require_POST
@manager_required
def block_entry_remove(request, pk):
    entry = get_object_or_404(block_entry_list(user=request.user), pk=pk)
    offer_id = entry.offer_id
    block_entry_delete(entry=entry)
    messages.success(request, f"Unblocked: {entry.get_kind_display()} {entry.affiliate or entry.value}.")
    if offer_id:
        return redirect("manager:offer_block_entries", pk=offer_id)
    return redirect("manager:block_entry_list")
