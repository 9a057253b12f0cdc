"""A short lane through Django for the click and postback endpoints, which take all of a network's traffic.

The full MIDDLEWARE list is for the portal and the API: static files, sessions, CSRF, authentication, messages,
clickjacking headers. The tracking endpoints use none of it (no session, no login, no forms, no templates), so the
WSGI entry point sends their exact paths through a second Django handler with only SecurityMiddleware and
CommonMiddleware; every other path takes the full stack. Both handlers share the URLconf and the views.
"""

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

# Plus the probes and the Prometheus scrape (core/health.py, operations/views.py): no session or login either.
HOT_PATHS = frozenset({"/click", "/aff_c", "/postback", "/aff_lsr", "/aff_goal", "/healthz", "/readyz", "/metrics"})
HOT_PATH_MIDDLEWARE = (
    # The request ID of the log lines (core/logs.py): a postback's affiliate delivery task logs under it too.
    "core.logs.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
)


class HotPathHandler(WSGIHandler):
    """Django's WSGI handler with HOT_PATH_MIDDLEWARE instead of settings.MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(HOT_PATH_MIDDLEWARE):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


def with_hot_paths(application):
    """Wrap Django's WSGI application so requests for HOT_PATHS take the short lane."""
    hot = HotPathHandler()

    def dispatch(environ, start_response):
        handler = hot if environ.get("PATH_INFO") in HOT_PATHS else application
        return handler(environ, start_response)

    return dispatch
