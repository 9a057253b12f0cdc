"""The postback pipeline (docs/postbacks.md#rules-in-order): rules in order, then exactly one conversion, decided by
the database. Status changes and replays of what it recorded are in conversions.services."""

import hmac
import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from conversions import signing
from conversions.click_lookup import click_for_postback
from conversions.models import Conversion, ConversionFlag, PostbackLog, UsedSignature, click_details
from conversions.outbox import deliveries_record
from conversions.params import Rejection, parse
from conversions.reasons import CONVERSION_RULES, Reason
from core.periods import network_tz, period_starts
from core.sql import insert_or_ignore, insert_pair_or_ignore
from offers.models import Coupon, Goal, Offer, OfferAccess, RuleAction, access_verdict, compute_amount
from offers.selectors import coupon_for_postback
from partners.models import Affiliate
from quality.services import country_of, session_block_reason
from tracking.models import SUB_FIELDS, Click
from tracking.retention import transaction_dropped
from tracking.transaction_ids import transaction_id_q

logger = logging.getLogger(__name__)


@dataclass
class PostbackRequest:
    """What arrived: parameters as strings, plus what signatures and allowlists need."""

    params: dict
    source_ip: str | None
    method: str = "GET"
    path: str = "/postback"
    signed_payload: str = ""
    signature: str = ""
    # A POST whose query string also carries parameters: the signature covers only the body.
    unsigned_query: bool = False
    goal_required: bool = False
    body_error: str = ""
    received_at: datetime | None = None


@dataclass
class Outcome:
    """The answer to one postback, and the log row that records it."""

    status: str
    http_status: int
    reason: str = ""
    detail: str = ""
    conversion_id: int | None = None
    transaction_id: str = ""
    trace: list = field(default_factory=list)
    log: PostbackLog | None = None

    def as_json(self):
        if self.status == "rejected":
            body = {"status": "rejected", "reason": self.reason, "detail": self.detail}
            if self.conversion_id:
                body["conversion_id"] = self.conversion_id
            return body
        return {"status": self.status, "conversion_id": self.conversion_id, "transaction_id": self.transaction_id}


class Trace(list):
    """The decision trace: each rule checked, in order. Remembers the offer once it is known, for the log."""

    offer = None

    def ok(self, rule, detail=""):
        self.append({"rule": rule, "ok": True, "detail": detail})

    def check(self, rule, passed, detail):
        """Record a rule; raise its Rejection when it failed."""
        if not passed:
            self.append({"rule": rule, "ok": False, "detail": detail})
            raise Rejection(rule, detail)
        self.ok(rule)


@dataclass
class _Context:
    offer: Offer
    affiliate: Affiliate
    click: Click | None
    goal: Goal | None
    access: OfferAccess | None
    # False only when the click query found the affiliate has no postback URL at all (nothing to deliver).
    affiliate_has_postback: bool = True
    # The coupon the postback named (docs/postbacks.md#coupon-codes); None on the other protocols.
    coupon: Coupon | None = None
    # The conversion rules' results, in rule order (_conversion_rules), and what the conversion keeps of them.
    rules: list = field(default_factory=list)
    seconds_to_convert: int | None = None
    country: str = ""

    @property
    def flags(self):
        """The conversion rules the postback broke (each kept as a flag on the conversion)."""
        return [rule for rule in self.rules if not rule.ok]

    @property
    def rejected_by(self):
        """The first broken rule whose action is reject, or None."""
        return next((rule for rule in self.flags if rule.action == RuleAction.REJECT), None)


@dataclass
class RuleResult:
    """One conversion rule's verdict: its trace line, and the flag a broken one leaves on the conversion."""

    reason: Reason
    ok: bool
    action: str = RuleAction.OFF
    detail: str = ""

    def trace_line(self):
        detail = self.detail if self.ok else f"{self.action}: {self.detail}"
        return {"rule": self.reason, "ok": self.ok, "detail": detail}


