from datetime import timedelta

from django.utils import timezone

from tracking.models import Click

UNIQUE_WINDOW = timedelta(hours=24)


def click_record(*, offer, affiliate, subs, ip, user_agent, referer, now=None):
    """Store one click (a session) and return it; its expiry is fixed now from the offer's lifespan."""
    now = now or timezone.now()
    seen_recently = Click.objects.filter(
        offer=offer, affiliate=affiliate, ip=ip, user_agent=user_agent, created_at__gte=now - UNIQUE_WINDOW
    ).exists()
    click = Click(
        offer=offer,
        affiliate=affiliate,
        ip=ip,
        user_agent=user_agent,
        referer=referer,
        is_unique=not seen_recently,
        created_at=now,
        expires_at=now + timedelta(hours=offer.session_hours),
        **subs,
    )
    click.save(force_insert=True)
    return click
