"""CSV export: the rows on screen, and no cell a spreadsheet would run as a formula."""

import csv
import io
from decimal import Decimal

import pytest

from reports.export import report_csv_lines, safe_cell
from reports.selectors import METRIC_BY_KEY, METRICS, ReportRow, report_totals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("spring sale", "spring sale"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_a_leading_apostrophe(text, expected):
    assert safe_cell(text) == expected


def test_numbers_tally_computed_stay_numbers_even_when_negative():
    assert safe_cell(Decimal("-5.00")) == "-5.00"
    assert safe_cell(12) == "12"
    assert safe_cell(None) == ""


def parse(lines):
    return list(csv.reader(io.StringIO("".join(lines))))


def test_the_csv_has_the_pages_columns_rows_and_totals_with_hostile_sub_ids_neutralised():
    rows = [
        ReportRow(key="=1+1", label="=1+1", currency="USD", clicks=2, conversions=1, payout=Decimal("1.50"),
                  revenue=Decimal("1.00")),
        ReportRow(key='a,"b"\nc', label='a,"b"\nc', currency="USD", clicks=0, pending=1),
    ]  # fmt: skip

    table = parse(report_csv_lines(rows=rows, totals=report_totals(rows), columns=METRICS, group_label="Sub ID",
                                   with_id=False))  # fmt: skip

    assert table[0] == ["Sub ID", "Currency"] + [m.label for m in METRICS]
    assert table[1][:3] == ["'=1+1", "USD", "2"]
    assert table[1][-6:] == [
        "50.00",
        "1.50",
        "1.00",
        "-0.50",
        "0.7500",
        "0.5000",
    ]  # CR, payout, revenue, profit, EPC, RPC
    assert table[2][0] == 'a,"b"\nc'  # quoted, not split
    assert table[2][table[0].index("CR")] == ""  # no clicks: blank, not an error
    assert table[3][:3] == ["Total", "USD", "2"]
    assert len(table) == 4


def test_the_csv_names_each_entity_by_label_and_id_when_grouped_by_one():
    rows = [ReportRow(key=7, label="@Offer", currency="EUR", clicks=1)]

    table = parse(report_csv_lines(rows=rows, totals=[], columns=METRICS[:1], group_label="Offer", with_id=True))

    assert table == [["Offer", "ID", "Currency", "Clicks"], ["'@Offer", "7", "EUR", "1"]]


@pytest.mark.parametrize(
    "text",
    [
        "\n=1+1",
        "\r=1+1",
        " =1+1",
        "\t=1+1",
        '  \t=HYPERLINK("http://evil")',
        " +1+2",
        " -2+3",
        " @SUM(A1)",
        "\uff1d1+1",  # fullwidth =
        "\uff0b1+1",  # fullwidth +
        "\uff0d1+1",  # fullwidth -
        "\uff20SUM(A1)",  # fullwidth @
        " \uff1d1+1",
        "|calc",
        ";calc",
        "\n",
    ],
)
def test_text_that_a_spreadsheet_runs_after_whitespace_or_in_fullwidth_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_every_csv_cell_is_quoted_and_a_hostile_label_stays_one_neutralised_cell():
    row = ReportRow(key="\n=1+1", label="\n=1+1", currency="EUR", clicks=3, payout=Decimal("6.00"), revenue=1)
    columns = [METRIC_BY_KEY["clicks"], METRIC_BY_KEY["profit"]]
    text = "".join(report_csv_lines(rows=[row], totals=[], columns=columns, group_label="Sub ID", with_id=False))
    assert text.splitlines()[0] == '"Sub ID","Currency","Clicks","Profit"'
    assert list(csv.reader(io.StringIO(text)))[1] == ["'\n=1+1", "EUR", "3", "-5.00"]
