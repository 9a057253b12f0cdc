"""The manager's audit trail pages (README, Audit trail): the network-wide list with its filters, and the History
section that the offer, affiliate, advertiser and conversion pages include."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from audit.filters import AuditEntryFilter
from audit.selectors import audit_entry_list, audit_history
from audit.services import object_type
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin

# An entry's object, linked to its page in this portal (other kinds are shown without a link).
DETAIL_URLS = {
    "offers.offer": "manager:offer_detail",
    "partners.advertiser": "manager:advertiser_detail",
    "partners.affiliate": "manager:affiliate_detail",
    "conversions.conversion": "manager:conversion_detail",
    "offers.offeraccess": "manager:offer_access_update",
    "billing.invoice": "manager:invoice_detail",
}

HISTORY_LENGTH = 20


def _with_links(entries):
    for entry in entries:
        name = DETAIL_URLS.get(entry.object_type)
        try:
            entry.url = reverse(name, args=[entry.object_id]) if name else ""
        except NoReverseMatch:
            entry.url = ""
    return entries


class AuditEntryListView(ManagerRequiredMixin, FilteredListView):
    """Every recorded change, newest first, filtered by who, object type (or one object), action and days."""

    template_name = "audit/audit_list.html"
    selector = staticmethod(audit_entry_list)
    filterset_class = AuditEntryFilter
    ordering = ("-seq",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _with_links(context["object_list"])
        return context


def history_context(request, obj):
    """The History section of an object's page: its last changes and a link to all of them."""
    entries = list(audit_history(user=request.user, obj=obj)[: HISTORY_LENGTH + 1])
    query = urlencode({"object_type": object_type(obj), "object_id": obj.pk})
    return {
        "audit_history": entries[:HISTORY_LENGTH],
        "audit_history_more": len(entries) > HISTORY_LENGTH,
        "audit_history_url": f"{reverse('manager:audit_list')}?{query}",
    }
