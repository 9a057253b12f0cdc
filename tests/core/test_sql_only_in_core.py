"""All hand-written SQL lives in core/sql.py: no other module of the application opens a cursor, or hands the ORM
SQL of its own (.raw(), .extra(), RawSQL). Read from the source with ast, so a call in a branch no test runs counts
too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["config", "core", "areas", "partners", "offers", "tracking", "conversions", "reports", "operations"]
ALLOWED = ROOT / "core" / "sql.py"
# The partition DDL of docs/storage.md has a core module of its own.
ALLOWLIST = {ALLOWED, ROOT / "core" / "partitions.py"}
CALLS = {"cursor", "raw", "extra"}  # the methods that run or inject hand-written SQL: .cursor(), .raw(), .extra()


def application_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def hand_written_sql(tree):
    """(line, what) for every cursor opened and every raw SQL handed to the ORM in a module's tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS:
            yield node.lineno, f".{node.func.attr}("
        elif "RawSQL" in names(node):
            yield node.lineno, "RawSQL"


def names(node):
    """The names a node uses: a variable's, an attribute's, those an import brings in."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.ImportFrom | ast.Import):
        return {alias.name.rpartition(".")[2] for alias in node.names}
    return set()


def test_the_check_sees_what_it_looks_for():
    source = (
        "from django.db.models.expressions import RawSQL as R\n"
        "with connection.cursor() as c: pass\n"
        "Click.objects.raw('SELECT 1')\n"
        "Click.objects.extra(where=['1'])\n"
        "expressions.RawSQL('1', [])\n"
    )
    found = sorted(hand_written_sql(ast.parse(source)))
    assert found == [(1, "RawSQL"), (2, ".cursor("), (3, ".raw("), (4, ".extra("), (5, "RawSQL")]


def test_the_modules_are_found():
    modules = set(application_modules())
    assert ALLOWED in modules and ROOT / "tracking" / "services.py" in modules
    assert not any("migrations" in path.parts for path in modules)


def test_no_module_but_core_sql_opens_a_cursor_or_writes_sql_for_the_orm():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in application_modules()
        if path not in ALLOWLIST
        for line, what in hand_written_sql(ast.parse(path.read_text(), filename=str(path)))
    ]
    assert not offences, "hand-written SQL outside core/sql.py (move it there):\n" + "\n".join(offences)
