"""The report numbers (README.md, Reports), read from rollups and scoped by role. The one place each metric is defined.

    rows = report_rows(user=request.user, group_by="offer", date_from=date(2025, 1, 1), date_to=date(2025, 1, 31),
                       filters={"affiliate": affiliate}, sort="-clicks")
    totals = report_totals(rows)                      # one total row per currency
    columns = report_columns(user=request.user)       # the metrics this user may see, in display order
    series = report_daily_series(user=..., date_from=..., date_to=..., filters=...)  # for the chart

Managers see the whole network; an affiliate sees only its own rows, with payout and never revenue; an
advertiser sees only its own offers, with revenue and never payout. A metric a user may not see is None on
every row returned to them. Money is summed per currency, so every row carries one currency.
"""

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from core.periods import day_end, day_start, network_today
from core.roles import Role, role_of
from core.scoping import restrict
from offers.models import Offer
from partners.models import Advertiser, Affiliate
from quality.models import RefusedClickCount
from quality.selectors import refused_clicks_by_reason
from reports.models import DailyAffiliateStat, DailyOfferStat, DailyStat, DailySubStat, RollupState

CENT = Decimal("0.01")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str
    kind: str  # count, money, percent or rate (money per click)
    hidden_from: tuple = ()


METRICS = (
    Metric("clicks", "Clicks", "Clicks recorded through tracking links.", "count"),
    Metric(
        "unique_clicks",
        "Unique clicks",
        "Clicks with no earlier click from the same IP address and browser on the same offer through the same "
        "affiliate in the 24 hours before.",
        "count",
    ),
    Metric("conversions", "Conversions", "Approved conversions, every goal counted.", "count"),
    Metric("pending", "Pending", "Conversions waiting for a manager's approval.", "count"),
    Metric("rejected", "Rejected", "Conversions rejected by a manager or for a full cap.", "count"),
    Metric("cr", "CR", "Conversion rate: approved conversions ÷ clicks, in percent (blank without clicks).", "percent"),
    Metric("payout", "Payout", "What affiliates earn for approved conversions.", "money", (Role.ADVERTISER,)),
    Metric("revenue", "Revenue", "What advertisers pay for approved conversions.", "money", (Role.AFFILIATE,)),
    Metric("profit", "Profit", "Revenue − payout.", "money", (Role.AFFILIATE, Role.ADVERTISER)),
    Metric("epc", "EPC", "Earnings per click: payout ÷ clicks (blank without clicks).", "rate", (Role.ADVERTISER,)),
    Metric("rpc", "RPC", "Revenue per click: revenue ÷ clicks (blank without clicks).", "rate", (Role.AFFILIATE,)),
)
METRIC_BY_KEY = {metric.key: metric for metric in METRICS}

# What each audience may group by: the rollup column that keys a group, and the model that names it.
GROUPINGS = {
    "affiliate": ("affiliate_id", Affiliate),
    "offer": ("offer_id", Offer),
    "advertiser": ("offer__advertiser_id", Advertiser),
    "day": ("day", None),
    "sub": ("aff_sub", None),
}
GROUP_LABELS = {"affiliate": "Affiliate", "offer": "Offer", "advertiser": "Advertiser", "day": "Day", "sub": "Sub ID"}
GROUP_BY_FOR_ROLE = {
    Role.MANAGER: ("affiliate", "offer", "advertiser", "day"),
    Role.AFFILIATE: ("offer", "day", "sub"),
    Role.ADVERTISER: ("offer", "day"),
}


