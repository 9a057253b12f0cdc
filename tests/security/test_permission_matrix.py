"""The permission matrix: every URL pattern of the project (read from the URL resolver) × GET and POST × the five
roles (anonymous, affiliate A, affiliate B, an advertiser's user, a manager) → the status each must get.

A URL missing from EXPECTED fails test_every_url_is_in_the_matrix: no page is added without deciding who may
open it. URLs that name an object are tried with an object of each side: variant "a" belongs to affiliate A (on
advertiser X's offer; X is the advertiser role), "b" to affiliate B (on advertiser Y's private offer), so every
cross-tenant request must answer 404, as for an object that does not exist. Entries for URLs an older tree does
not have yet are skipped.

A status is a number, "L" (a redirect to the portal's sign-in page) or "A" (to the admin's). The five columns
are, in order: anonymous, affiliate A, affiliate B, advertiser X, manager. The Django admin is one rule (ADMIN).
"""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partners.tokens import invitation_token_generator
from tests.security.matrix import ROLES, act_as, routes

pytestmark = pytest.mark.django_db


def same(get, post):
    """The same answers whichever object the URL names (or it names none)."""
    return {"a": {"GET": get, "POST": post}, "b": {"GET": get, "POST": post}}


def per(a, b, post):
    """GET answers for side a's object and side b's; POST answers, for both."""
    return {"a": {"GET": a, "POST": post}, "b": {"GET": b, "POST": post}}


def per_post(get, a, b):
    """GET answers for both; POST answers for side a's object and side b's."""
    return {"a": {"GET": get, "POST": a}, "b": {"GET": get, "POST": b}}


EVERYONE = {code: " ".join([code] * 5) for code in ("200", "302", "400", "404", "405")}
MANAGER_PAGE = "L 403 403 403 200"
MANAGER_ONLY = "L 403 403 403 {}"  # the manager's answer filled in
NOT_FOR_MANAGERS = MANAGER_ONLY.format(405)
AFFILIATE_PAGE = "L 200 200 403 403"
AFFILIATE_NO_POST = "L 405 405 403 403"
ADVERTISER_PAGE = "L 403 403 200 403"
ADVERTISER_NO_POST = "L 403 403 405 403"
API_READ = "401 200 200 200 200"
API_CREATE = "401 403 403 403 415"  # a manager passes the permission check; the form-encoded body is refused
API_READ_ONLY = "401 403 403 403 405"
API_NO_POST = "401 405 405 405 405"
API_SIDE_A = "401 200 404 200 200"  # affiliate A's object on advertiser X's offer
API_SIDE_B = "401 404 200 404 200"  # affiliate B's object on advertiser Y's offer

