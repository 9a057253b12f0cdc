"""Creative images, served so that a browser can only ever treat them as images (README.md, Creatives).

Two ways in: /creatives/<id>/image/ for the portals (signed in, scoped like every page: a manager sees every
creative, an advertiser those of its offers, an affiliate those of the offers it may run; anything else is 404),
and /creative/<key> for banners pasted on affiliates' sites, named by an unguessable key and served while the offer
is not archived. Both answer with the type found in the file at upload (never one guessed from a name),
`X-Content-Type-Options: nosniff`, `Content-Disposition: inline` with a fixed file name, and a sandboxing
Content-Security-Policy, so even a file that slipped past the upload check could not run as a page.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from core.roles import Role, inactive_partner_of, role_of
from offers.creatives import CONTENT_TYPES, FORMATS
from offers.selectors import creative_by_public_key, creative_list

# Inline styles only: a browser opening the image by itself draws it in a page of its own that styles it.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
EXTENSIONS = dict(FORMATS.values())


def _image_response(creative, *, cache_control, resource_policy):
    if creative.content_type not in CONTENT_TYPES or not creative.image:
        raise Http404("no image")
    try:
        handle = creative.image.open("rb")
    except OSError as error:  # the row outlived its file (a storage cleaned by hand): nothing to show
        raise Http404("image file missing") from error
    response = FileResponse(handle, content_type=creative.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="creative-{creative.pk}{EXTENSIONS[creative.content_type]}"'
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Cross-Origin-Resource-Policy"] = resource_policy
    response["Cache-Control"] = cache_control
    return response


@require_safe
def creative_image(request, pk):
    """A creative's image for the portals: 404 outside the signed-in user's scope."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if inactive_partner_of(request.user) is not None:
        raise Http404("inactive partner")
    creative = get_object_or_404(creative_list(user=request.user), pk=pk)
    cache = "private, max-age=300" if role_of(request.user) != Role.MANAGER else "private, no-cache"
    return _image_response(creative, cache_control=cache, resource_policy="same-origin")


@require_safe
def creative_public(request, key):
    """A pasted banner's image: by its unguessable key, for anyone, while the offer is not archived."""
    creative = creative_by_public_key(key=key)
    if creative is None:
        raise Http404("no such creative")
    return _image_response(creative, cache_control="public, max-age=3600", resource_policy="cross-origin")
