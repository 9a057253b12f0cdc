"""Writes of advertisers, affiliates and their users."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_changes, audit_lock, audit_record
from core.db import assign_and_save
from partners import emails
from partners.models import Advertiser, Affiliate, Membership, PartnerStatus, new_secret, new_security_token
from partners.tokens import invitation_path

ADVERTISER_FIELDS = {"name", "status", "security_token", "token_required", "postback_ip_allowlist", "require_signature"}
AFFILIATE_FIELDS = {"name", "status", "contact_email", "website", "contact_name", "traffic_sources"}


def _with_required_token(advertiser, fields):
    """The fields, with a fresh security token when the token is required and would otherwise be empty (a new
    advertiser, a blank token sent through the API, the requirement turned back on after the token was cleared)."""
    required = fields.get("token_required", advertiser.token_required)
    if required and not fields.get("security_token", advertiser.security_token):
        fields = {**fields, "security_token": new_security_token()}
    return fields


@transaction.atomic
def advertiser_create(**fields) -> Advertiser:
    """A new advertiser, always with a security token, required on its postbacks until a manager says otherwise."""
    advertiser = Advertiser()
    with audit_changes(advertiser):
        return assign_and_save(advertiser, _with_required_token(advertiser, fields), ADVERTISER_FIELDS)


@transaction.atomic
def advertiser_update(*, advertiser, **fields) -> Advertiser:
    with audit_changes(advertiser):
        return assign_and_save(advertiser, _with_required_token(advertiser, fields), ADVERTISER_FIELDS)


@transaction.atomic
def advertiser_rotate_token(*, advertiser) -> Advertiser:
    """A new security token; postbacks with the old one are refused from now on. Generating a token where there
    was none (it had been removed) requires it again."""
    with audit_changes(advertiser, action=AuditEntry.Action.ROTATE):
        if not advertiser.security_token:
            advertiser.token_required = True
        advertiser.security_token = new_security_token()
        advertiser.save(update_fields=["security_token", "token_required", "updated_at"])
    return advertiser


@transaction.atomic
def advertiser_rotate_signing_secret(*, advertiser) -> Advertiser:
    """A new signing secret; the current one stays valid as the previous until the next rotation."""
    with audit_changes(advertiser, action=AuditEntry.Action.ROTATE):
        advertiser.signing_secret_previous = advertiser.signing_secret
        advertiser.signing_secret = secrets.token_urlsafe(32)
        advertiser.save(update_fields=["signing_secret", "signing_secret_previous", "updated_at"])
    return advertiser


@transaction.atomic
def affiliate_rotate_postback_secret(*, affiliate) -> Affiliate:
    """A new postback secret. The current one becomes the previous: for POSTBACK_SECRET_GRACE postbacks are signed
    with both (two v1= in X-Tally-Signature), so the affiliate's verifier accepts them with either secret."""
    audit_lock()  # the audit trail's head before the affiliate's row (audit.services.audit_lock)
    locked = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    with audit_changes(locked, action=AuditEntry.Action.ROTATE):
        locked.postback_secret_previous = locked.postback_secret
        locked.postback_secret = new_secret()
        locked.postback_secret_rotated_at = timezone.now()
        locked.save(
            update_fields=["postback_secret", "postback_secret_previous", "postback_secret_rotated_at", "updated_at"]
        )
    return locked


@transaction.atomic
def affiliate_create(**fields) -> Affiliate:
    affiliate = Affiliate()
    with audit_changes(affiliate):
        return assign_and_save(affiliate, fields, AFFILIATE_FIELDS)


@transaction.atomic
def affiliate_update(*, affiliate, **fields) -> Affiliate:
    with audit_changes(affiliate):
        return assign_and_save(affiliate, fields, AFFILIATE_FIELDS)


def affiliate_set_status(*, affiliate, status) -> Affiliate:
    return affiliate_update(affiliate=affiliate, status=PartnerStatus(status))


@transaction.atomic
def member_create(*, email, advertiser=None, affiliate=None, username=None, password=None):
    """A login for an advertiser's or affiliate's person; without a password it cannot sign in until
    the person sets one through an invitation or password-reset link."""
    user = get_user_model().objects.create_user(username=username or email, email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.create(user=user, advertiser=advertiser, affiliate=affiliate)
    return user


def advertiser_set_status(*, advertiser, status) -> Advertiser:
    """Activate or suspend an advertiser (a suspended advertiser's offers take no clicks)."""
    return advertiser_update(advertiser=advertiser, status=PartnerStatus(status))


@transaction.atomic
def advertiser_clear_token(*, advertiser) -> Advertiser:
    """Remove the security token, which turns its requirement off (the manager's page then warns): postbacks with
    a transaction ID are accepted without one, partner-ID postbacks only with a valid signature."""
    with audit_changes(advertiser):
        advertiser.security_token = ""
        advertiser.token_required = False
        advertiser.save(update_fields=["security_token", "token_required", "updated_at"])
    return advertiser


# --- Sign-up, applications, invitations -----------------------------------------------------------------------


def user_with_email(email):
    """The login whose username or email is this address (case-insensitive), or None."""
    return get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).first()