EXPECTED = {
    # --- Public endpoints: the same answer for everyone (no session is read) -----------------------------------
    "tracking:click": same(EVERYONE["404"], EVERYONE["405"]),
    "tracking:click_hasoffers": same(EVERYONE["404"], EVERYONE["405"]),
    "conversions:postback": same(EVERYONE["400"], EVERYONE["400"]),
    "conversions:postback_hasoffers": same(EVERYONE["400"], EVERYONE["400"]),
    "conversions:postback_hasoffers_goal": same(EVERYONE["400"], EVERYONE["400"]),
    # Probes and metrics: no login (metrics: the test client calls from 127.0.0.1, inside TALLY_METRICS_ALLOW).
    "healthz": same(EVERYONE["200"], EVERYONE["405"]),
    # Creative images: the portals' view is scoped (affiliate A may run offer X, B offer Y; the advertiser owns X);
    # a pasted banner's URL (an unguessable key) serves anyone, GET only.
    "offers:creative_image": per("L 200 404 200 200", "L 404 200 404 200", EVERYONE["405"]),
    "offers:creative_public": same(EVERYONE["200"], EVERYONE["405"]),
    "readyz": same(EVERYONE["200"], EVERYONE["405"]),
    "metrics": same(EVERYONE["200"], EVERYONE["405"]),
    # --- Getting in --------------------------------------------------------------------------------------------
    "home": same(EVERYONE["302"], EVERYONE["302"]),
    "login": same(EVERYONE["200"], EVERYONE["200"]),
    "logout": same(EVERYONE["405"], EVERYONE["302"]),
    "signup": same("200 302 302 302 302", "200 302 302 302 302"),
    "terms": same(EVERYONE["200"], EVERYONE["405"]),
    "password_reset": same(EVERYONE["200"], EVERYONE["200"]),
    "password_reset_done": same(EVERYONE["200"], EVERYONE["405"]),
    "password_reset_complete": same(EVERYONE["200"], EVERYONE["405"]),
    "password_reset_confirm": same(EVERYONE["302"], EVERYONE["302"]),
    "invitation_accept": same(EVERYONE["302"], EVERYONE["302"]),
    # --- Manager portal: pages ---------------------------------------------------------------------------------
    "manager:home": same(MANAGER_PAGE, MANAGER_PAGE),
    "manager:click_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:click_csv": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:click_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:conversion_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:conversion_flagged_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:conversion_time_report": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:conversion_csv": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:conversion_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:postback_log_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:postback_log_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:offer_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:offer_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:offer_preview": same(MANAGER_PAGE, EVERYONE["405"]),
    "manager:offer_access_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:advertiser_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:advertiser_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:affiliate_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:affiliate_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:report": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:report_csv": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:report_schedule_list": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:report_schedule_delete": same(NOT_FOR_MANAGERS, MANAGER_ONLY.format(404)),
    "manager:inbox": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:notification_read_all": same(NOT_FOR_MANAGERS, MANAGER_ONLY.format(302)),
    "manager:notification_read": same(NOT_FOR_MANAGERS, MANAGER_ONLY.format(404)),
    "manager:notification_preferences": same(MANAGER_PAGE, MANAGER_ONLY.format(302)),
    "manager:system": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:audit_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),  # the audit trail: read-only, managers only
    # Billing: a manager sees every invoice (side a and b alike); downloads are GET only.
    "manager:billing": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:invoice_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:invoice_detail": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:invoice_pdf": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:invoice_csv": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:billing_to_pay": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:billing_to_pay_csv": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:billing_overdue": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    "manager:payment_list": same(MANAGER_PAGE, NOT_FOR_MANAGERS),
    # --- Manager portal: forms (an empty POST is a form with errors) -------------------------------------------
    "manager:offer_create": same(MANAGER_PAGE, MANAGER_ONLY.format(200)),
    "manager:offer_update": same(MANAGER_PAGE, MANAGER_ONLY.format(200)),
    "manager:offer_access_update": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:advertiser_create": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:advertiser_update": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:affiliate_create": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:affiliate_update": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    # A payment names its affiliate (?affiliate=): without one there is no form to show (404).
    "manager:payment_create": same(MANAGER_ONLY.format(404), MANAGER_ONLY.format(404)),
    # An empty affiliate billing profile is valid (every field falls back to the network's default).
    "manager:affiliate_billing_profile": same(MANAGER_PAGE, MANAGER_ONLY.format(302)),
    "manager:advertiser_billing_profile": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    # Creatives, coupon codes, categories: an empty POST is a form with errors.
    "manager:offer_creatives": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:offer_coupons": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:category_list": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    # Blocklists: an empty POST is a form with errors.
    "manager:block_entry_list": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    "manager:offer_block_entries": same(MANAGER_PAGE, MANAGER_ONLY.format(400)),
    # --- Manager portal: actions (POST only; GET is 405 before anything else) ----------------------------------
    "manager:creative_delete": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:coupon_delete": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:category_delete": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:block_entry_delete": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:conversion_bulk_status": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:conversion_set_status": same(EVERYONE["405"], MANAGER_ONLY.format(400)),
    "manager:postback_log_replay": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:offer_archive": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:offer_access_create": same(EVERYONE["405"], MANAGER_ONLY.format(400)),
    "manager:offer_access_set_status": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:advertiser_set_status": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:advertiser_rotate_token": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:advertiser_clear_token": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:advertiser_rotate_signing_secret": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:affiliate_set_status": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:affiliate_rotate_postback_secret": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:affiliate_application_approve": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:affiliate_application_reject": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:affiliate_member_invite": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    # Billing actions: a refusal (issuing an issued invoice, mark paid on an affiliate's) is a message and a redirect.
    "manager:invoice_issue": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:invoice_void": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:invoice_mark_paid": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    "manager:invoice_adjustment_add": same(EVERYONE["405"], MANAGER_ONLY.format(400)),
    "manager:advertiser_member_invite": same(EVERYONE["405"], MANAGER_ONLY.format(302)),
    # --- Affiliate area ----------------------------------------------------------------------------------------
    "affiliate:home": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:offer_list": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    # Offer X asks for approval, so every affiliate may see it (to ask); offer Y is private to affiliate B.
    "affiliate:offer_detail": per(AFFILIATE_PAGE, "L 404 200 403 403", AFFILIATE_NO_POST),
    "affiliate:offer_request_access": per_post(EVERYONE["405"], "L 302 302 403 403", "L 404 302 403 403"),
    "affiliate:link_builder": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:postbacks": same(AFFILIATE_PAGE, "L 400 400 403 403"),
    "affiliate:postback_delete": per_post(EVERYONE["405"], "L 302 404 403 403", "L 404 302 403 403"),
    "affiliate:postback_secret_rotate": same(EVERYONE["405"], "L 302 302 403 403"),
    "affiliate:delivery_list": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:conversion_list": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:report": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:report_csv": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:report_schedule_list": same(AFFILIATE_PAGE, "L 400 400 403 403"),
    "affiliate:report_schedule_delete": per_post(AFFILIATE_NO_POST, "L 302 404 403 403", "L 404 302 403 403"),
    "affiliate:inbox": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:notification_read_all": same(AFFILIATE_NO_POST, "L 302 302 403 403"),
    "affiliate:notification_read": per_post(AFFILIATE_NO_POST, "L 302 404 403 403", "L 404 302 403 403"),
    "affiliate:notification_preferences": same(AFFILIATE_PAGE, "L 302 302 403 403"),
    # Billing: an affiliate's own invoices; another's is not found.
    "affiliate:invoice_list": same(AFFILIATE_PAGE, AFFILIATE_NO_POST),
    "affiliate:invoice_detail": per("L 200 404 403 403", "L 404 200 403 403", AFFILIATE_NO_POST),
    "affiliate:invoice_pdf": per("L 200 404 403 403", "L 404 200 403 403", AFFILIATE_NO_POST),
    "affiliate:invoice_csv": per("L 200 404 403 403", "L 404 200 403 403", AFFILIATE_NO_POST),
    "affiliate:payment_method": same(AFFILIATE_PAGE, "L 302 302 403 403"),
    # --- Advertiser area ---------------------------------------------------------------------------------------
    "advertiser:home": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:offer_detail": per(ADVERTISER_PAGE, "L 403 403 404 403", ADVERTISER_NO_POST),
    "advertiser:integration_test_start": per_post(EVERYONE["405"], "L 403 403 302 403", "L 403 403 404 403"),
    "advertiser:integration_test": per(ADVERTISER_PAGE, "L 403 403 404 403", ADVERTISER_NO_POST),
    "advertiser:conversion_list": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:report": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:report_csv": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:report_schedule_list": same(ADVERTISER_PAGE, "L 403 403 400 403"),
    "advertiser:report_schedule_delete": same(ADVERTISER_NO_POST, "L 403 403 404 403"),
    "advertiser:inbox": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:notification_read_all": same(ADVERTISER_NO_POST, "L 403 403 302 403"),
    "advertiser:notification_read": same(ADVERTISER_NO_POST, "L 403 403 404 403"),
    "advertiser:notification_preferences": same(ADVERTISER_PAGE, "L 403 403 302 403"),
    "advertiser:invoice_list": same(ADVERTISER_PAGE, ADVERTISER_NO_POST),
    "advertiser:invoice_pdf": per(ADVERTISER_PAGE, "L 403 403 404 403", ADVERTISER_NO_POST),
    # --- API (token or session; the test uses the session) -----------------------------------------------------
    "api:api-root": same(API_READ, API_NO_POST),
    "api:schema": same(EVERYONE["200"], EVERYONE["405"]),  # the OpenAPI description holds no data
    "api:docs": same(EVERYONE["200"], EVERYONE["405"]),
    "api/^(?P<path>.*/)$": same(EVERYONE["404"], EVERYONE["404"]),
    "api:advertiser-list": same(API_READ, API_CREATE),
    "api:advertiser-detail": per("401 404 404 200 200", "401 404 404 404 200", API_READ_ONLY),
    "api:affiliate-list": same(API_READ, API_CREATE),
    "api:affiliate-detail": per("401 200 404 404 200", "401 404 200 404 200", API_READ_ONLY),
    # Rotating a postback secret: managers, and the affiliate itself for its own (anyone else's is not found).
    "api:affiliate-rotate-postback-secret": per_post(API_NO_POST, "401 200 404 403 200", "401 404 200 403 200"),
    "api:offer-list": same(API_READ, API_CREATE),
    "api:offer-detail": per(API_READ, API_SIDE_B, API_READ_ONLY),
    "api:offer-access-list": same(API_READ, "401 415 415 403 415"),  # affiliates may POST (to ask for access)
    "api:offer-access-detail": per(API_SIDE_A, API_SIDE_B, "401 405 405 403 405"),
    "api:goal-list": same(API_READ, API_CREATE),
    # Creatives take multipart uploads, so a manager's empty POST is a 400 (not 415).
    "api:creative-list": same(API_READ, "401 403 403 403 400"),
    "api:creative-detail": per("401 200 404 200 200", "401 404 200 404 200", API_READ_ONLY),
    # Coupon codes: managers; an affiliate reads its own; advertisers see none.
    "api:coupon-list": same(API_READ, API_CREATE),
    "api:coupon-detail": per("401 200 404 404 200", "401 404 200 404 200", API_READ_ONLY),
    "api:category-list": same(API_READ, API_CREATE),
    "api:category-detail": same(API_READ, API_READ_ONLY),
    "api:tag-list": same(API_READ, API_CREATE),
    "api:tag-detail": same(API_READ, API_READ_ONLY),
    "api:goal-detail": per(API_READ, API_SIDE_B, API_READ_ONLY),
    "api:click-list": same(API_READ, API_READ_ONLY),
    "api:click-detail": per(API_SIDE_A, API_SIDE_B, API_READ_ONLY),
    "api:conversion-list": same(API_READ, API_READ_ONLY),
    "api:conversion-detail": per(API_SIDE_A, API_SIDE_B, API_READ_ONLY),
    "api:postback-log-list": same(API_READ, API_READ_ONLY),
    "api:postback-log-detail": per("401 404 404 200 200", "401 404 404 404 200", API_READ_ONLY),
    "api:report-list": same(API_READ, API_NO_POST),
    # Billing (billing.api): partners read their own issued invoices, payments and billing profile; managers act.
    "api:invoice-list": same(API_READ, API_READ_ONLY),
    "api:invoice-detail": per("401 200 404 404 200", "401 404 200 404 200", API_READ_ONLY),
    "api:invoice-issue": per_post(API_NO_POST, "401 403 403 403 400", "401 403 403 403 400"),  # issued already
    "api:invoice-void": per_post(API_NO_POST, "401 403 403 403 400", "401 403 403 403 400"),  # it has a payment
    "api:invoice-adjustments": same(API_NO_POST, API_CREATE),
    "api:invoice-mark-paid": same(API_NO_POST, API_CREATE),
    "api:payment-list": same(API_READ, API_CREATE),
    "api:payment-detail": per("401 200 404 404 200", "401 404 200 404 200", API_READ_ONLY),
    "api:billing-profile-list": same(API_READ, "401 405 405 403 405"),
    "api:billing-profile-detail": per("401 200 404 404 200", "401 404 200 404 200", "401 405 405 403 405"),
    "api:advertiser-billing-profile-list": same(API_READ, API_READ_ONLY),
    "api:advertiser-billing-profile-detail": per("401 404 404 200 200", "401 404 404 404 200", API_READ_ONLY),
}

