"""Writes of offers, goals and access rows: one function a change, each its own transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.text import slugify

from audit.models import AuditEntry
from audit.services import (
    audit_changes,
    audit_created,
    audit_deleted,
    audit_lock,
    audit_record,
    audit_snapshot,
    changes_between,
)
from core.db import assign_and_save
from offers.creatives import inspect_image
from offers.models import GOAL_FIELDS, OFFER_FIELDS, Category, Coupon, Creative, Goal, Offer, OfferAccess, Tag

# Sent after the transaction that made the change commits, for the layers above (notifications) to listen without
# offers importing them.
# offer_saved(offer, created, changes): changes maps each watched field that changed to (old, new).
offer_saved = Signal()
# offer_access_requested(access): an affiliate asked to run an approval-required offer (a new request only).
offer_access_requested = Signal()
# offer_access_decided(access, old_status): a manager approved, rejected or blocked an affiliate on an offer.
offer_access_decided = Signal()

# What affiliates running an offer care about (README.md, Notifications).
WATCHED_FIELDS = ("status", "visibility", "payout", "payout_type", "destination_url")


def _after_commit(signal, **kwargs):
    transaction.on_commit(lambda: signal.send(sender=Offer, **kwargs))


@transaction.atomic
def offer_create(*, advertiser, **fields) -> Offer:
    offer = Offer(advertiser=advertiser)
    with audit_changes(offer):
        assign_and_save(offer, fields, set(OFFER_FIELDS) - {"advertiser"})
    _after_commit(offer_saved, offer=offer, created=True, changes={})
    return offer


@transaction.atomic
def offer_update(*, offer, **fields) -> Offer:
    # The stored values, not the instance's: a model form has already written the new ones onto it.
    before = Offer.objects.filter(pk=offer.pk).values(*WATCHED_FIELDS).first() or {}
    with audit_changes(offer):
        offer = assign_and_save(offer, fields, OFFER_FIELDS)
    changes = {
        name: (before[name], getattr(offer, name))
        for name in WATCHED_FIELDS
        if name in before and before[name] != getattr(offer, name)
    }
    if changes:
        _after_commit(offer_saved, offer=offer, created=False, changes=changes)
    return offer


def offer_archive(*, offer) -> Offer:
    return offer_update(offer=offer, status=Offer.Status.ARCHIVED)


@transaction.atomic
def goal_create(*, offer, **fields) -> Goal:
    goal = Goal(offer=offer)
    with audit_changes(goal, related=[offer]):
        return assign_and_save(goal, fields, GOAL_FIELDS)


@transaction.atomic
def goal_update(*, goal, **fields) -> Goal:
    with audit_changes(goal, related=[goal.offer]):
        return assign_and_save(goal, fields, GOAL_FIELDS)


@transaction.atomic
def offer_access_set(*, offer, affiliate, status, payout=None) -> OfferAccess:
    """Approve, reject, block (or reopen) one affiliate on one offer; one row per pair, kept by a constraint."""
    audit_lock()  # the audit trail's head before the access row (audit.services.audit_lock)
    access, created = OfferAccess.objects.select_for_update().get_or_create(offer=offer, affiliate=affiliate)
    old_status = access.status
    with audit_changes(access, related=[offer, affiliate], new=created):
        access.status = status
        access.payout = payout
        access.full_clean()
        access.save()
    if status != old_status and status != OfferAccess.Status.PENDING:
        _after_commit(offer_access_decided, access=access, old_status=old_status)
    return access


@transaction.atomic
def offer_access_request(*, offer, affiliate) -> OfferAccess:
    """An affiliate asks to run an approval-required offer. A decided row (approved, rejected, blocked)
    stays as it is: asking again does not reopen it."""
    if offer.visibility != Offer.Visibility.APPROVAL_REQUIRED:
        raise ValueError("only approval-required offers take access requests")
    access, created = OfferAccess.objects.get_or_create(
        offer=offer, affiliate=affiliate, defaults={"status": OfferAccess.Status.PENDING}
    )
    if created:
        changes = changes_between({}, audit_snapshot(access), OfferAccess)
        audit_record(action=AuditEntry.Action.CREATE, obj=access, changes=changes, related=[offer, affiliate])
        _after_commit(offer_access_requested, access=access)
    return access


@transaction.atomic
def goal_delete(*, goal) -> None:
    """Remove a goal that never converted (one with conversions stays: the books point at it)."""
    if goal.conversions.exists():
        raise ValidationError(f"Goal {goal.name!r} has conversions and cannot be removed.", code="goal_in_use")
    changes = changes_between(audit_snapshot(goal), {}, Goal)
    audit_record(action=AuditEntry.Action.DELETE, obj=goal, changes=changes, related=[goal.offer])
    goal.delete()


@transaction.atomic
def offer_save(*, offer=None, fields, goals=(), goals_removed=(), tags=None) -> Offer:
    """Create (offer=None) or update an offer together with its goals, all or nothing (the portal's offer form).

    `goals` is a list of (goal or None for a new one, fields); `goals_removed` the goals to delete; `tags` the tag
    names the offer has afterwards (None leaves them as they are).
    """
    fields = dict(fields)
    if offer is None:
        offer = offer_create(advertiser=fields.pop("advertiser"), **fields)
    else:
        offer = offer_update(offer=offer, **fields)
    for goal in goals_removed:
        goal_delete(goal=goal)
    for goal, goal_fields in goals:
        if goal is None:
            goal_create(offer=offer, **goal_fields)
        else:
            goal_update(goal=goal, **goal_fields)
    if tags is not None:
        offer_tags_set(offer=offer, names=tags)
    return offer


# --- The catalogue: categories, tags, creatives and coupon codes ------------------------------------------------


@transaction.atomic
def category_create(*, name) -> Category:
    category = Category(name=name.strip(), slug=slugify(name)[:100])
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_delete(*, category) -> None:
    """Remove a category; its offers stay, uncategorised."""
    category.delete()


@transaction.atomic
def tag_create(*, name) -> Tag:
    tag = Tag(name=name)
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, tag) -> None:
    """Remove a tag from every offer, and the tag."""
    tag.delete()


def tag_names_parse(text):
    """Tag names from what a manager typed ("Mobile, black friday"): slugs, each once, in order."""
    names = []
    for part in text.split(","):
        name = slugify(part)[:50]
        if name and name not in names:
            names.append(name)
    return names


@transaction.atomic
def offer_tags_set(*, offer, names) -> list:
    """Put exactly these tags (by name, made as needed) on the offer."""
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    offer.tags.set(tags)
    return tags


@transaction.atomic
def creative_create(*, offer, kind, name, image=None, subject="", text="") -> Creative:
    """A creative for an offer. A banner's image is checked by its content (offers.creatives.inspect_image) and
    stored under a random name with the extension of what it really is."""
    creative = Creative(offer=offer, kind=kind, name=name, subject=subject, text=text)
    if kind == Creative.Kind.BANNER:
        if image is None:
            raise ValidationError({"image": "A banner needs an image."}, code="required")
        try:
            info = inspect_image(image)
        except ValidationError as error:
            raise ValidationError({"image": error.messages}) from error
        creative.content_type, creative.width, creative.height = info.content_type, info.width, info.height
        creative.image.save(f"banner{info.extension}", image, save=False)
    elif image is not None:
        raise ValidationError({"image": "Only banners have an image."}, code="invalid")
    try:
        creative.full_clean()
    except ValidationError:
        if creative.image:
            creative.image.delete(save=False)
        raise
    creative.save()
    audit_created(creative, related=[offer])
    return creative


@transaction.atomic
def creative_delete(*, creative) -> None:
    """Remove a creative, and its image once the deletion has committed (a rollback keeps both)."""
    storage, name = creative.image.storage, creative.image.name
    audit_deleted(creative, related=[creative.offer])
    creative.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def coupon_create(*, offer, affiliate, code, valid_from=None, valid_until=None) -> Coupon:
    """Give an affiliate a coupon code on an offer. Codes are unique per offer whatever their case: the database's
    unique constraint decides (two managers saving the same code at once get one row and one refusal)."""
    coupon = Coupon(offer=offer, affiliate=affiliate, code=code.strip(), valid_from=valid_from, valid_until=valid_until)
    try:
        coupon.full_clean()
        with transaction.atomic():
            coupon.save()
            audit_created(coupon, related=[offer, affiliate])
    except (ValidationError, IntegrityError) as error:
        if isinstance(error, ValidationError) and _code_taken_error(error) is None:
            raise
        raise ValidationError({"code": f"The code {coupon.code!r} is already used on this offer."}) from error
    return coupon


def _code_taken_error(error):
    """The unique-code refusal among a full_clean's errors (a constraint on an expression reports no field)."""
    messages = error.message_dict.get("__all__", []) if hasattr(error, "error_dict") else error.messages
    return next((m for m in messages if "already used on this offer" in m), None)


@transaction.atomic
def coupon_update(*, coupon, **fields) -> Coupon:
    """Change a coupon's validity dates (code, offer and affiliate stay: a new code is a new coupon)."""
    with audit_changes(coupon, related=[coupon.offer, coupon.affiliate]):
        return assign_and_save(coupon, fields, ("valid_from", "valid_until"))


@transaction.atomic
def coupon_delete(*, coupon) -> None:
    audit_deleted(coupon, related=[coupon.offer, coupon.affiliate])
    coupon.delete()