@transaction.atomic
def affiliate_apply(*, company, contact_name, email, password, website="", traffic_sources="", site_url) -> Affiliate:
    """An application from the public sign-up page: a pending affiliate and its first login, which can sign in
    and see that the application is under review. Tells the applicant and the managers by email.

    site_url: the network's address as the applicant reached it (e.g. "https://track.example"), for links."""
    if user_with_email(email) is not None:
        raise ValidationError("An account with this email address already exists.", code="email_taken")
    affiliate = Affiliate(terms_accepted_at=timezone.now())
    with audit_changes(affiliate, note="application from the sign-up page"):
        assign_and_save(
            affiliate,
            {
                "name": company,
                "status": PartnerStatus.PENDING,
                "contact_name": contact_name,
                "contact_email": email,
                "website": website,
                "traffic_sources": traffic_sources,
            },
            AFFILIATE_FIELDS,
        )
    try:
        with transaction.atomic():
            member_create(email=email, affiliate=affiliate, password=password)
    except IntegrityError:  # the same address applied twice at the same instant
        raise ValidationError("An account with this email address already exists.", code="email_taken") from None
    context = {"affiliate": affiliate, "login_url": site_url + reverse("login")}
    emails.send_after_commit("application_received", to=[email], context=context)
    emails.send_after_commit(
        "application_new",
        to=emails.manager_addresses(),
        context={**context, "review_url": site_url + reverse("manager:affiliate_detail", args=[affiliate.pk])},
    )
    return affiliate


def _pending_application(affiliate):
    audit_lock()  # the audit trail's head before the affiliate's row (audit.services.audit_lock)
    locked = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if locked.status != PartnerStatus.PENDING:
        raise ValidationError(f"This application was already decided: the affiliate is {locked.status}.")
    return locked


@transaction.atomic
def affiliate_application_approve(*, affiliate, site_url) -> Affiliate:
    """A manager accepts a pending application: the affiliate becomes active and its people are told by email."""
    affiliate = _pending_application(affiliate)
    with audit_changes(affiliate, note="application approved"):
        affiliate.status = PartnerStatus.ACTIVE
        affiliate.rejection_reason = ""
        affiliate.save(update_fields=["status", "rejection_reason", "updated_at"])
    emails.send_after_commit(
        "application_approved",
        to=emails.affiliate_addresses(affiliate),
        context={"affiliate": affiliate, "login_url": site_url + reverse("login")},
    )
    return affiliate


@transaction.atomic
def affiliate_application_reject(*, affiliate, reason="") -> Affiliate:
    """A manager turns a pending application down: the affiliate is suspended (it can run nothing) and its
    people are told by email, with the reason when one is given."""
    affiliate = _pending_application(affiliate)
    with audit_changes(affiliate, note="application rejected"):
        affiliate.status = PartnerStatus.SUSPENDED
        affiliate.rejection_reason = reason.strip()[:500]
        affiliate.save(update_fields=["status", "rejection_reason", "updated_at"])
    emails.send_after_commit(
        "application_rejected", to=emails.affiliate_addresses(affiliate), context={"affiliate": affiliate}
    )
    return affiliate


@transaction.atomic
def member_invite(*, email, advertiser=None, affiliate=None, site_url, invited_by=None):
    """A manager invites a person to an advertiser's or an affiliate's area: a login without a password, and an
    email with a link that sets one (it expires after settings.PASSWORD_RESET_TIMEOUT and works once).

    Inviting an address again before the link was used sends a fresh link. Returns the user."""
    if (advertiser is None) == (affiliate is None):
        raise TypeError("invite to exactly one advertiser or affiliate")
    partner = advertiser or affiliate
    user = user_with_email(email)
    if user is None:
        user = member_create(email=email, advertiser=advertiser, affiliate=affiliate)
    else:
        membership = Membership.objects.filter(user=user).first()
        same_partner = membership is not None and (membership.advertiser_id, membership.affiliate_id) == (
            getattr(advertiser, "pk", None),
            getattr(affiliate, "pk", None),
        )
        if not same_partner:
            raise ValidationError("This email address already belongs to another account.", code="email_taken")
        if user.has_usable_password():
            raise ValidationError(
                "This person has already set a password; they can sign in, or reset it from the sign-in page.",
                code="already_joined",
            )
    audit_record(
        action=AuditEntry.Action.INVITE,
        obj=partner,
        changes=[{"field": "invited", "old": None, "new": user.email}],
        actor=invited_by,
    )
    emails.send_after_commit(
        "invitation",
        to=[user.email],
        context={
            "partner": partner,
            "kind": "advertiser" if advertiser else "affiliate",
            "invited_by": invited_by,
            "accept_url": site_url + invitation_path(user),
            "expires_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
        },
    )
    return user


# --- The network's test affiliate -----------------------------------------------------------------------------


def network_test_affiliate() -> Affiliate:
    """The network's own test publisher (made on first use): advertisers' integration tests click through it."""
    affiliate = Affiliate.objects.filter(is_test=True).first()
    if affiliate is not None:
        return affiliate
    try:
        with transaction.atomic():
            return Affiliate.objects.create(
                is_test=True,
                name="Integration tests",
                status=PartnerStatus.ACTIVE,
                traffic_sources="Test clicks that advertisers make from their integration page; never in reports.",
            )
    except IntegrityError:  # made by someone else at the same instant (one test affiliate, kept by a constraint)
        return Affiliate.objects.get(is_test=True)