# What each URL parameter names: an object of that kind from side a or side b of the World.
OBJECTS = {
    "offers:creative_image": "creative",
    "offers:creative_public": "creative",
    "manager:offer_creatives": "offer",
    "manager:offer_coupons": "offer",
    "manager:creative_delete": "creative",
    "manager:coupon_delete": "coupon",
    "manager:category_delete": "category",
    "manager:offer_block_entries": "offer",
    "manager:block_entry_delete": "block_entry",
    "api:creative-detail": "creative",
    "api:coupon-detail": "coupon",
    "api:category-detail": "category",
    "api:tag-detail": "tag",
    "manager:click_detail": "click",
    "manager:conversion_detail": "conversion",
    "manager:conversion_set_status": "conversion",
    "manager:postback_log_detail": "log",
    "manager:postback_log_replay": "log",
    "manager:offer_detail": "offer",
    "manager:offer_update": "offer",
    "manager:offer_archive": "offer",
    "manager:offer_access_set_status": "access",
    "manager:offer_access_update": "access",
    "manager:advertiser_detail": "advertiser",
    "manager:advertiser_update": "advertiser",
    "manager:advertiser_set_status": "advertiser",
    "manager:advertiser_rotate_token": "advertiser",
    "manager:advertiser_clear_token": "advertiser",
    "manager:advertiser_rotate_signing_secret": "advertiser",
    "manager:advertiser_member_invite": "advertiser",
    "manager:affiliate_detail": "affiliate",
    "manager:affiliate_update": "affiliate",
    "manager:affiliate_set_status": "affiliate",
    "manager:affiliate_rotate_postback_secret": "affiliate",
    "manager:affiliate_application_approve": "affiliate",
    "manager:affiliate_application_reject": "affiliate",
    "manager:affiliate_member_invite": "affiliate",
    "manager:invoice_detail": "invoice",
    "manager:invoice_pdf": "invoice",
    "manager:invoice_csv": "invoice",
    "manager:invoice_issue": "invoice",
    "manager:invoice_void": "invoice",
    "manager:invoice_mark_paid": "invoice",
    "manager:invoice_adjustment_add": "invoice",
    "manager:affiliate_billing_profile": "affiliate",
    "manager:advertiser_billing_profile": "advertiser",
    "manager:report_schedule_delete": "schedule",
    "manager:notification_read": "notification",
    "affiliate:report_schedule_delete": "schedule",
    "affiliate:notification_read": "notification",
    "advertiser:report_schedule_delete": "schedule",
    "advertiser:notification_read": "notification",
    "affiliate:offer_detail": "offer",
    "affiliate:offer_request_access": "offer",
    "affiliate:postback_delete": "postback",
    "affiliate:invoice_detail": "invoice",
    "affiliate:invoice_pdf": "invoice",
    "affiliate:invoice_csv": "invoice",
    "advertiser:offer_detail": "offer",
    "advertiser:integration_test_start": "offer",
    "advertiser:integration_test": "offer",
    "advertiser:invoice_pdf": "advertiser_invoice",
    "api:advertiser-detail": "advertiser",
    "api:affiliate-detail": "affiliate",
    "api:affiliate-rotate-postback-secret": "affiliate",
    "api:offer-detail": "offer",
    "api:offer-access-detail": "access",
    "api:goal-detail": "goal",
    "api:click-detail": "click",
    "api:conversion-detail": "conversion",
    "api:postback-log-detail": "log",
    "api:invoice-detail": "invoice",
    "api:invoice-issue": "invoice",
    "api:invoice-void": "invoice",
    "api:invoice-adjustments": "invoice",
    "api:invoice-mark-paid": "invoice",
    "api:payment-detail": "payment",
    "api:billing-profile-detail": "billing_profile",
    "api:advertiser-billing-profile-detail": "advertiser_billing_profile",
}