def _find(p, trace):
    """Load the click (or offer and affiliate for the partner-ID protocol, or the coupon), the goal and the access
    row."""
    coupon = None
    if p.by_coupon:
        coupon = _find_coupon(p, trace)
        offer, affiliate = coupon.offer, coupon.affiliate
        click, has_postback = None, True  # as by partner ID: the outbox checks when recording
    elif p.by_partner_id:
        offer = Offer.objects.select_related("advertiser").filter(pk=p.offer_id).first()
        affiliate = Affiliate.objects.filter(pk=p.aff_id).first()
        trace.check(
            Reason.UNKNOWN_TRANSACTION, offer is not None and affiliate is not None, "no such offer or affiliate"
        )
        click, has_postback = None, True  # not looked up: the outbox checks when recording
    else:
        found = click_for_postback(p.transaction_id)
        if found is None and transaction_dropped(p.transaction_id):
            # The ID's own time says retention dropped its click (README, Data retention): its session ended long
            # ago. Decided before the credentials, as there is no advertiser to check them against.
            trace.ok(Reason.UNKNOWN_TRANSACTION, "the click is past retention")
            trace.check(Reason.EXPIRED_TRANSACTION, False, "the click is past retention and was dropped")
        trace.check(Reason.UNKNOWN_TRANSACTION, found is not None, f"no click has transaction_id {p.transaction_id!r}")
        click, access, has_postback = found.click, found.access, found.has_postback
        offer, affiliate = click.offer, click.affiliate
    if coupon is None:
        trace.ok(Reason.UNKNOWN_COUPON, "no coupon_code sent")
    trace.offer = offer
    # A click of the network's test affiliate is an advertiser's integration test: every rule runs and the log
    # shows the verdict, but like test=1 no conversion is recorded (docs/postbacks.md). Decided here, before any later
    # rule (an unknown goal included) can refuse it, so that every postback for a test click is logged as a test.
    p.test = p.test or affiliate.is_test
    goal = None
    if p.goal_id is not None:
        goal = Goal.objects.filter(pk=p.goal_id, offer=offer).first()
        trace.check(
            Reason.INVALID_PARAMETER, goal is not None, f"goal_id {p.goal_id} is not a goal of offer {offer.pk}"
        )
    if click is None:
        access = OfferAccess.objects.filter(offer=offer, affiliate=affiliate).first()
    return _Context(
        offer=offer,
        affiliate=affiliate,
        click=click,
        goal=goal,
        access=access,
        affiliate_has_postback=has_postback,
        coupon=coupon,
    )


def _find_coupon(p, trace):
    """unknown_coupon: the offer has this coupon code (any case). An unknown offer reads the same, so the answer
    tells nothing about which offers exist."""
    trace.ok(Reason.UNKNOWN_TRANSACTION, "by coupon code: no transaction")
    coupon = coupon_for_postback(offer_id=p.offer_id, code=p.coupon_code)
    trace.check(Reason.UNKNOWN_COUPON, coupon is not None, f"offer {p.offer_id} has no coupon code {p.coupon_code!r}")
    return coupon


def _check_token(p, advertiser, trace, *, signed):
    """invalid_token: the advertiser's token, unless a manager turned its requirement off. A partner-ID postback
    names no click, so nothing but a credential tells it from a forgery: it needs the token, or (when it is signed)
    the signature checked next, whatever the requirement."""
    if not advertiser.token_required and not (p.by_partner_id and not signed):
        trace.ok(Reason.INVALID_TOKEN, "a signed partner-ID postback" if p.by_partner_id else "no token required")
        return
    given = p.security_token.encode()
    token = advertiser.security_token.encode()
    detail = "security_token is missing" if not given else "security_token is wrong"
    if not token:
        detail = "the advertiser has no security token: a partner-ID postback must be signed"
    trace.check(Reason.INVALID_TOKEN, bool(token) and hmac.compare_digest(given, token), detail)


