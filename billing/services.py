"""Writes to the books (README.md, Billing): the drafting job, adjustments, issuing and voiding invoices, payments,
billing profiles. Each service is one transaction; every refusal is a BillingError with a short code.

How the rules hold under concurrency: the job, issuing and voiding first lock the partner's row, so for one
partner they run one after the other; InvoiceConversion's unique constraint makes "a conversion on at most one
invoice" (and "reversed at most once") the database's rule, whatever runs alongside; issuing locks the conversions
on the draft, so a status change waits for it, and is then seen by the next run of the job (as a reversal).
"""

import logging
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_changes, audit_lock, audit_record, audit_snapshot, changes_between
from billing.documents import invoice_pdf
from billing.models import (
    ZERO,
    AdvertiserBillingProfile,
    AffiliateBillingProfile,
    Frequency,
    Invoice,
    InvoiceConversion,
    InvoiceLine,
    Party,
    Payment,
    PaymentAllocation,
    PaymentMethod,
)
from billing.periods import last_closed_period
from conversions.models import Conversion, ConversionStatusChange
from core.db import assign_and_save
from core.periods import day_end, network_today, network_tz
from core.roles import Role, role_of
from offers.models import Goal, Offer
from partners.emails import affiliate_addresses
from partners.models import Advertiser, Affiliate

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Larger than any MONEY field holds (14 digits, 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
PAYABLE = (Invoice.Status.ISSUED, Invoice.Status.PAID)


class BillingError(ValidationError):
    """A refused billing action: `code` is short and stable ("not_draft", "overpayment", …), the message says what
    to do. A Django ValidationError, so forms show it and the API answers it 400 (core.api.service_errors)."""

    def __init__(self, code, message):
        super().__init__(message, code=code)
        self.code = code


def money(value, *, allow_negative=False, allow_zero=False, field="amount") -> Decimal:
    """`value` (a Decimal, int or str) as an amount in cents, or BillingError("amount_invalid"): not a number,
    not finite, more than 2 decimals, too large, negative or zero (unless allowed). Floats are refused: their
    binary value is not the amount the person typed."""
    if isinstance(value, float | bool):
        raise BillingError("amount_invalid", f"The {field} must be a decimal amount, e.g. 12.50.")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise BillingError("amount_invalid", f"The {field} must be a decimal amount, e.g. 12.50.") from None
    if not amount.is_finite():
        raise BillingError("amount_invalid", f"The {field} must be a decimal amount, e.g. 12.50.")
    if abs(amount) > MAX_AMOUNT:
        raise BillingError("amount_invalid", f"The {field} is too large.")
    if amount != amount.quantize(CENT):
        raise BillingError("amount_invalid", f"The {field} has at most 2 decimals.")
    if amount < 0 and not allow_negative:
        raise BillingError("amount_invalid", f"The {field} must not be negative.")
    if amount == 0 and not allow_zero:
        raise BillingError("amount_invalid", f"The {field} must not be zero.")
    return amount.quantize(CENT)


# --- Which conversions go where ----------------------------------------------------------------------------------


def approved_at():
    """An annotation: when a conversion was (last) approved: its latest status change to approved, or, approved
    when recorded, its creation. A conversion approved late belongs to the period of its approval."""
    last_approval = (
        ConversionStatusChange.objects.filter(conversion=OuterRef("pk"), new_status=Conversion.Status.APPROVED)
        .order_by("-changed_at", "-id")
        .values("changed_at")[:1]
    )
    return Coalesce(Subquery(last_approval), "created_at")


def _partner_filter(party, partner_id, prefix=""):
    if party == Party.AFFILIATE:
        return Q(**{f"{prefix}affiliate_id": partner_id})
    return Q(**{f"{prefix}offer__advertiser_id": partner_id})


def _money_field(party):
    return "payout" if party == Party.AFFILIATE else "revenue"


def _chargeable(party, partner_id, currency, until):
    """Approved conversions of the partner in `currency`, approved before the instant `until`, on no invoice yet."""
    charged = InvoiceConversion.objects.filter(
        conversion=OuterRef("pk"), party=party, kind=InvoiceConversion.Kind.CHARGE
    )
    return (
        Conversion.objects.filter(_partner_filter(party, partner_id), currency=currency, status="approved")
        .exclude(affiliate__is_test=True)
        .annotate(approved_at=approved_at())
        .filter(approved_at__lt=until)
        .filter(~Exists(charged))
    )


def _to_reverse(party, partner_id, currency):
    """Charges on issued invoices of the partner whose conversion is no longer approved and not yet reversed."""
    reversed_ = InvoiceConversion.objects.filter(
        conversion=OuterRef("conversion_id"), party=party, kind=InvoiceConversion.Kind.REVERSAL
    )
    return (
        InvoiceConversion.objects.filter(
            _partner_filter(party, partner_id, "conversion__"),
            party=party,
            kind=InvoiceConversion.Kind.CHARGE,
            invoice__status__in=PAYABLE,
            invoice__currency=currency,
        )
        .exclude(conversion__status=Conversion.Status.APPROVED)
        .filter(~Exists(reversed_))
    )


def _release_stale(invoice):
    """Take off a draft what no longer belongs there: charges of conversions no longer approved, and reversals of
    conversions approved again. Returns how many links were released."""
    links = invoice.conversion_links
    stale = links.filter(kind=InvoiceConversion.Kind.CHARGE).exclude(conversion__status=Conversion.Status.APPROVED)
    stale_reversals = links.filter(kind=InvoiceConversion.Kind.REVERSAL, conversion__status=Conversion.Status.APPROVED)
    released = stale.delete()[0] + stale_reversals.delete()[0]
    return released


def _line_description(offer, goal):
    return f"{offer.name} — {goal.name}" if goal is not None else offer.name


def _rebuild_lines(invoice):
    """A draft's conversion and reversal lines again from its links: one line per kind, offer and goal."""
    invoice.lines.exclude(kind=InvoiceLine.Kind.ADJUSTMENT).delete()
    groups = (
        invoice.conversion_links.values("kind", "conversion__offer_id", "conversion__goal_id")
        .order_by("kind", "conversion__offer_id", "conversion__goal_id")
        .annotate(amount=Sum("amount"), count=Count("id"))
    )
    groups = list(groups)
    offers = Offer.objects.in_bulk({g["conversion__offer_id"] for g in groups})
    goals = Goal.objects.in_bulk({g["conversion__goal_id"] for g in groups if g["conversion__goal_id"]})
    lines = []
    for group in groups:
        offer = offers[group["conversion__offer_id"]]
        goal = goals.get(group["conversion__goal_id"])
        kind = (
            InvoiceLine.Kind.CONVERSIONS
            if group["kind"] == InvoiceConversion.Kind.CHARGE
            else InvoiceLine.Kind.REVERSAL
        )
        description = _line_description(offer, goal)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                kind=kind,
                offer=offer,
                goal=goal,
                description=description if kind == InvoiceLine.Kind.CONVERSIONS else f"Reversal: {description}",
                count=group["count"],
                amount=group["amount"],
                reason="" if kind == InvoiceLine.Kind.CONVERSIONS else "Rejected after an issued invoice charged them.",
            )
        )
    InvoiceLine.objects.bulk_create(lines)