# Known defects the matrix found, expected to fail until fixed (then remove the entry: strict xfail says so).
KNOWN_BUGS = {}


def _admin(route, method):
    """The admin's own answers: nobody but staff gets past its sign-in; a manager (staff without Django model
    permissions, as the factories make them) sees the index and is refused every model page."""
    name = route.key
    if name == "admin:login":
        return "200 200 200 200 302" if method == "GET" else EVERYONE["200"]
    if name == "admin:logout":
        return "302 302 302 302 405" if method == "GET" else EVERYONE["302"]
    manager = "403"
    if name in ("admin:index", "admin:password_change") or (
        method == "GET" and name in ("admin:jsi18n", "admin:password_change_done")
    ):
        manager = "200"
    elif name in ("admin:jsi18n", "admin:password_change_done", "admin:autocomplete") and method == "POST":
        manager = "405"
    elif name in ("admin:app_list", "admin:view_on_site", "admin/(?P<url>.*)$"):
        manager = "404"
    elif name.endswith("_history") or (name.startswith("admin/") and name.endswith("<path:object_id>/")):
        manager = "302"  # no such page for a staff user without rights: back to the index
    return f"A A A A {manager}"


def expected(route, variant, method):
    if route.key.startswith("admin"):
        return _admin(route, method)
    spec = EXPECTED[route.key.removesuffix("[format]")]
    return spec[variant][method]