def _check_signature(req, p, advertiser, trace, now):
    """invalid_signature: a signature that was sent (or is required) verifies, is recent, and was not used before.
    An accepted signature is remembered until its window ends (one insert; the unique digest refuses a replay)."""
    if not (advertiser.require_signature or req.signature):
        trace.ok(Reason.INVALID_SIGNATURE, "no signature required")
        return
    tolerance = settings.TALLY_SIGNATURE_TOLERANCE
    ok, detail = signing.verify(
        req.signature,
        req.signed_payload,
        advertiser.signing_secrets(),
        now=now.timestamp(),
        tolerance=tolerance,
        future_skew=settings.TALLY_SIGNATURE_FUTURE_SKEW,
    )
    if ok and req.unsigned_query:
        ok, detail = False, "a signed POST must carry all its parameters in the body, not the query string"
    if ok:
        digest, timestamp = signing.signed_message(req.signature, req.signed_payload, signer=advertiser.pk)
        expires_at = datetime.fromtimestamp(timestamp + tolerance, tz=UTC)
        ok = insert_or_ignore(UsedSignature(digest=digest, expires_at=expires_at))
        detail = "" if ok else "this signature was already used (a replay): sign each postback afresh"
    trace.check(Reason.INVALID_SIGNATURE, ok, detail or "a signature is required")


def _check_credentials(req, p, advertiser, trace, now):
    _check_token(p, advertiser, trace, signed=bool(req.signature))
    _check_signature(req, p, advertiser, trace, now)
    trace.check(Reason.IP_NOT_ALLOWED, advertiser.allows_ip(req.source_ip), f"{req.source_ip} is not on the allowlist")


def _check_attribution_window(ctx, trace, now):
    """expired_transaction: the click's attribution window (fixed at click time in expires_at) is still open."""
    if ctx.click is not None:
        trace.check(
            Reason.EXPIRED_TRANSACTION,
            now <= ctx.click.expires_at,
            f"the session expired at {ctx.click.expires_at:%Y-%m-%d %H:%M:%S} UTC",
        )
    else:
        trace.ok(Reason.EXPIRED_TRANSACTION, "no click, so no session")
    coupon = ctx.coupon
    if coupon is None:
        trace.ok(Reason.COUPON_EXPIRED, "no coupon code")
    else:
        # Validity dates are network days (TALLY_NETWORK_TIME_ZONE), both ends included.
        day = timezone.localtime(now, network_tz()).date()
        trace.check(
            Reason.COUPON_EXPIRED,
            coupon.valid_on(day),
            f"coupon {coupon.code} is valid {coupon.valid_from or '…'} to {coupon.valid_until or '…'}, not on {day}",
        )


def _check_click_and_offer(p, ctx, trace, now):
    """The rules after the credentials: the click's offer, its attribution window, the offer, the affiliate."""
    if p.offer_id is not None and ctx.click is not None:
        trace.check(Reason.OFFER_MISMATCH, p.offer_id == ctx.offer.pk, f"the click is on offer {ctx.offer.pk}")
    else:
        trace.ok(Reason.OFFER_MISMATCH)
    _check_attribution_window(ctx, trace, now)
    trace.check(Reason.OFFER_INACTIVE, ctx.offer.status != Offer.Status.ARCHIVED, "the offer is archived")
    allowed = ctx.affiliate.is_active
    if allowed and ctx.click is None:
        allowed = access_verdict(ctx.offer, ctx.affiliate, ctx.access)
    trace.check(Reason.AFFILIATE_NOT_ALLOWED, allowed, f"affiliate {ctx.affiliate.pk} may not convert on this offer")


def _check_blocklists(p, ctx, trace):
    """blocked_traffic: the session matches a network-wide or offer blocklist (quality.services). The session is the
    click's (its IP, affiliate and sub IDs); by partner ID, which has no click, the affiliate and the shopper's `ip`."""
    if ctx.click is not None:
        ip, subs = ctx.click.ip, {name: getattr(ctx.click, name) for name in SUB_FIELDS}
    else:
        ip, subs = p.shopper_ip or None, {}
    blocked = session_block_reason(offer=ctx.offer, affiliate=ctx.affiliate, ip=ip, subs=subs)
    trace.check(Reason.BLOCKED_TRAFFIC, not blocked, f"the session matches a blocklist entry ({blocked})")


