"""Reads of notifications: always the signed-in person's own (an inbox is never shared, managers' included)."""

from notifications.models import Notification, Preference


def inbox(*, user):
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_inbox=True)


def unread_count(*, user) -> int:
    return inbox(user=user).filter(read_at__isnull=True).count()


def preferences(*, user) -> dict:
    """kind → channel for the user (kinds without a row are e-mail and inbox)."""
    return dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