def _kwargs(world, route, variant):
    kind = OBJECTS.get(route.key.removesuffix("[format]"))
    target = getattr(world, f"{kind}_{variant}") if kind else None
    kwargs = {}
    for name in route.kwargs:
        if name == "format":
            kwargs[name] = "json"
        elif name == "transaction_id":
            click = "test_click" if route.key == "advertiser:integration_test" else "click"
            kwargs[name] = getattr(world, f"{click}_{variant}").transaction_id
        elif name == "pk":
            kwargs[name] = target.pk
        elif name == "key":
            kwargs[name] = target.public_key
        elif name == "uidb64":
            kwargs[name] = urlsafe_base64_encode(force_bytes(world.invitee.pk))
        elif name == "token":
            generator = invitation_token_generator if route.key == "invitation_accept" else default_token_generator
            kwargs[name] = generator.make_token(world.invitee)
        elif name in ("object_id", "id", "content_type_id"):
            kwargs[name] = 0  # no such row: the admin refuses before it looks (its history page redirects)
        elif name == "app_label":
            kwargs[name] = "offers"
        else:
            raise AssertionError(f"the matrix has no value for <{name}> of {route.key}")
    return kwargs


def _path(world, route, variant):
    if route.key == "api/^(?P<path>.*/)$":
        return "/api/v1/nothing-here/"
    if route.key == "admin/(?P<url>.*)$":
        return "/admin/nothing-here/"
    if route.key.startswith("admin/"):  # the admin's unnamed redirects to an object's change page
        return "/" + route.route.replace("<path:object_id>", "0")
    return reverse(route.key.removesuffix("[format]"), kwargs=_kwargs(world, route, variant))