def _too_fast(offer, seconds):
    minimum, action = offer.too_fast_seconds, offer.too_fast_action
    if not minimum or action == RuleAction.OFF:
        return RuleResult(Reason.TOO_FAST, True, detail="off")
    detail = f"converted {seconds} s after the click; the offer's minimum is {minimum} s"
    return RuleResult(Reason.TOO_FAST, seconds >= minimum, action, detail)


def _country_mismatch(offer, click, country, shopper_ip):
    action = offer.country_mismatch_action
    # The click's country, stored at click time; "" for a click from before countries were looked up.
    click_country = click.country
    if action == RuleAction.OFF:
        return RuleResult(Reason.COUNTRY_MISMATCH, True, detail="off")
    if not shopper_ip:
        return RuleResult(Reason.COUNTRY_MISMATCH, True, detail="no ip sent: not checked")
    if not country or not click_country:
        return RuleResult(Reason.COUNTRY_MISMATCH, True, detail="country unknown: not checked")
    detail = f"the shopper is in {country}, the click came from {click_country}"
    return RuleResult(Reason.COUNTRY_MISMATCH, country == click_country.upper(), action, detail)


def _conversion_rules(p, ctx, now):
    """too_fast and country_mismatch (docs/postbacks.md#conversion-rules), in rule order. They only read: the
    verdicts are traced after `duplicate` and applied when the conversion is recorded (_convert)."""
    ctx.country = (country_of(p.shopper_ip) or "").upper() if p.shopper_ip else ""
    if ctx.click is None:
        return [RuleResult(reason, True, detail="no click (partner ID or coupon code)") for reason in CONVERSION_RULES]
    ctx.seconds_to_convert = max(0, int((now - ctx.click.created_at).total_seconds()))
    return [
        _too_fast(ctx.offer, ctx.seconds_to_convert),
        _country_mismatch(ctx.offer, ctx.click, ctx.country, p.shopper_ip),
    ]


def _cap_full(offer, now):
    """True when the offer's daily or monthly cap is already used up (counting approved and pending)."""
    day_start, month_start = period_starts(now)
    counted = Conversion.objects.filter(offer=offer).exclude(status=Conversion.Status.REJECTED)
    if offer.daily_cap and counted.filter(created_at__gte=day_start).count() >= offer.daily_cap:
        return "daily"
    if offer.monthly_cap and counted.filter(created_at__gte=month_start).count() >= offer.monthly_cap:
        return "monthly"
    return None


def _money(p, ctx):
    source = ctx.goal or ctx.offer
    payout_rate = source.payout
    if ctx.goal is None and ctx.access is not None and ctx.access.payout is not None:
        payout_rate = ctx.access.payout
    payout = compute_amount(source.payout_type, payout_rate, p.amount)
    revenue = compute_amount(source.revenue_type, source.revenue, p.amount)
    return payout, revenue


def _single_per_click(p, ctx):
    """Whether the conversion takes its (click, goal)'s single slot: the offer or goal allows one conversion per
    transaction. Then a conversion_unique_id changes nothing; it deduplicates only where multiples are allowed (and
    over the partner-ID protocol, which has no click)."""
    if ctx.click is None:
        return False
    allows_many = ctx.goal.allow_multiple_conversions if ctx.goal else ctx.offer.allow_multiple_conversions
    return not allows_many


def _existing(p, ctx):
    """The conversion that holds the slot this postback wanted, or None."""
    if _single_per_click(p, ctx):
        return Conversion.objects.filter(click=ctx.click, goal=ctx.goal, single_per_click=True).first()
    if p.conversion_unique_id:
        return Conversion.objects.filter(
            offer=ctx.offer, conversion_unique_id=p.conversion_unique_id, single_per_click=False
        ).first()
    return None


