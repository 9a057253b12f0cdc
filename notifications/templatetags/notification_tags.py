"""The inbox link, with its unread count, beside the signed-in person's name in every portal's top bar: one
indexed count (notification_inbox) per page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from core.roles import Role, inactive_partner_of, role_of
from notifications.selectors import unread_count

register = template.Library()

AUDIENCE = {Role.MANAGER: "manager", Role.AFFILIATE: "affiliate", Role.ADVERTISER: "advertiser"}


@register.simple_tag(takes_context=True)
def inbox_link(context):
    """The link to the person's inbox (none for someone with no portal, or whose partner is not active yet)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    audience = AUDIENCE.get(role_of(user)) if user is not None else None
    if audience is None or inactive_partner_of(user) is not None:
        return ""
    url = reverse(f"{audience}:inbox")
    current = ' aria-current="page"' if request.path.startswith(url) else ""  # a constant: part of the format
    count = unread_count(user=user)
    badge = format_html(' <span class="badge unread" data-unread>{}</span>', count) if count else ""
    label = f"Inbox, {count} unread" if count else "Inbox"
    return format_html('<a class="inbox-link" href="{}" aria-label="{}"' + current + ">Inbox{}</a>", url, label, badge)
