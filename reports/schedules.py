"""Scheduled reports (README.md, Scheduled reports): a saved report e-mailed as CSV to its owner every day, week or
month. The CSV is the report page's own export (reports.export), computed at send time with the owner's scope as it
is then: an affiliate's schedule only ever holds that affiliate's rows, and one whose owner lost access sends
nothing."""

import logging
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.urls import reverse

from core.periods import network_today
from core.roles import Role, inactive_partner_of, role_of
from reports.export import report_csv_lines
from reports.filters import ReportFilter
from reports.models import ReportSchedule, ReportScheduleSend
from reports.selectors import report_columns, report_rows, report_totals

logger = logging.getLogger(__name__)

# The report page's parameters a schedule keeps (the pager's page and anything else are dropped).
KEPT_PARAMETERS = ("group_by", "preset", "date_from", "date_to", "offer", "affiliate", "advertiser", "aff_sub", "sort")
ENTITY_GROUPS = ("affiliate", "offer", "advertiser")
AUDIENCE_OF_ROLE = {Role.MANAGER: "manager", Role.AFFILIATE: "affiliate", Role.ADVERTISER: "advertiser"}


def _report_filter(user, query):
    return ReportFilter(QueryDict(query), request=SimpleNamespace(user=user))


def kept_query(query, names=KEPT_PARAMETERS):
    """The report parameters of a query string (those of `names`), in a stable order, empty ones dropped."""
    data = QueryDict(query)
    return urlencode([(name, data[name]) for name in KEPT_PARAMETERS if name in names and data.get(name)])


def schedule_list(*, user):
    """The user's own schedules (each person sees and deletes only theirs, managers included)."""
    return ReportSchedule.objects.filter(owner=user) if user.is_authenticated else ReportSchedule.objects.none()


@transaction.atomic
def schedule_create(*, owner, name, query, frequency) -> ReportSchedule:
    """Save the report `query` (the report page's query string) to be e-mailed to `owner` at `frequency`. The query
    is checked with the owner's scope now (a filter outside it is refused), and again at each send."""
    query = kept_query(query)
    report_filter = _report_filter(owner, query)
    if role_of(owner) == Role.NONE or not report_filter.is_valid():
        raise ValidationError("These report filters are not valid: open the report again and schedule it from there.")
    # Only what the owner's report takes (an affiliate's report has no affiliate filter, say).
    query = kept_query(query, names=report_filter.filters)
    schedule = ReportSchedule(
        owner=owner, name=name.strip()[:100] or "Report", query=query, frequency=ReportSchedule.Frequency(frequency)
    )
    schedule.full_clean()
    schedule.save()
    return schedule


def schedule_delete(*, owner, schedule_id) -> bool:
    deleted, _ = ReportSchedule.objects.filter(owner=owner, pk=schedule_id).delete()
    return bool(deleted)


def period_start(frequency, today: date) -> date:
    """The first network day of the period `today` falls in: the day itself, its week's Monday, its month's 1st."""
    if frequency == ReportSchedule.Frequency.DAILY:
        return today
    if frequency == ReportSchedule.Frequency.WEEKLY:
        return today - timedelta(days=today.weekday())
    return today.replace(day=1)


def schedule_csv(*, schedule):
    """(filename, CSV text, row count) of the schedule's report as its owner may see it now; ValidationError when
    its filters no longer are valid for the owner (an offer they lost access to, say)."""
    owner = schedule.owner
    report_filter = _report_filter(owner, schedule.query)
    if not report_filter.is_valid():
        raise ValidationError("the saved filters are no longer valid for you")
    params = report_filter.selector_kwargs()
    rows = report_rows(user=owner, **params)
    lines = report_csv_lines(
        rows=rows,
        totals=report_totals(rows),
        columns=report_columns(user=owner),
        group_label=report_filter.group_label,
        with_id=params["group_by"] in ENTITY_GROUPS,
    )
    name = f"tally-report-by-{params['group_by']}-{params['date_from']}-{params['date_to']}.csv"
    return name, "".join(lines), len(rows)


def _may_receive(user):
    return user.is_active and bool(user.email) and role_of(user) != Role.NONE and inactive_partner_of(user) is None


def schedule_send(*, schedule, today=None) -> bool:
    """E-mail the schedule's report for the period `today` falls in, unless it was already sent for it. The send
    row is written (and committed) first, so the period is claimed by one worker only; if the mail server refuses,
    the row is removed again and the next run retries. Returns whether an e-mail went out."""
    today = today or network_today()
    owner = schedule.owner
    if not _may_receive(owner):
        return False
    try:
        with transaction.atomic():
            send = ReportScheduleSend.objects.create(
                schedule=schedule, period_start=period_start(schedule.frequency, today)
            )
    except IntegrityError:
        return False  # this period was sent already (or is being sent by another worker)
    audience = AUDIENCE_OF_ROLE[role_of(owner)]
    site = settings.TALLY_SITE_URL.rstrip("/")
    page = f"{site}{reverse(f'{audience}:report')}?{schedule.query}"
    manage = f"{site}{reverse(f'{audience}:report_schedule_list')}"
    try:
        filename, text, rows = schedule_csv(schedule=schedule)
        body = f"{schedule.name}: {rows} rows, attached as CSV.\n\nOpen the report: {page}\n"
    except ValidationError as error:
        filename, text, rows = None, "", 0
        body = f"{schedule.name} could not be made: {error.messages[0]}.\n\nOpen the report: {page}\n"
    message = EmailMessage(
        subject=f"{schedule.name} ({schedule.get_frequency_display().lower()})",
        body=body + f"\nYour scheduled reports: {manage}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    )
    if filename:
        message.attach(filename, text, "text/csv")
    try:
        message.send()
    except Exception:
        logger.exception("could not e-mail scheduled report %s", schedule.pk)
        send.delete()
        return False
    ReportScheduleSend.objects.filter(pk=send.pk).update(rows=rows)
    return True


def schedules_send_due(*, today=None) -> int:
    """The beat job: send every schedule not yet sent for its current period. Returns how many e-mails went out."""
    today = today or network_today()
    sent = 0
    for frequency in ReportSchedule.Frequency:
        start = period_start(frequency, today)
        done = ReportScheduleSend.objects.filter(schedule=OuterRef("pk"), period_start=start)
        due = ReportSchedule.objects.filter(frequency=frequency).exclude(Exists(done)).select_related("owner")
        for schedule in due.iterator(chunk_size=200):
            sent += schedule_send(schedule=schedule, today=today)
    return sent