def _new_conversion(p, ctx, status, reason):
    payout, revenue = _money(p, ctx)
    return Conversion(
        click=ctx.click,
        offer=ctx.offer,
        affiliate=ctx.affiliate,
        goal=ctx.goal,
        transaction_id=ctx.click.transaction_id if ctx.click else "",
        **click_details(ctx.click),
        amount=p.amount,
        payout=payout,
        revenue=revenue,
        currency=ctx.offer.currency,
        conversion_unique_id=p.conversion_unique_id,
        single_per_click=_single_per_click(p, ctx),
        status=status,
        status_reason=reason,
        seconds_to_convert=ctx.seconds_to_convert,
        country=ctx.country,
        **p.adv_subs,
    )


def _reject_duplicate(p, ctx, trace):
    """The insert met a unique constraint: answer `duplicate` with the conversion that holds the slot."""
    existing = _existing(p, ctx)
    if existing is None:  # the conflicting row is gone again (deleted meanwhile): let the sender retry
        raise IntegrityError("conversion conflicted with a row that no longer exists")
    trace.append({"rule": Reason.DUPLICATE, "ok": False, "detail": f"conversion {existing.pk} already recorded"})
    error = Rejection(Reason.DUPLICATE, f"conversion {existing.pk} already recorded")
    error.conversion = existing
    raise error


def _in_one_statement(p, ctx, replay_of):
    """Whether the postback is the common case that one statement can record, conversion and log row together,
    outside any BEGIN/COMMIT: PostgreSQL, a real postback (not a test, not a replay), an offer without caps (no row
    lock needed), an affiliate without a postback URL (no outbox row) and no conversion rule broken (no flag rows)."""
    return (
        connection.vendor == "postgresql"
        and not p.test
        and replay_of is None
        and not ctx.offer.has_cap
        and not ctx.affiliate_has_postback
        and not ctx.flags
    )


def _record_in_one_statement(request, p, ctx, trace, now):
    """Insert the conversion and its log row in one statement (core.sql.insert_pair_or_ignore): both or, when the
    unique constraints already hold a conversion for this postback, neither (then Rejection duplicate)."""
    manual = ctx.offer.conversion_approval == Offer.Approval.MANUAL
    status = Conversion.Status.PENDING if manual else Conversion.Status.APPROVED
    conversion = _new_conversion(p, ctx, status, "")
    passed = [
        {"rule": Reason.DUPLICATE, "ok": True, "detail": ""},
        *(rule.trace_line() for rule in ctx.rules),
        {"rule": Reason.CAP_REACHED, "ok": True, "detail": ""},
    ]
    accepted = Outcome(
        status=status,
        http_status=200,
        transaction_id=ctx.click.transaction_id if ctx.click else "",
        trace=[*trace, *passed],
    )
    log = _log_row(request, accepted, now, test=False, conversion=None, replay_of=None, trace_offer=trace.offer)
    if not insert_pair_or_ignore(conversion, log, link="conversion"):
        _reject_duplicate(p, ctx, trace)
    trace.extend(passed)
    accepted.conversion_id = conversion.pk
    accepted.log = log
    return accepted


