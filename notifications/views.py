"""The inbox and the notification preferences (README.md, Notifications): one set of views, which each audience's
area subclasses with its own gate (as reports.views.ReportView is). A person only ever sees their own entries:
anyone else's is 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import select_template
from django.views.generic import TemplateView, View

from notifications.forms import PreferencesForm
from notifications.selectors import inbox, preferences, unread_count
from notifications.services import notification_mark_read, preferences_save

PER_PAGE = 50


class AudienceMixin:
    audience = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            audience=self.audience,
            base_template=select_template([f"{self.audience}/base.html", "base.html"]),
            **kwargs,
        )


class InboxView(AudienceMixin, TemplateView):
    """The person's notifications, newest first, unread ones marked; mark one or all read."""

    template_name = "notifications/inbox.html"

    def get_context_data(self, **kwargs):
        entries = inbox(user=self.request.user)
        if self.request.GET.get("unread"):
            entries = entries.filter(read_at__isnull=True)
        page = Paginator(entries, PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page, entries=page.object_list, unread=unread_count(user=self.request.user), **kwargs
        )


class MarkReadView(View):
    """POST: mark one entry read (then go where it points, when asked to open it) or, without pk, all of them."""

    http_method_names = ["post"]
    audience = ""

    def post(self, request, pk=None):
        inbox_url = f"{self.audience}:inbox"
        if pk is None:
            count = notification_mark_read(user=request.user)
            messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
            return redirect(inbox_url)
        entry = inbox(user=request.user).filter(pk=pk).first()
        if entry is None:
            raise Http404("No such notification.")
        notification_mark_read(user=request.user, notification_id=entry.pk)
        if request.POST.get("open") and entry.link.startswith("/"):
            return redirect(entry.link)
        return redirect(inbox_url)


class PreferencesView(AudienceMixin, TemplateView):
    """Per kind of event: e-mail and inbox, e-mail only, inbox only, or nothing."""

    template_name = "notifications/preferences.html"

    def form(self, data=None):
        return PreferencesForm(data, audience=self.audience, current=preferences(user=self.request.user))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        channels = {kind: channel for kind, channel in form.cleaned_data.items() if channel}
        preferences_save(user=request.user, audience=self.audience, channels=channels)
        messages.success(request, "Notification settings saved.")
        return redirect(f"{self.audience}:notification_preferences")
