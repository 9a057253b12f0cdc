"""The manager's inbox and notification settings (README.md, Notifications)."""

from core.permissions import ManagerRequiredMixin
from notifications import views


class InboxView(ManagerRequiredMixin, views.InboxView):
    audience = "manager"


class MarkReadView(ManagerRequiredMixin, views.MarkReadView):
    audience = "manager"


class PreferencesView(ManagerRequiredMixin, views.PreferencesView):
    audience = "manager"