def _answer(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/login/?next="):
        return "L"
    if response.status_code == 302 and location.startswith("/admin/login/?next="):
        return "A"
    return str(response.status_code)


ROUTES = routes()
CASES = []
for _route in ROUTES:
    if not _route.key.startswith("admin") and _route.key.removesuffix("[format]") not in EXPECTED:
        continue  # reported by test_every_url_is_in_the_matrix
    _variants = ("a", "b") if OBJECTS.get(_route.key.removesuffix("[format]")) else ("a",)
    for _variant in _variants:
        for _method in ("GET", "POST"):
            _marks = []
            if (_route.key, _method) in KNOWN_BUGS:
                _marks = [pytest.mark.xfail(reason=KNOWN_BUGS[_route.key, _method], strict=True)]
            _id = f"{_route.key}-{_variant}-{_method}" if len(_variants) > 1 else f"{_route.key}-{_method}"
            CASES.append(pytest.param(_route, _variant, _method, id=_id, marks=_marks))


def test_every_url_is_in_the_matrix():
    missing = [
        r.key for r in ROUTES if not r.key.startswith("admin") and r.key.removesuffix("[format]") not in EXPECTED
    ]
    assert missing == [], "decide who may open these URLs and add them to EXPECTED"
    unfilled = [r.key for r in ROUTES if set(r.kwargs) & {"pk"} and r.key.removesuffix("[format]") not in OBJECTS]
    assert unfilled == [], "say which kind of object these URLs name in OBJECTS"


@pytest.mark.parametrize(("route", "variant", "method"), CASES)
def test_each_role_gets_the_expected_answer(client, world, route, variant, method):
    path = _path(world, route, variant)
    answers = []
    for role in ROLES:  # the manager last: its POST may change what the others would see
        act_as(client, world, role)
        response = client.get(path) if method == "GET" else client.post(path)
        answers.append(_answer(response))

    assert " ".join(answers) == expected(route, variant, method), f"{method} {path}"