def _convert(p, ctx, trace, now, test):
    """Insert the conversion (the database refuses a second one); return (conversion, status, reason).

    After `duplicate` come the conversion rules (a broken one with action reject decides the status, and the rules
    after it are not checked) and then `cap_reached`, which only a conversion that would count needs."""
    rejected_by = ctx.rejected_by
    rules = ctx.rules[: ctx.rules.index(rejected_by) + 1] if rejected_by else ctx.rules
    cap = None
    if ctx.offer.has_cap and rejected_by is None:
        # Serialise conversions of a capped offer, so two postbacks never both see the last free slot.
        Offer.objects.select_for_update().filter(pk=ctx.offer.pk).values_list("pk").first()
        cap = _cap_full(ctx.offer, now)
    if rejected_by:
        status, reason = Conversion.Status.REJECTED, rejected_by.reason
    elif cap:
        status, reason = Conversion.Status.REJECTED, Reason.CAP_REACHED
    elif ctx.offer.conversion_approval == Offer.Approval.MANUAL or ctx.flags:
        status, reason = Conversion.Status.PENDING, ""  # a flagged conversion waits for a manager
    else:
        status, reason = Conversion.Status.APPROVED, ""
    if test:
        existing = _existing(p, ctx)
        trace.check(Reason.DUPLICATE, existing is None, f"conversion {getattr(existing, 'pk', '')} already recorded")
        for rule in rules:
            trace.append(rule.trace_line())
        if rejected_by:
            raise Rejection(rejected_by.reason, trace[-1]["detail"])
        trace.check(Reason.CAP_REACHED, cap is None, f"the {cap} cap is full")
        return None, status, reason
    conversion = _new_conversion(p, ctx, status, reason)
    # ON CONFLICT DO NOTHING: the unique constraints decide, and a duplicate costs no savepoint.
    if not insert_or_ignore(conversion):
        _reject_duplicate(p, ctx, trace)
    trace.ok(Reason.DUPLICATE)
    for rule in rules:
        trace.append(rule.trace_line())
    if rejected_by is None:
        trace.append({"rule": Reason.CAP_REACHED, "ok": cap is None, "detail": f"the {cap} cap is full" if cap else ""})
    flags = [
        ConversionFlag(conversion=conversion, code=rule.reason, detail=rule.detail[:255])
        for rule in rules
        if not rule.ok
    ]
    if flags:
        ConversionFlag.objects.bulk_create(flags)
    # The affiliate's postback (docs/affiliate-postbacks.md): an outbox row in this transaction, sent by a worker after
    # commit. The click query already told whether the affiliate has any postback URL; without one nothing is owed.
    if ctx.affiliate_has_postback:
        deliveries_record(conversion=conversion)
    return conversion, status, reason


def _decide(req, p, trace, now, *, replay_of=None):
    ctx = _find(p, trace)  # also decides p.test
    if replay_of is None:
        _check_credentials(req, p, ctx.offer.advertiser, trace, now)
    else:
        for rule in Reason.credential_rules():
            trace.ok(rule, f"passed when received (log #{replay_of.pk})")
    if ctx.offer.currency and p.currency and p.currency != ctx.offer.currency:
        trace.check(Reason.INVALID_PARAMETER, False, f"currency {p.currency} is not the offer's ({ctx.offer.currency})")
    # A replay is judged against the attribution window as it was when the postback was received.
    window_time = replay_of.received_at if replay_of else now
    _check_click_and_offer(p, ctx, trace, window_time)
    _check_blocklists(p, ctx, trace)
    # Time to convert is measured when the postback arrived, a replay's included.
    ctx.rules = _conversion_rules(p, ctx, window_time)
    return ctx


