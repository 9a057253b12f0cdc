"""`Authorization: Bearer <key>` for the API (README: API). Its own module: DRF imports the classes named in
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] while its views load, so they cannot live in core.api, which imports
those views. The schema's security scheme for it is core.api.BearerTokenScheme."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """The same API token sent as `Authorization: Bearer <key>`, the form OpenAPI client generators send by
    default; `Authorization: Token <key>` (DRF's TokenAuthentication, listed first in settings) works as before."""

    keyword = "Bearer"
