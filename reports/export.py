"""CSV of a report, exactly as the page shows it (same columns, groups, filters and order), streamed row by row; and
the same safe CSV for any list page's rows (csv_lines)."""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell starting with one of these as a formula, or as a command (CSV injection, as OWASP lists
# them): = + - @, tab, carriage return, line feed, the fullwidth ＝ ＋ － ＠, and | and ;. Such text gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "|", ";")


def safe_cell(value):
    """A value as CSV text. Text that a spreadsheet would run as a formula, also after leading whitespace
    (" =1+1"), is neutralised with a leading apostrophe; numbers Tally computed (a negative profit is "-5.00") stay
    numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """Yield CSV lines: the header, then one line per row (a sequence of values), every cell in double quotes (as
    OWASP advises) and made safe by safe_cell. Any export (a report, a list page's rows) goes through here."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow([safe_cell(cell) for cell in header])
    for cells in rows:
        yield writer.writerow([safe_cell(cell) for cell in cells])


def report_csv_lines(*, rows, totals, columns, group_label, with_id):
    """Yield the CSV lines: a header, one line per row, then the total line(s)."""
    header = [group_label] + (["ID"] if with_id else []) + ["Currency"] + [metric.label for metric in columns]

    def cells(row):
        values = [row.label] + ([row.key if row.key is not None else ""] if with_id else []) + [row.currency]
        return values + [row.value(metric.key) for metric in columns]

    yield from csv_lines(header, (cells(row) for row in [*rows, *totals]))


def csv_attachment(lines, filename):
    """A streamed CSV download of `lines` (from csv_lines or report_csv_lines), saved as `filename`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
