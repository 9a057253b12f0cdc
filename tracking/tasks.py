from celery import shared_task

from tracking import services


@shared_task
def sessions_expire():
    """Mark clicks whose session ended expired and erase personal data past retention (beat: every 15 minutes)."""
    return services.sessions_expire()
