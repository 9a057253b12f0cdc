"""The Makefile's targets as a newcomer runs them (`make -n` prints the commands without running them)."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(*args):
    result = subprocess.run(  # noqa: S603 -- make, with our own arguments
        [shutil.which("make"), "-n", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,  # noqa: S607
    )
    return result.stdout


def test_make_run_gives_seed_demo_the_address_it_serves_on():
    commands = dry_run("run", "ADDR=127.0.0.1:8100")

    assert "manage.py seed_demo --base-url http://127.0.0.1:8100" in commands
    assert "ADDR=127.0.0.1:8100" in commands


def test_make_run_takes_ctrl_c_as_the_way_to_stop():
    """honcho answers Ctrl-C by stopping the three processes and exiting 130: no error for make to report."""
    commands = dry_run("run")

    assert re.search(r"trap true INT; .*honcho -f Procfile.dev start \|\| \[ \$\? -eq 130 \]", commands)


def test_the_development_worker_runs_its_tasks_in_threads():
    """honcho stops a process by signalling its whole process group: prefork children would each be logged as an
    error ("exited with signal 15")."""
    worker = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("worker:"))

    assert "--pool=threads" in worker


def test_make_quick_runs_pytest_on_sqlite_without_browser_and_worker_tests():
    commands = dry_run("quick", "PYTEST_ARGS=tests/newcomer")

    line = next(line for line in commands.splitlines() if "pytest" in line)
    assert "DATABASE_URL=sqlite:///" in line
    assert '-m "not e2e and not worker"' in line
    assert line.endswith("tests/newcomer")
    assert "ruff" not in commands


def _marks(decorators):
    return {ast.unparse(d) for d in decorators}


def _module_marks(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            return ast.unparse(node.value)
    return ""


def test_every_test_that_starts_a_real_celery_worker_is_marked_worker():
    """A test asking for the `worker`/`celery_worker` fixture or calling tests.worker.start_worker carries the
    `worker` marker (on itself or its module), so that `make quick` leaves it out."""
    unmarked = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        module_marked = "pytest.mark.worker" in _module_marks(tree)
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            uses_fixture = {arg.arg for arg in node.args.args} & {"worker", "celery_worker"}
            starts_one = any(
                isinstance(call, ast.Call) and getattr(call.func, "id", "") == "start_worker" for call in ast.walk(node)
            )
            if (
                (uses_fixture or starts_one)
                and not module_marked
                and "pytest.mark.worker" not in _marks(node.decorator_list)
            ):
                unmarked.append(f"{path.relative_to(ROOT)}::{node.name}")

    assert unmarked == []
