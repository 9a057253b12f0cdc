import copy
import logging.config
import os

from celery import Celery, signals
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tally")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(loglevel=None, **kwargs):
    """Worker and beat log through LOGGING (TALLY_LOG_FORMAT, request IDs: core/logs.py) at --loglevel."""
    config = copy.deepcopy(settings.LOGGING)
    if loglevel:
        config["root"]["level"] = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    logging.config.dictConfig(config)
