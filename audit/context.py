"""Who is acting, for the audit trail: the request being served (set by the middleware below), or "system" when
there is none (a Celery task, beat, a management command)."""

from contextvars import ContextVar
from dataclasses import dataclass

from core.http import client_ip

_request = ContextVar("audit_request", default=None)

SYSTEM = "system"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    ip: str | None


def actor_for(user, ip=None) -> Actor:
    if user is None:
        return Actor(None, SYSTEM, ip)
    if not user.is_authenticated:
        return Actor(None, ANONYMOUS, ip)
    return Actor(user.pk, user.get_username(), ip)


def current_actor() -> Actor:
    """The signed-in user of the current request (read when the change is recorded, so the API's token
    authentication, which DRF runs in the view, is seen too) and its address; "system" outside a request."""
    request = _request.get()
    if request is None:
        return Actor(None, SYSTEM, None)
    user = getattr(request, "user", None)
    if user is None:  # a path served without AuthenticationMiddleware
        return Actor(None, ANONYMOUS, client_ip(request))
    return actor_for(user, client_ip(request))


def audit_context_middleware(get_response):
    """Makes the request the audit trail's source of actor and address while it is served (after
    AuthenticationMiddleware in settings.MIDDLEWARE)."""

    def middleware(request):
        token = _request.set(request)
        try:
            return get_response(request)
        finally:
            _request.reset(token)

    return middleware
