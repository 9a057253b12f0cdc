import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The click and postback endpoints skip the portal's middleware (config/hotpaths.py).
from config.hotpaths import with_hot_paths  # noqa: E402 - needs the settings and apps set up above

application = with_hot_paths(application)