def _lock_partner(party, partner_id):
    audit_lock()  # the audit trail's head before the partner's row, as every recording transaction takes them
    model = Affiliate if party == Party.AFFILIATE else Advertiser
    return model.objects.select_for_update().get(pk=partner_id)


def _minimum(party, partner):
    if party != Party.AFFILIATE:
        return ZERO
    profile = AffiliateBillingProfile.objects.filter(affiliate=partner).first()
    return profile.effective_minimum_payout if profile else Decimal(settings.TALLY_BILLING_MINIMUM_PAYOUT)


def _frequency(party, partner):
    model = AffiliateBillingProfile if party == Party.AFFILIATE else AdvertiserBillingProfile
    profile = model.objects.filter(**{party: partner}).first()
    return profile.effective_frequency if profile else settings.TALLY_BILLING_DEFAULT_FREQUENCY


def _partner_kwargs(party, partner_id):
    return {"party": party, f"{party}_id": partner_id}


@transaction.atomic
def invoice_draft_for(*, party, partner_id, currency, period_start: date, period_end: date) -> Invoice | None:
    """Bring the partner's drafts in `currency` up to date and draft the period `period_start`..`period_end`
    (network days, closed): the approved conversions approved before the period ended that are on no invoice yet,
    and the reversals of charged conversions rejected since their invoice was issued. Returns the draft holding
    the period, or None when there was nothing to draft.

    Below the affiliate's minimum payout, a draft is not issued: the next period's run extends that same draft
    (its period_end moves on) instead of starting another, so its conversions roll into the next period. An
    issued invoice for the same period (issued while a late conversion was committing) leaves the newcomers
    for the next period's draft. Safe to run any number of times, and alongside any other run."""
    partner = _lock_partner(party, partner_id)
    scope = {**_partner_kwargs(party, partner_id), "currency": currency}
    drafts = list(
        Invoice.objects.select_for_update().filter(**scope, status=Invoice.Status.DRAFT).order_by("period_end")
    )
    for draft in drafts:
        if _release_stale(draft):
            _rebuild_lines(draft)

    until = day_end(period_end)
    charges = list(
        _chargeable(party, partner_id, currency, until).select_for_update(of=("self",)).only("pk", "payout", "revenue")
    )
    reversals = list(_to_reverse(party, partner_id, currency).only("conversion_id", "amount"))
    target = next((d for d in drafts if d.period_end >= period_end), None)
    if target is None and (charges or reversals):
        latest = drafts[-1] if drafts else None
        if latest is not None and party == Party.AFFILIATE and latest.lines_total() < _minimum(party, partner):
            target = latest  # below the minimum: it absorbs this period
            target.period_end = period_end
            target.save(update_fields=["period_end", "updated_at"])
        elif Invoice.objects.filter(**scope, period_start=period_start).exclude(status=Invoice.Status.VOID).exists():
            return None  # this period is issued already: what came late waits for the next period's draft
        else:
            target = Invoice.objects.create(**scope, period_start=period_start, period_end=period_end)
    if target is None:
        return None
    if not (charges or reversals):
        return target
    field = _money_field(party)
    InvoiceConversion.objects.bulk_create(
        [InvoiceConversion(invoice=target, conversion_id=c.pk, party=party, amount=getattr(c, field)) for c in charges]
        + [
            InvoiceConversion(
                invoice=target,
                conversion_id=r.conversion_id,
                party=party,
                kind=InvoiceConversion.Kind.REVERSAL,
                amount=-r.amount,
            )
            for r in reversals
        ]
    )
    _rebuild_lines(target)
    return target