@dataclass
class ReportRow:
    """One line of a report: a group (an affiliate, offer, advertiser, day or sub ID) in one currency."""

    key: object
    label: str
    currency: str
    clicks: int = 0
    unique_clicks: int = 0
    conversions: int = 0
    pending: int = 0
    rejected: int = 0
    payout: Decimal | None = Decimal("0.00")
    revenue: Decimal | None = Decimal("0.00")
    hidden: tuple = field(default=(), repr=False)

    def _per_click(self, money):
        if money is None or not self.clicks:
            return None
        return (money / self.clicks).quantize(RATE)

    @property
    def cr(self):
        return (Decimal(self.conversions) * 100 / self.clicks).quantize(CENT) if self.clicks else None

    @property
    def profit(self):
        if "profit" in self.hidden or self.payout is None or self.revenue is None:
            return None
        return self.revenue - self.payout

    @property
    def epc(self):
        return self._per_click(self.payout)

    @property
    def rpc(self):
        return self._per_click(self.revenue)

    def value(self, key):
        return getattr(self, key)

    def add(self, other):
        for name in ("clicks", "unique_clicks", "conversions", "pending", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("payout", "revenue"):
            if getattr(self, name) is not None:
                setattr(self, name, getattr(self, name) + getattr(other, name))


def report_columns(*, user):
    """The metrics `user` may see, in display order."""
    role = role_of(user)
    return [metric for metric in METRICS if role not in metric.hidden_from]


def report_group_choices(*, user):
    """(value, label) pairs of what `user` may group by; the first is the default."""
    return [(name, GROUP_LABELS[name]) for name in GROUP_BY_FOR_ROLE.get(role_of(user), ())]


# The rollups from the narrowest to the widest, with the columns each can group or filter by.
ROLLUP_COLUMNS = (
    (DailyOfferStat, {"offer"}),
    (DailyAffiliateStat, {"affiliate"}),
    (DailyStat, {"offer", "affiliate"}),
    (DailySubStat, {"offer", "affiliate", "aff_sub"}),
)
NEEDS = {"affiliate": "affiliate", "offer": "offer", "advertiser": "offer", "aff_sub": "aff_sub", "sub": "aff_sub"}


def _rollup_for(user, group_by, filters):
    """The smallest rollup that holds the group, the filters and the user's scope (an affiliate's rows need the
    affiliate column, an advertiser's the offer column): the whole network by offer reads one row per offer a day."""
    role = role_of(user)
    needed = {
        NEEDS[name] for name in (group_by, *(k for k, v in filters.items() if v not in (None, ""))) if name in NEEDS
    }
    needed |= {Role.AFFILIATE: {"affiliate"}, Role.ADVERTISER: {"offer"}}.get(role, set())
    return next(model for model, columns in ROLLUP_COLUMNS if needed <= columns)


def _scoped_stats(user, model):
    return restrict(model.objects.all(), user, affiliate="affiliate_id", advertiser="offer__advertiser_id")


def _pk(value):
    return getattr(value, "pk", value)


def _filtered(stats, filters):
    if filters.get("offer"):
        stats = stats.filter(offer_id=_pk(filters["offer"]))
    if filters.get("affiliate"):
        stats = stats.filter(affiliate_id=_pk(filters["affiliate"]))
    if filters.get("advertiser"):
        stats = stats.filter(offer__advertiser_id=_pk(filters["advertiser"]))
    if filters.get("aff_sub") is not None and filters.get("aff_sub") != "":
        stats = stats.filter(aff_sub=filters["aff_sub"])
    return stats


def _sort_key(sort_field):
    def key(row):
        value = row.key if sort_field == "key" else (row.label if sort_field == "label" else row.value(sort_field))
        return (value.casefold() if isinstance(value, str) else value, row.currency)

    return key


SORTABLE = ("label", *METRIC_BY_KEY)


def report_rows(*, user, group_by, date_from: date, date_to: date, filters=None, sort=None):
    """Report rows for `user` over the network days date_from..date_to (inclusive), one per group and currency.

    group_by: one of report_group_choices(user=user) ("affiliate", "offer", "advertiser", "day", "sub").
    filters: optional {"offer", "affiliate", "advertiser": instance or id, "aff_sub": str}; a filter outside the
    user's scope simply finds no rows. sort: a metric key or "label", "-" in front for descending; the default
    is by day for group_by="day", else by clicks descending. Reads rollups only (never raw clicks); the rows are
    as current as reports.services.rollups_refresh last made them.
    """
    role = role_of(user)
    if group_by not in GROUP_BY_FOR_ROLE.get(role, ()):
        raise ValueError(f"{role} users cannot group reports by {group_by!r}")
    filters = filters or {}
    stats = _filtered(_scoped_stats(user, _rollup_for(user, group_by, filters)), filters)
    stats = stats.filter(day__gte=date_from, day__lte=date_to)
    key_field, label_model = GROUPINGS[group_by]
    grouped = (
        stats.values(key_field, "currency")
        .order_by()
        .annotate(
            clicks=Sum("clicks"),
            unique_clicks=Sum("unique_clicks"),
            conversions=Sum("approved"),
            pending=Sum("pending"),
            rejected=Sum("rejected"),
            payout=Sum("payout"),
            revenue=Sum("revenue"),
        )
    )
    hidden = tuple(metric.key for metric in METRICS if role in metric.hidden_from)
    groups = list(grouped)
    # Names are looked up afterwards for the groups found: the aggregation itself reads the rollup table alone.
    names = label_model.objects.only("pk", "name").in_bulk({g[key_field] for g in groups}) if label_model else {}
    rows = []
    for group in groups:
        key = group[key_field]
        if label_model:
            label = names[key].name if key in names else f"#{key}"
        else:
            label = key.isoformat() if isinstance(key, date) else key
        rows.append(
            ReportRow(
                key=key,
                label=label,
                currency=group["currency"],
                clicks=group["clicks"],
                unique_clicks=group["unique_clicks"],
                conversions=group["conversions"],
                pending=group["pending"],
                rejected=group["rejected"],
                payout=None if "payout" in hidden else Decimal(group["payout"]).quantize(CENT),
                revenue=None if "revenue" in hidden else Decimal(group["revenue"]).quantize(CENT),
                hidden=hidden,
            )
        )
    return sort_rows(rows, sort or ("key" if group_by == "day" else "-clicks"))


def sort_rows(rows, sort):
    """Rows sorted by `sort` (a metric key, "label" or "key"; "-" for descending); blanks always last."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SORTABLE and name != "key":
        raise ValueError(f"cannot sort by {name!r}")
    present, blank = [], []
    for row in rows:
        value = row.key if name == "key" else (row.label if name == "label" else row.value(name))
        (blank if value is None else present).append(row)
    present.sort(key=_sort_key(name), reverse=descending)
    return present + blank


def report_totals(rows):
    """One total row per currency over `rows` (ratios recomputed from the sums, never averaged)."""
    totals = {}
    for row in rows:
        total = totals.get(row.currency)
        if total is None:
            hidden = row.hidden
            total = totals[row.currency] = ReportRow(
                key=None,
                label="Total",
                currency=row.currency,
                payout=None if "payout" in hidden else Decimal("0.00"),
                revenue=None if "revenue" in hidden else Decimal("0.00"),
                hidden=hidden,
            )
        total.add(row)
    return [totals[currency] for currency in sorted(totals)]


def report_daily_series(*, user, date_from: date, date_to: date, filters=None, rows=None):
    """Clicks and approved conversions for every day in the range (zero where none), for the chart:
    [{"day": date, "clicks": int, "conversions": int}, ...]. Pass `rows` already grouped by day to save a query."""
    if rows is not None:
        by_day = {}
        for row in rows:
            clicks, conversions = by_day.get(row.key, (0, 0))
            by_day[row.key] = (clicks + row.clicks, conversions + row.conversions)
    else:  # two integer sums per day: lighter than the report's own query
        filters = filters or {}
        stats = _filtered(_scoped_stats(user, _rollup_for(user, "day", filters)), filters)
        by_day = {
            group["day"]: (group["clicks"], group["conversions"])
            for group in stats.filter(day__gte=date_from, day__lte=date_to)
            .values("day")
            .order_by()
            .annotate(clicks=Sum("clicks"), conversions=Sum("approved"))
        }
    series = []
    day = date_from
    while day <= date_to:
        clicks, conversions = by_day.get(day, (0, 0))
        series.append({"day": day, "clicks": clicks, "conversions": conversions})
        day += timedelta(days=1)
    return series


def rollups_current_until():
    """The instant up to which the rollups hold every click and conversion (None before the first refresh)."""
    state = RollupState.objects.filter(pk=1).first()
    return state.covered_until if state else None


def row_fields():
    """The stored (not derived) fields of a ReportRow, for serializers."""
    return [f.name for f in fields(ReportRow) if f.name != "hidden"]


def traffic_summary(*, user, filters=None):
    """Clicks, conversions, revenue, payout and profit for today, yesterday, the last 7 and 30 network days, and
    clicks and conversions per day for the chart, from the rollups: what the manager's and the affiliate's
    dashboards and an offer's page show. `filters` as report_rows takes them (e.g. {"offer": offer} on an offer's
    page)."""
    today = network_today()
    first = today - timedelta(days=29)
    days = report_rows(user=user, group_by="day", date_from=first, date_to=today, filters=filters)
    yesterday = today - timedelta(days=1)
    ranges = (
        ("Today", today, today),
        ("Yesterday", yesterday, yesterday),
        ("Last 7 days", today - timedelta(days=6), today),
        ("Last 30 days", first, today),
    )
    periods = [
        {"label": label, "totals": report_totals([row for row in days if start <= row.key <= end])}
        for label, start, end in ranges
    ]
    series = report_daily_series(user=user, date_from=first, date_to=today, rows=days)
    return {
        "periods": periods,
        "series": series,
        "chart": {
            "labels": [point["day"].isoformat() for point in series],
            "clicks": [point["clicks"] for point in series],
            "conversions": [point["conversions"] for point in series],
        },
        "current_until": rollups_current_until(),
    }


def rejected_clicks_by_reason(*, user, date_from: date, date_to: date, filters=None):
    """Clicks refused for traffic quality (docs/clicks.md#traffic-quality) in the network days date_from..date_to,
    by reason: [{"reason", "label", "count"}], every reason listed. None when `filters` has an aff_sub (the counts
    are kept per offer and affiliate, not per sub ID). An hour's count belongs to the day the hour starts in."""
    filters = filters or {}
    if filters.get("aff_sub"):
        return None
    counts = refused_clicks_by_reason(
        user=user,
        since=day_start(date_from),
        until=day_end(date_to),
        offer=_pk(filters.get("offer")),
        affiliate=_pk(filters.get("affiliate")),
        advertiser=_pk(filters.get("advertiser")),
    )
    reasons = RefusedClickCount.Reason.choices
    return [{"reason": reason, "label": label, "count": counts[reason]} for reason, label in reasons]
