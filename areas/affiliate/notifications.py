"""The affiliate's inbox and notification settings (README.md, Notifications)."""

from areas.affiliate.views import AffiliateAreaMixin
from notifications import views


class InboxView(AffiliateAreaMixin, views.InboxView):
    audience = "affiliate"


class MarkReadView(AffiliateAreaMixin, views.MarkReadView):
    audience = "affiliate"


class PreferencesView(AffiliateAreaMixin, views.PreferencesView):
    audience = "affiliate"