def postback_process(*, request: PostbackRequest, replay_of=None) -> Outcome:
    """Run every rule, record at most one conversion, and write exactly one log row either way."""
    now = request.received_at or timezone.now()
    trace = Trace()
    outcome = Outcome(status="rejected", http_status=400)
    p = None
    try:
        if request.body_error:
            raise Rejection(Reason.INVALID_PARAMETER, request.body_error)
        try:
            p = parse(request.params, goal_required=request.goal_required)
        except Rejection as rejection:
            if rejection.reason == Reason.INVALID_PARAMETER:
                trace.ok(Reason.MISSING_PARAMETER)
            raise
        trace.ok(Reason.MISSING_PARAMETER)
        trace.ok(Reason.INVALID_PARAMETER)
        outcome.transaction_id = p.transaction_id
        # The rules only read: no transaction yet. Writes are one statement, or one short transaction.
        ctx = _decide(request, p, trace, now, replay_of=replay_of)
        if _in_one_statement(p, ctx, replay_of):
            return _record_in_one_statement(request, p, ctx, trace, now)
        with transaction.atomic():
            conversion, status, reason = _convert(p, ctx, trace, now, p.test)
            outcome.status = status
            outcome.reason = reason
            outcome.conversion_id = conversion.pk if conversion else None
            outcome.transaction_id = ctx.click.transaction_id if ctx.click else ""
            if reason:
                outcome.detail = trace[-1]["detail"]
            outcome.http_status = reason.http_status if reason else 200
            outcome.trace = list(trace)
            outcome.log = _log(
                request, outcome, now, test=p.test, conversion=conversion, replay_of=replay_of, trace_offer=trace.offer
            )
            if reason:  # cap_reached: recorded as a rejected conversion
                logger.info(
                    "postback refused: %s from %s (log #%s): %s",
                    reason,
                    request.source_ip,
                    outcome.log.pk,
                    outcome.detail,
                )
            return outcome
    except Rejection as rejection:
        if not trace or trace[-1]["rule"] != rejection.reason or trace[-1]["ok"]:
            trace.append({"rule": rejection.reason, "ok": False, "detail": rejection.detail})
        existing = getattr(rejection, "conversion", None)
        test = bool(p and p.test)
        if p is None:  # refused before the click was looked up (a malformed amount, say): is it a test click's?
            test_offer = _test_click_offer(request.params)
            if test_offer is not None:
                test, trace.offer = True, test_offer
        outcome.reason = rejection.reason
        outcome.detail = rejection.detail
        outcome.http_status = rejection.reason.http_status
        outcome.conversion_id = existing.pk if existing else None
        outcome.trace = list(trace)
        outcome.log = _log(
            request,
            outcome,
            now,
            test=test,
            conversion=existing,
            replay_of=replay_of,
            trace_offer=trace.offer,
        )
        # Besides the log row, the application log: refused credentials are a security event (WARNING, e.g. for
        # fail2ban or alerting), any other refusal an everyday one (INFO).
        logger.log(
            logging.WARNING if rejection.reason.credential else logging.INFO,
            "postback refused: %s from %s (log #%s): %s",
            rejection.reason,
            request.source_ip,
            outcome.log.pk,
            rejection.detail,
        )
        return outcome


def _test_click_offer(params):
    """The offer of the test click named by raw parameters that did not parse, or None: a postback for a test click
    belongs to the advertiser's integration test however malformed the rest of it is (its log row is a test row,
    with the offer, so the test page lists it). Only refused postbacks get here, and only those naming a click."""
    transaction_id = params.get("transaction_id")
    if not isinstance(transaction_id, str) or not 0 < len(transaction_id.strip()) <= 64 or "\x00" in transaction_id:
        return None  # (PostgreSQL refuses a NUL in any text it is asked to compare)
    click = (
        Click.objects.filter(transaction_id_q(transaction_id.strip()), affiliate__is_test=True)
        .select_related("offer")
        .first()
    )
    return click.offer if click else None


def _storable(text):
    """PostgreSQL stores no NUL character in text or JSON: keep the rest of the value, mark where it was."""
    return text.replace("\x00", "\ufffd")


def _masked(params):
    return {_storable(k): ("***" if k == "security_token" and v else _storable(v)) for k, v in params.items()}


def _ip_or_none(value):
    """The source address as a valid IP (a trusted proxy may forward garbage; the detail keeps what it was)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _log(request, outcome, now, *, test, conversion, replay_of, trace_offer):
    log = _log_row(
        request, outcome, now, test=test, conversion=conversion, replay_of=replay_of, trace_offer=trace_offer
    )
    log.save(force_insert=True)
    return log


def _log_row(request, outcome, now, *, test, conversion, replay_of, trace_offer):
    """The log row of one postback, unsaved."""
    return PostbackLog(
        received_at=now,
        source_ip=_ip_or_none(request.source_ip),
        method=request.method,
        path=request.path,
        params=_masked(request.params),
        verdict=outcome.status,
        reason=outcome.reason,
        detail=_storable(outcome.detail),
        http_status=outcome.http_status,
        trace=outcome.trace,
        is_test=test,
        offer=trace_offer,
        conversion=conversion,
        replay_of=replay_of,
    )
