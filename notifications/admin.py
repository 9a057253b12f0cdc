from django.contrib import admin

from notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "title", "in_inbox", "read_at", "email", "emailed_at"]
    list_filter = ["kind", "email", "in_inbox"]
    search_fields = ["event_key", "title", "recipient__username", "recipient__email"]
    raw_id_fields = ["recipient"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel"]
    list_filter = ["kind", "channel"]
    raw_id_fields = ["user"]