def _pending_work(party):
    """(partner_id, currency) pairs with something to draft or refresh: uninvoiced approved conversions, charges to
    reverse, or open drafts."""
    partner_path = "affiliate_id" if party == Party.AFFILIATE else "offer__advertiser_id"
    charged = InvoiceConversion.objects.filter(
        conversion=OuterRef("pk"), party=party, kind=InvoiceConversion.Kind.CHARGE
    )
    pairs = set(
        Conversion.objects.filter(status=Conversion.Status.APPROVED)
        .exclude(affiliate__is_test=True)
        .filter(~Exists(charged))
        .values_list(partner_path, "currency")
        .distinct()
    )
    reversed_ = InvoiceConversion.objects.filter(
        conversion=OuterRef("conversion_id"), party=party, kind=InvoiceConversion.Kind.REVERSAL
    )
    pairs |= set(
        InvoiceConversion.objects.filter(party=party, kind=InvoiceConversion.Kind.CHARGE, invoice__status__in=PAYABLE)
        .exclude(conversion__status=Conversion.Status.APPROVED)
        .filter(~Exists(reversed_))
        .values_list(f"conversion__{partner_path}", "invoice__currency")
        .distinct()
    )
    pairs |= set(
        Invoice.objects.filter(party=party, status=Invoice.Status.DRAFT)
        .values_list(f"{party}_id", "currency")
        .distinct()
    )
    return sorted(pairs)


def invoices_draft(*, today: date | None = None) -> int:
    """The beat job (billing.tasks.invoices_draft): for every affiliate and advertiser with work, draft its last
    closed period by its frequency (manual: never) in each currency. Returns how many drafts it touched.
    Idempotent: each partner and currency is one invoice_draft_for transaction."""
    today = today or network_today()
    touched = 0
    for party, model in ((Party.AFFILIATE, Affiliate), (Party.ADVERTISER, Advertiser)):
        pairs = _pending_work(party)
        partners = model.objects.in_bulk({partner_id for partner_id, _ in pairs})
        for partner_id, currency in pairs:
            partner = partners.get(partner_id)
            if partner is None or getattr(partner, "is_test", False):
                continue
            frequency = _frequency(party, partner)
            if frequency == Frequency.MANUAL:
                continue
            start, end = last_closed_period(today, frequency)
            if invoice_draft_for(
                party=party, partner_id=partner_id, currency=currency, period_start=start, period_end=end
            ):
                touched += 1
    return touched


