"""The advertiser's inbox and notification settings (README.md, Notifications)."""

from areas.advertiser.views import AdvertiserAreaMixin
from notifications import views


class InboxView(AdvertiserAreaMixin, views.InboxView):
    audience = "advertiser"


class MarkReadView(AdvertiserAreaMixin, views.MarkReadView):
    audience = "advertiser"


class PreferencesView(AdvertiserAreaMixin, views.PreferencesView):
    audience = "advertiser"
