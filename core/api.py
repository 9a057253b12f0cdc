"""What every REST API resource shares (README, API): role-scoped querysets, manager-only writes, fields that depend
on who asks, service refusals answered as 400, and no access for a pending or suspended partner's users.

A viewset names its selector (`selector = offer_list`): every read goes through it, so an object outside the
caller's scope is simply not found (404, never 403). Writes call the app's services, never model methods.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

from core.authentication import BearerTokenAuthentication
from core.roles import Role, inactive_partner_of, role_of

# Response fields that some roles never receive, by schema component name ("Offer": {"revenue", ...}).
# Filled by RoleFieldsMixin; the schema marks these optional, because they are absent for those roles.
ROLE_HIDDEN_FIELDS = {}


def is_schema_view(view):
    """True while drf-spectacular builds the schema with a stand-in view (no real caller)."""
    return getattr(view, "swagger_fake_view", False)


class RoleFieldsMixin:
    """A serializer whose fields depend on the caller's role.

    `hidden_from = {"revenue": (Role.AFFILIATE,)}` drops `revenue` for affiliates, from answers and from input.
    While the schema is generated every field is present (`self.role` is None) and hidden ones are optional.
    """

    hidden_from: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.hidden_from:
            ROLE_HIDDEN_FIELDS[cls.__name__.removesuffix("Serializer")] = set(cls.hidden_from)

    @property
    def role(self):
        """The caller's Role, or None while the schema is generated."""
        request = self.context.get("request")
        if request is None or is_schema_view(self.context.get("view")):
            return None
        return role_of(request.user)

    def get_fields(self):
        fields = super().get_fields()
        role = self.role
        if role is not None:
            for name, roles in self.hidden_from.items():
                if role in roles:
                    fields.pop(name, None)
        return fields


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's `bearerAuth` security scheme (HTTP bearer), beside drf-spectacular's `tokenAuth` for `Token`."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The API token (`manage.py drf_create_token <username>`) as `Authorization: Bearer <key>`; "
            "`Authorization: Token <key>` (tokenAuth) is the same token.",
        }


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by ID and chosen among the rows the caller may see (`selector(user=...)`), so an ID
    outside one's scope is refused exactly like an unknown one."""

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.selector(user=request.user)


@contextmanager
def service_errors():
    """Run a service; its refusal (a Django ValidationError from full_clean or a rule) becomes a 400 answer."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise ValidationError(detail) from exc


class ManagerWrites(permissions.BasePermission):
    """Signed-in users read (within their scope); only managers write."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or role_of(request.user) == Role.MANAGER


class ActivePartner(permissions.BasePermission):
    """Not a user of a pending or suspended affiliate or advertiser. Its area shows such a user only where the
    account stands (areas/affiliate/views.py), so every API resource answers 403 until a manager activates it."""

    def has_permission(self, request, view):
        partner = inactive_partner_of(request.user)
        if partner is None:
            return True
        kind = partner._meta.verbose_name
        self.message = f"This {kind} account is {partner.status}: the API opens once a network manager activates it."
        return False


class BaseViewSet(viewsets.GenericViewSet):
    """What every /api/v1/ viewset derives from: ActivePartner comes first, before the viewset's own permissions."""

    def get_permissions(self):
        return [ActivePartner(), *super().get_permissions()]


class ScopedViewSet(BaseViewSet):
    """Rows come from `selector(user=request.user)`, in a fixed `ordering` (stable pages). Bodies are JSON."""

    selector = None
    ordering = ("-id",)
    permission_classes = [ManagerWrites]
    parser_classes = [JSONParser]

    def get_queryset(self):
        return type(self).selector(user=self.request.user).order_by(*self.ordering)

    @property
    def role(self):
        return role_of(self.request.user)


def schema_response_fields_required(result, generator, request, public):
    """drf-spectacular postprocessing hook: every property of a response component is `required`.

    DRF renders every readable field of a serializer, null or not, so an answer never lacks one; drf-spectacular
    marks only read-only and input-required fields, which left `Conversion.status` (a field with a default) optional
    and generated clients typing it "maybe missing". Request components (…Request, with COMPONENT_SPLIT_REQUEST) keep
    their own rules. Runs before schema_role_fields_optional, which frees the fields some roles never receive."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or "properties" not in schema:
            continue
        schema["required"] = sorted(set(schema.get("required", [])) | set(schema["properties"]))
    return result


def schema_role_fields_optional(result, generator, request, public):
    """drf-spectacular postprocessing hook: a field some roles never receive is not `required` in responses."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, hidden in ROLE_HIDDEN_FIELDS.items():
        schema = schemas.get(name)
        if schema and "required" in schema:
            schema["required"] = [field for field in schema["required"] if field not in hidden]
    return result


ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "A refusal with one message (not signed in, not allowed, not found, malformed body).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": 'What was wrong with the input: {"<field>": ["<message>", ...], "non_field_errors": [...]}, '
        'or {"detail": "<message>"} for a body that could not be parsed.',
        "additionalProperties": True,
    },
}


def _error(description, component):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def schema_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error answers every operation can give."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = {"401": _error("Not signed in: no token or session, or a wrong token.", "ErrorDetail")}
            if method in ("post", "put", "patch"):
                errors["400"] = _error("The input is not valid.", "ValidationErrors")
                errors["403"] = _error("Signed in, but this role may not make this change.", "ErrorDetail")
            elif "{" not in path:
                errors["400"] = _error("A filter value is not valid (or is outside your scope).", "ValidationErrors")
                errors["404"] = _error("No such page of results.", "ErrorDetail")
            if "{" in path:
                errors["404"] = _error("No such object, or not one you may see.", "ErrorDetail")
            for status, response in errors.items():
                responses.setdefault(status, response)
    return result