def invoice_draft_now(*, party, partner, currency, actor=None, today: date | None = None) -> Invoice | None:
    """A manager drafts a partner's invoice now (for a "manual" frequency, or not to wait for the job): the
    network days from the day after its latest invoice (or its first conversion) up to yesterday."""
    today = today or network_today()
    end = today - timedelta(days=1)
    latest = (
        Invoice.objects.filter(**_partner_kwargs(party, partner.pk), currency=currency)
        .exclude(status=Invoice.Status.VOID)
        .order_by("-period_end")
        .first()
    )
    if latest is not None and latest.status == Invoice.Status.DRAFT:
        start = latest.period_start
    elif latest is not None:
        start = latest.period_end + timedelta(days=1)
    else:
        first = (
            Conversion.objects.filter(_partner_filter(party, partner.pk), currency=currency)
            .order_by("created_at")
            .first()
        )
        start = timezone.localtime(first.created_at, network_tz()).date() if first else end
    if start > end:
        raise BillingError("nothing_to_draft", "The partner is invoiced up to yesterday already.")
    return invoice_draft_for(
        party=party, partner_id=partner.pk, currency=currency, period_start=min(start, end), period_end=end
    )


# --- A manager's actions on one invoice ---------------------------------------------------------------------------


def _locked_invoice(invoice):
    """The invoice's row, locked after its partner's (the order every billing write takes)."""
    _lock_partner(invoice.party, invoice.affiliate_id or invoice.advertiser_id)
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _require_draft(invoice):
    if invoice.status == Invoice.Status.VOID:
        raise BillingError("void_invoice", f"{invoice} is void: it cannot be changed or issued.")
    if invoice.status != Invoice.Status.DRAFT:
        raise BillingError("already_issued", f"{invoice} is issued: issued invoices never change.")


