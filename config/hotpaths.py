"""A short lane through Django for the click and postback endpoints, which take all of a network's traffic.

The full MIDDLEWARE list is for the portal and the API: static files, sessions, CSRF, authentication, messages,
clickjacking headers. The tracking endpoints use none of it (no session, no login, no forms, no templates). So the
WSGI entry point (config/wsgi.py) answers their exact paths (HOT_PATHS) here and every other path with Django's
full handler. For a hot path, `HotLane.__call__` does what Django's WSGIHandler would, minus what these views
don't need:

1. `request_started` is sent, as Django does: its receivers close a connection that is too old (CONN_MAX_AGE) or
   broken, and the test client's hooks keep working;
2. the view is called directly: it was looked up once, at start, in the project's URLconf (no URL resolving per
   request, no middleware chain), with the request ID of core/logs.py set around it;
3. SecurityMiddleware's `process_request` (HTTPS redirect) and `process_response` (nosniff, referrer policy, HSTS)
   are called as methods; Content-Length is set, as CommonMiddleware would;
4. an exception becomes Django's 500 (or 404/403/400) page and is logged with its traceback, and every answer of
   400 and up is logged as Django logs it (`django.request`);
5. the response goes back to the server, which calls its `close()` once it is sent: that sends `request_finished`
   (connections again). HEAD is answered by the views themselves (a click's HEAD stores nothing); its body is
   dropped here, Content-Length kept.

`with_hot_paths` also warms each worker up (`warm_up`) before its first request. What all this saves, and what
Granian's access log costs, are measured in README's Performance section.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.core.signals import request_started
from django.middleware.security import SecurityMiddleware
from django.urls import get_resolver, set_script_prefix
from django.utils.log import log_response

from core.logs import request_id_middleware
from quality.lookups import country_of, traits_of

# Plus the probes and the Prometheus scrape (core/health.py, operations/views.py): no session or login either.
HOT_PATHS = frozenset({"/click", "/aff_c", "/postback", "/aff_lsr", "/aff_goal", "/healthz", "/readyz", "/metrics"})


class HotLane:
    """WSGI application: HOT_PATHS straight to their views, everything else to `application` (the full stack)."""

    def __init__(self, application):
        self.application = application
        if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
            raise ImproperlyConfigured("the hot paths skip CommonMiddleware: unset DISALLOWED_USER_AGENTS, PREPEND_WWW")
        resolver, atomic = get_resolver(), BaseHandler()
        # path -> (ResolverMatch, the view as Django would call it: in a transaction if ATOMIC_REQUESTS is on)
        self.views = {}
        for path in HOT_PATHS:
            match = resolver.resolve(path)
            self.views[path] = (match, atomic.make_view_atomic(match.func))
        self.security = SecurityMiddleware(self._view)  # only its process_request/process_response are called
        # The request ID wraps everything, so the log lines of a failed request carry it too.
        self.respond = request_id_middleware(self._respond)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path not in self.views:
            return self.application(environ, start_response)
        set_script_prefix(get_script_name(environ))
        request_started.send(sender=HotLane, environ=environ)
        request = WSGIRequest(environ)
        request.resolver_match = self.views[path][0]
        response = self.respond(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        start_response(f"{response.status_code} {response.reason_phrase}", self._headers(response))
        if request.method == "HEAD" and not response.streaming:
            response.content = b""  # after the headers: Content-Length stays that of the GET
        return response

    def _view(self, request):
        return self.views[request.path_info][1](request)

    def _respond(self, request):
        try:
            response = self.security.process_request(request) or self._view(request)
        except Exception as exc:  # noqa: BLE001 - Django's own conversion: 500 page, got_request_exception, log
            response = response_for_exception(request, exc)
        return self.security.process_response(request, response)

    @staticmethod
    def _headers(response):
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        headers = list(response.items())
        headers += [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
        return headers


def warm_up():
    """Load now what the first clicks of each worker would otherwise load, every thread at once while the others
    wait: ua-parser's regexes (about 0.25 s of CPU) and the country database (quality/lookups.py). Without it,
    Granian's freshly started workers answered clicks in over a second for their first few seconds."""
    traits_of("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    country_of("192.0.2.1")


def with_hot_paths(application):
    """Wrap Django's WSGI application so requests for HOT_PATHS take the short lane (warmed up first)."""
    warm_up()
    return HotLane(application)
