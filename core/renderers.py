"""The API's HTML renderer (REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]); its own module, because DRF imports it
while its views module loads, so it can't live with the viewsets in core/api.py."""

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages of the API, whose templates and scripts set inline styles: the site's Content-Security-Policy
    lets these pages (only) apply them, as csp.decorators.csp_update would. Scripts stay 'self' only."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": UNSAFE_INLINE}
        return super().render(data, accepted_media_type, renderer_context)