@transaction.atomic
def invoice_adjustment_add(*, invoice, amount, reason: str, actor) -> InvoiceLine:
    """Add a manager's adjustment line to a draft: a signed amount (a bonus, a deduction) with the reason."""
    amount = money(amount, allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("reason_required", "Say why: the reason is printed on the invoice.")
    if len(reason) > 500:
        raise BillingError("reason_invalid", "The reason is at most 500 characters.")
    locked = _locked_invoice(invoice)
    _require_draft(locked)
    line = InvoiceLine.objects.create(
        invoice=locked,
        kind=InvoiceLine.Kind.ADJUSTMENT,
        amount=amount,
        reason=reason,
        description="Adjustment",
        created_by=actor,
    )
    changes = [{"field": "adjustment", "old": None, "new": str(amount)}]
    audit_record(
        action=AuditEntry.Action.UPDATE, obj=locked, changes=changes, actor=actor, note=reason, related=[locked.partner]
    )
    return line


@transaction.atomic
def invoice_issue(*, invoice, actor) -> Invoice:
    """Issue a draft: its lines are brought up to the conversions' current status one last time (their rows
    locked, so a status change waits), the total and the number are fixed, an advertiser invoice gets its due date
    (today plus its net days), and the partner is emailed the PDF after commit. Of two managers issuing the same
    draft, the second gets BillingError("already_issued")."""
    locked = _locked_invoice(invoice)
    _require_draft(locked)
    list(Conversion.objects.select_for_update().filter(invoice_links__invoice=locked).values_list("pk", flat=True))
    if _release_stale(locked):
        _rebuild_lines(locked)
    total = locked.lines_total()
    partner = locked.partner
    minimum = _minimum(locked.party, partner)
    if locked.party == Party.AFFILIATE and total < minimum:
        raise BillingError(
            "below_minimum",
            f"{total} {locked.currency} is below the minimum payout of {minimum}: "
            "the draft rolls into the next period.",
        )
    if total <= 0:
        raise BillingError("total_not_positive", f"The total is {total} {locked.currency}: there is nothing to bill.")
    now = timezone.now()
    with audit_changes(locked, action=AuditEntry.Action.STATUS, actor=actor, related=[partner]):
        locked.status = Invoice.Status.ISSUED
        locked.total = total
        locked.issued_at = now
        locked.issued_by = actor
        locked.number = f"{'AFF' if locked.party == Party.AFFILIATE else 'ADV'}-{now.year}-{locked.pk:06d}"
        if locked.party == Party.ADVERTISER:
            profile = AdvertiserBillingProfile.objects.filter(advertiser=partner).first()
            terms = profile.terms_days if profile else 30
            locked.due_date = network_today() + timedelta(days=terms)
        locked.save()
    invoice_id = locked.pk
    transaction.on_commit(lambda: invoice_email(invoice_id=invoice_id))
    return locked


def _invoice_recipients(invoice):
    if invoice.party == Party.AFFILIATE:
        return affiliate_addresses(invoice.affiliate)
    profile = AdvertiserBillingProfile.objects.filter(advertiser=invoice.advertiser).first()
    members = list(invoice.advertiser.members.values_list("user__email", flat=True))
    return [profile.billing_email] if profile and profile.billing_email else members


def invoice_email(*, invoice_id) -> bool:
    """Email an issued invoice, its PDF attached, to the partner (after the issue commits; a failure is logged and
    never undoes the issue). Returns whether a message went out."""
    invoice = Invoice.objects.select_related("affiliate", "advertiser").get(pk=invoice_id)
    recipients = sorted({address for address in _invoice_recipients(invoice) if address})
    if not recipients:
        logger.warning("invoice %s has no recipient", invoice)
        return False
    context = {"invoice": invoice, "network_name": settings.TALLY_NETWORK_NAME}
    try:
        message = EmailMessage(
            " ".join(render_to_string("emails/invoice_issued_subject.txt", context).split()),
            render_to_string("emails/invoice_issued.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        message.attach(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")
        message.send()
    except Exception:
        logger.exception("could not email invoice %s to %s", invoice, recipients)
        return False
    return True


@transaction.atomic
def invoice_void(*, invoice, actor) -> Invoice:
    """Void a draft or an unpaid issued invoice. Its lines stay as they were (the record); its conversions are
    released, so the next run of the job drafts them again (and its reversals land on the next draft)."""
    locked = _locked_invoice(invoice)
    if locked.status == Invoice.Status.VOID:
        raise BillingError("void_invoice", f"{locked} is void already.")
    if locked.allocations.exists():
        raise BillingError("has_payments", f"{locked} has payments recorded against it: it cannot be voided.")
    charges = locked.conversion_links.filter(kind=InvoiceConversion.Kind.CHARGE)
    reversed_elsewhere = InvoiceConversion.objects.filter(
        party=locked.party, kind=InvoiceConversion.Kind.REVERSAL, conversion_id__in=charges.values("conversion_id")
    ).exclude(invoice=locked)
    if reversed_elsewhere.exists():
        raise BillingError(
            "reversed_elsewhere", f"Conversions of {locked} were reversed on a later invoice: void that one first."
        )
    locked.conversion_links.all().delete()
    with audit_changes(locked, action=AuditEntry.Action.STATUS, actor=actor, related=[locked.partner]):
        locked.status = Invoice.Status.VOID
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.save()
    return locked


# --- Payments ----------------------------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *, party, partner, currency, amount, paid_on: date, method, reference: str = "", invoices, actor
) -> Payment:
    """Record a payment to an affiliate (or from an advertiser) in `currency`, settling `invoices` (issued, the
    partner's, in that currency) oldest first; an invoice paid in full becomes paid. Refused: a payment larger
    than what they still owe ("overpayment"), a bad amount, a draft or void invoice, another partner's."""
    amount = money(amount)
    party = Party(party)
    if method not in PaymentMethod.values:
        raise BillingError("method_invalid", f"Pay by one of: {', '.join(PaymentMethod.values)}.")
    if not isinstance(paid_on, date):
        raise BillingError("date_invalid", "The payment date is a date (YYYY-MM-DD).")
    ids = {getattr(i, "pk", i) for i in invoices}
    if not ids:
        raise BillingError("no_invoices", "Choose the invoices this payment settles.")
    _lock_partner(party, partner.pk)
    locked = list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("period_end", "id"))
    if len(locked) != len(ids):
        raise BillingError("invoice_unknown", "One of the invoices does not exist.")
    for invoice in locked:
        if invoice.party != party or invoice.partner.pk != partner.pk or invoice.currency != currency:
            raise BillingError("invoice_mismatch", f"{invoice} is not {partner}'s in {currency}.")
        if invoice.status == Invoice.Status.VOID:
            raise BillingError("void_invoice", f"{invoice} is void: nothing is owed on it.")
        if invoice.status == Invoice.Status.DRAFT:
            raise BillingError("not_issued", f"{invoice} is a draft: issue it before paying it.")
        if invoice.status == Invoice.Status.PAID:
            raise BillingError("already_paid", f"{invoice} is paid already.")
    owed = sum((invoice.balance_due for invoice in locked), ZERO)
    if amount > owed:
        raise BillingError(
            "overpayment", f"{amount} {currency} is more than the {owed} {currency} these invoices still owe."
        )
    payment = Payment.objects.create(
        **_partner_kwargs(party, partner.pk),
        currency=currency,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=(reference or "")[:200],
        recorded_by=actor,
    )
    settled = [{"field": "invoices", "old": None, "new": ", ".join(str(invoice) for invoice in locked)}]
    audit_record(
        action=AuditEntry.Action.CREATE,
        obj=payment,
        changes=changes_between({}, audit_snapshot(payment), Payment) + settled,
        actor=actor,
        related=[partner, *locked],
    )
    left = amount
    for invoice in locked:
        if left <= 0:
            break
        share = min(left, invoice.balance_due)
        if share <= 0:
            continue
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=share)
        left -= share
        if invoice.balance_due <= 0:
            with audit_changes(invoice, action=AuditEntry.Action.STATUS, actor=actor, related=[partner]):
                invoice.status = Invoice.Status.PAID
                invoice.save(update_fields=["status", "updated_at"])
    return payment


