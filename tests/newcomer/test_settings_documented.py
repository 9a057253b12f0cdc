"""Every setting Tally reads from the environment is in the README's configuration tables and in .env.example,
and the two list the same settings: a newcomer copying .env.example finds every one the README explains."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A setting read in config/settings.py: env("NAME"), env.int("NAME", ...), env.str("NAME") and the like.
READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")
# The names in a table row's first cell: `NAME`, or several, `NAME`, `OTHER`.
CELL_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")
# A line of .env.example setting a value, commented out or not: # NAME=value
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def read_in_settings():
    return set(READ.findall((ROOT / "config" / "settings.py").read_text()))


def in_readme_tables():
    """The first cell of each row of the README's tables whose header starts with `| variable |`."""
    names, in_table = set(), False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("| variable |"):
            in_table = True
        elif in_table and line.startswith("|"):
            names |= set(CELL_NAME.findall(line.split("|")[1]))
        else:
            in_table = False
    return names


def in_env_example():
    return set(ASSIGNMENT.findall((ROOT / ".env.example").read_text()))


def ours(names):
    return {name for name in names if name.startswith(("TALLY_", "DJANGO_"))}


def test_the_readme_tables_and_env_example_are_found_and_hold_the_basics():
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "TALLY_VAR_DIR"} <= in_readme_tables()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "TALLY_VAR_DIR"} <= in_env_example()


def test_every_tally_and_django_setting_read_by_settings_is_in_the_readme():
    assert ours(read_in_settings()) - in_readme_tables() == set()


def test_every_tally_and_django_setting_read_by_settings_is_in_env_example():
    assert ours(read_in_settings()) - in_env_example() == set()


def test_env_example_and_the_readme_list_the_same_settings():
    readme, example = in_readme_tables(), in_env_example()

    assert (readme - example, example - readme) == (set(), set())


def test_the_readme_and_env_example_list_no_setting_that_is_not_read():
    read = read_in_settings()

    assert in_readme_tables() - read == set()
    assert in_env_example() - read == set()
