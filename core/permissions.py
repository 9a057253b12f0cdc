"""Who may open which page: one role per area (manager portal, affiliate area, advertiser area).

Anonymous visitors are sent to the login page; a signed-in user of another role gets 403.
Class views take a mixin (`ManagerRequiredMixin`), function views a decorator (`manager_required`).
"""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.roles import Role, role_of


def _check(request, role):
    """None when the request's user has `role`; otherwise the response that refuses it."""
    user_role = role_of(request.user)
    if user_role == role:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(f"This page is for {role} users.")


class RoleRequiredMixin(AccessMixin):
    """Let only users of `required_role` through."""

    required_role: Role

    def dispatch(self, request, *args, **kwargs):
        refusal = _check(request, self.required_role)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)


class ManagerRequiredMixin(RoleRequiredMixin):
    required_role = Role.MANAGER


class AffiliateRequiredMixin(RoleRequiredMixin):
    required_role = Role.AFFILIATE


class AdvertiserRequiredMixin(RoleRequiredMixin):
    required_role = Role.ADVERTISER


def role_required(role):
    """Decorator for function views: only users of `role`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = _check(request, role)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


manager_required = role_required(Role.MANAGER)
affiliate_required = role_required(Role.AFFILIATE)
advertiser_required = role_required(Role.ADVERTISER)