def invoice_mark_paid(
    *, invoice, actor, paid_on: date | None = None, reference: str = "", method=PaymentMethod.BANK_TRANSFER
) -> Invoice:
    """Mark an issued advertiser invoice paid: a payment of what it still owes (README.md, Billing)."""
    if invoice.party != Party.ADVERTISER:
        raise BillingError("not_advertiser", "Record a payment to pay an affiliate invoice.")
    if invoice.status == Invoice.Status.PAID:
        raise BillingError("already_paid", f"{invoice} is paid already.")
    if invoice.status != Invoice.Status.ISSUED:
        raise BillingError("not_issued", f"{invoice} is not issued.")
    payment_record(
        party=Party.ADVERTISER,
        partner=invoice.advertiser,
        currency=invoice.currency,
        amount=invoice.balance_due,
        paid_on=paid_on or network_today(),
        method=method,
        reference=reference,
        invoices=[invoice],
        actor=actor,
    )
    invoice.refresh_from_db()
    return invoice


# --- Billing profiles --------------------------------------------------------------------------------------------

AFFILIATE_OWN_FIELDS = ("payment_method", "payment_details")
AFFILIATE_MANAGER_FIELDS = (*AFFILIATE_OWN_FIELDS, "frequency", "minimum_payout")
ADVERTISER_FIELDS = ("frequency", "terms_days", "billing_contact_name", "billing_email")


@transaction.atomic
def affiliate_billing_profile_update(*, affiliate, actor, **fields) -> AffiliateBillingProfile:
    """Change an affiliate's billing profile (made on first use). The affiliate's own users change its payment
    method and details; managers also its frequency and minimum payout."""
    allowed = AFFILIATE_MANAGER_FIELDS if role_of(actor) == Role.MANAGER else AFFILIATE_OWN_FIELDS
    if fields.get("minimum_payout") not in (None, ""):
        fields["minimum_payout"] = money(fields["minimum_payout"], allow_zero=True, field="minimum payout")
    profile, created = AffiliateBillingProfile.objects.select_for_update().get_or_create(affiliate=affiliate)
    try:
        with audit_changes(profile, actor=actor, related=[affiliate], new=created):
            return assign_and_save(profile, fields, allowed)
    except TypeError as exc:
        raise BillingError("field_not_allowed", str(exc)) from None


@transaction.atomic
def advertiser_billing_profile_update(*, advertiser, actor, **fields) -> AdvertiserBillingProfile:
    """Change an advertiser's billing profile (made on first use); managers only."""
    if role_of(actor) != Role.MANAGER:
        raise BillingError("not_allowed", "Only network managers change an advertiser's billing terms.")
    profile, created = AdvertiserBillingProfile.objects.select_for_update().get_or_create(advertiser=advertiser)
    try:
        with audit_changes(profile, actor=actor, related=[advertiser], new=created):
            return assign_and_save(profile, fields, ADVERTISER_FIELDS)
    except TypeError as exc:
        raise BillingError("field_not_allowed", str(exc)) from None
