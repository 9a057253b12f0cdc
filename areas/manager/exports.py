"""CSV of a list page (conversions, clicks): every row its filters select, in its order, all pages, streamed. The
cells go through reports.export.csv_lines, the report CSV's own writer (OWASP's CSV-injection rules)."""

from datetime import UTC

from django.utils import timezone

from reports.export import csv_attachment, csv_lines


class CsvExportMixin:
    """Put before a FilteredListView: GET answers the filtered rows as CSV. Subclasses give `csv_name`,
    `csv_header` and `csv_row(obj)`."""

    csv_name = "rows"
    csv_header = ()

    def csv_row(self, obj):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        rows = (self.csv_row(obj) for obj in self.get_filterset().qs.iterator(chunk_size=2000))
        name = f"tally-{self.csv_name}-{timezone.now():%Y-%m-%d}.csv"
        return csv_attachment(csv_lines(self.csv_header, rows), name)


def utc(moment):
    """A time as the CSV writes it: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""
