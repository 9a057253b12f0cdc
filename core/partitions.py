"""Time-range partitions of the big append-only tables on PostgreSQL (docs/storage.md), and all their DDL.

A model is partitioned when its class names its time column in `partitioned_by` (tracking.Click: created_at,
conversions.PostbackLog: received_at); core imports no app, so callers pass the model. On PostgreSQL such a table
is RANGE-partitioned by that column, one partition per day (PARTITION_INTERVAL, chosen from the measurements in
docs/storage.md), plus a DEFAULT partition that catches a row no day partition covers (a back-dated import, a
missed beat for a week), so an insert never fails for a missing partition. Partitions are made ahead of time by
the migration, after every migrate (post_migrate) and hourly by operations.tasks.partitions_create_ahead.
Elsewhere (SQLite) the table is a plain table and every function here is a no-op.

Making and dropping a partition run with a short lock_timeout: attaching or detaching one waits for the locks of
running transactions, and clicks must not queue behind it. A run that times out raises; the next run retries.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, migrations, transaction

PARTITION_INTERVAL = "day"  # or "month": both are built and measured (docs/storage.md, Partitions)
# How far ahead partitions exist after a migrate and after each hourly run: a week of beat outage before a row
# lands in the DEFAULT partition (where it is still stored, only not dropped by retention with its day).
AHEAD = timedelta(days=7)
# The migration covers existing rows this far back at most; older rows go to the DEFAULT partition.
MAX_BACK = timedelta(days=3 * 366)
LOCK_TIMEOUT = "5s"
DEFAULT_SUFFIX = "_default"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC


# --- The public API (tracking, conversions, operations and the retention job call these) ---------------------


def partition_column(model) -> str:
    """The time column a model is partitioned by (its class attribute `partitioned_by`, a field name)."""
    return model._meta.get_field(model.partitioned_by).column


def is_partitioned(model, using=DEFAULT_DB_ALIAS) -> bool:
    """Whether the model's table is a partitioned table in this database (never on SQLite)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    return _is_partitioned(connection, model._meta.db_table)


def partitions(model, using=DEFAULT_DB_ALIAS) -> list[Partition]:
    """The model's range partitions, oldest first (the DEFAULT partition is not one of them); [] when the table is
    not partitioned."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    return _partitions(connection, model._meta.db_table)


def partitions_create_ahead(model, *, through: datetime, using=DEFAULT_DB_ALIAS) -> list[str]:
    """Create the missing partitions from the current one (the one holding now) through the one holding `through`.
    Idempotent; returns the names created. Rows that the DEFAULT partition holds for a new range move into it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not _is_partitioned(connection, model._meta.db_table):
        return []
    return _create_range(
        connection, model._meta.db_table, partition_column(model), datetime.now(UTC), through, PARTITION_INTERVAL
    )


def partitions_drop_before(model, cutoff: datetime, using=DEFAULT_DB_ALIAS) -> list[str]:
    """DETACH and DROP every partition whose end is at or before cutoff (all its rows are older than cutoff), one
    short transaction each. Never the DEFAULT partition. Returns the names dropped, oldest first."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    table, qn, dropped = model._meta.db_table, connection.ops.quote_name, []
    for partition in _partitions(connection, table):
        if partition.end > cutoff:
            break
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"ALTER TABLE {qn(table)} DETACH PARTITION {qn(partition.name)}")
            cursor.execute(f"DROP TABLE {qn(partition.name)}")
        dropped.append(partition.name)
    return dropped


def partitions_create_between(model, *, start: datetime, through: datetime, using=DEFAULT_DB_ALIAS) -> list[str]:
    """Create the missing partitions from the one holding `start` through the one holding `through`: for a bulk load
    of past rows (bench/run.py --growth), which would otherwise all land in the DEFAULT partition. Idempotent."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not _is_partitioned(connection, model._meta.db_table):
        return []
    return _create_range(connection, model._meta.db_table, partition_column(model), start, through, PARTITION_INTERVAL)


def plan_time_bounds(model, column, moment, connection) -> tuple[str, str] | None:
    """Literals (start, end) of the partition holding `moment`, for the text of a prepared statement that reads
    `model`'s rows by time: None when the table is not partitioned by `column` (or not on PostgreSQL). A parameter
    is pruned only when the statement runs, after its generic plan has locked every partition (over a hundred at
    90 days of retention); literals are pruned when the plan is made, which then locks and reads only the
    partitions within them. The text changes once a partition, and so does the statement psycopg prepares
    (docs/storage.md, Locks)."""
    if connection.vendor != "postgresql" or getattr(model, "partitioned_by", None) != column:
        return None
    start = _floor(moment, PARTITION_INTERVAL)
    return _literal(start), _literal(_next(start, PARTITION_INTERVAL))


def partitions_ahead(model, using=DEFAULT_DB_ALIAS) -> timedelta | None:
    """How far past now the last partition reaches (None when the table is not partitioned): the metric that shows
    the hourly job working."""
    existing = partitions(model, using)
    return existing[-1].end - datetime.now(UTC) if existing else None


# --- Migrations: a plain table to a partitioned one and back ---------------------------------------------------


def partitioning(app_label, model_name, column):
    """The migration operation that partitions a model's table by `column` on PostgreSQL (partition_table) and,
    reversed, makes it plain again (unpartition_table); elsewhere (SQLite) it does nothing."""

    def table(apps):
        return apps.get_model(app_label, model_name)._meta.db_table

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            partition_table(schema_editor.connection, table(apps), column)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            unpartition_table(schema_editor.connection, table(apps))

    return migrations.RunPython(forward, backward)


def partition_table(connection, table, column, *, pk="id", interval=PARTITION_INTERVAL, now=None):
    """Rebuild the plain table `table` as a table RANGE-partitioned by `column`, keeping every row, every column,
    default, check, unique and foreign-key constraint and index (by name) and the id sequence's position. The
    primary key becomes (pk, column), as PostgreSQL wants the partition column in every unique constraint; each
    unique constraint must already include it. Partitions cover the rows' days (at most MAX_BACK back) through
    AHEAD, plus DEFAULT. No foreign key may point at the table (PostgreSQL needs a unique key on the referenced
    columns alone). PostgreSQL only; runs in the migration's transaction."""
    now = now or datetime.now(UTC)
    with connection.cursor() as cursor:
        old, kept = _rebuild_start(cursor, connection, table, pk)
        qn = connection.ops.quote_name
        cursor.execute(
            f"CREATE TABLE {qn(table)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
            f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({qn(column)})"
        )
        cursor.execute(f"SELECT min({qn(column)}) FROM {qn(old)}")  # noqa: S608
        oldest = cursor.fetchone()[0]
    start = now if oldest is None else max(oldest, now - MAX_BACK)
    _create_default(connection, table)
    _create_range(connection, table, column, start, now + AHEAD, interval)
    with connection.cursor() as cursor:
        _rebuild_finish(cursor, connection, table, old, kept, primary_key=(pk, column))


def unpartition_table(connection, table, *, pk="id"):
    """The reverse of partition_table: the same table as a plain one, every row kept, the primary key (pk)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        old, kept = _rebuild_start(cursor, connection, table, pk)
        cursor.execute(
            f"CREATE TABLE {qn(table)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
            f"INCLUDING STORAGE INCLUDING COMMENTS)"
        )
        _rebuild_finish(cursor, connection, table, old, kept, primary_key=(pk,))


def _rebuild_start(cursor, connection, table, pk):
    """Rename `table` (and its identity sequence) out of the way and take off its keys, constraints and indexes.
    Returns the old table's new name and what was taken off, for _rebuild_finish."""
    qn = connection.ops.quote_name
    old = f"{table}_old"[:63]
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass(%s) "
        "AND conrelid <> confrelid AND conparentid = 0",
        [qn(table)],
    )
    if referencing := [row[0] for row in cursor.fetchall()]:
        raise RuntimeError(f"foreign keys point at {table} ({', '.join(referencing)}); drop them first")
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f') AND conparentid = 0 ORDER BY conname",
        [qn(table)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
        "ORDER BY c.relname",
        [qn(table)],
    )
    indexes = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qn(table), pk])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {qn(table)} RENAME TO {qn(old)}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {qn(old + '_id_seq')}")
    for name, kind, _ in constraints:
        if kind != "p":
            cursor.execute(f"ALTER TABLE {qn(old)} DROP CONSTRAINT {qn(name)}")
    for name, kind, _ in constraints:
        if kind == "p":
            cursor.execute(f"ALTER TABLE {qn(old)} DROP CONSTRAINT {qn(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {qn(name)}")
    return old, (constraints, indexes, bool(sequence))


def _rebuild_finish(cursor, connection, table, old, kept, *, primary_key):
    """Copy the rows of `old` into the new `table`, carry on its id sequence, put back the keys, constraints and
    indexes _rebuild_start took off (the primary key as `primary_key`), drop `old`."""
    qn = connection.ops.quote_name
    constraints, indexes, had_sequence = kept
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [qn(table)],
    )
    columns = ", ".join(qn(row[0]) for row in cursor.fetchall())
    cursor.execute(f"INSERT INTO {qn(table)} ({columns}) SELECT {columns} FROM {qn(old)}")  # noqa: S608
    if had_sequence:
        # The next id continues the old sequence (not max(id) + 1: ids of deleted rows are never handed out again).
        old_sequence = qn(old + "_id_seq")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), last_value, is_called) FROM {old_sequence}",  # noqa: S608
            [qn(table), primary_key[0]],
        )
    for name, kind, _ in constraints:
        if kind == "p":
            cursor.execute(
                f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} PRIMARY KEY ({', '.join(map(qn, primary_key))})"
            )
    for name, kind, definition in constraints:
        if kind != "p":
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
    for name, definition in indexes:
        # pg_get_indexdef: CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (...) [WHERE ...]
        head, _, rest = definition.partition(" USING ")
        unique = "UNIQUE " if head.startswith("CREATE UNIQUE ") else ""
        cursor.execute(f"CREATE {unique}INDEX {qn(name)} ON {qn(table)} USING {rest}")
    cursor.execute(f"DROP TABLE {qn(old)}")
    cursor.execute(f"ANALYZE {qn(table)}")


# --- Internals ------------------------------------------------------------------------------------------------

_BOUND = re.compile(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)")


def _is_partitioned(connection, table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
            [connection.ops.quote_name(table)],
        )
        return cursor.fetchone()[0]


def _partitions(connection, table):
    with connection.cursor() as cursor:
        # The bounds as text in UTC whatever the session's TimeZone, read back exactly.
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [connection.ops.quote_name(table)],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        if match:  # not the DEFAULT partition
            start, end = (datetime.fromisoformat(value).astimezone(UTC) for value in match.groups())
            found.append(Partition(name, start, end))
    return sorted(found, key=lambda p: p.start)


def _floor(moment, interval):
    moment = moment.astimezone(UTC)
    if interval == "month":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _next(start, interval):
    if interval == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _name(table, start, interval):
    return f"{table}_p{start:%Y%m}" if interval == "month" else f"{table}_p{start:%Y%m%d}"


def _literal(moment):
    return f"'{moment.astimezone(UTC).isoformat()}'"  # from a datetime we computed: no outside text


def _create_default(connection, table):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {qn(table + DEFAULT_SUFFIX)} PARTITION OF {qn(table)} DEFAULT")


def _create_range(connection, table, column, start, through, interval):
    """Create each missing partition from the one holding `start` through the one holding `through`."""
    qn = connection.ops.quote_name
    covered = _partitions(connection, table)
    default = table + DEFAULT_SUFFIX
    created, start = [], _floor(start, interval)
    while start <= through:
        end = _next(start, interval)
        if not any(p.start < end and start < p.end for p in covered):
            name = _name(table, start, interval)
            where = f"{qn(column)} >= {_literal(start)} AND {qn(column)} < {_literal(end)}"
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                # A plain table first, then ATTACH: attaching locks the parent less than CREATE ... PARTITION OF
                # (inserts go on); ATTACH builds the partition's share of the parent's indexes.
                cursor.execute(
                    f"CREATE TABLE {qn(name)} (LIKE {qn(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                    f"INCLUDING STORAGE)"
                )
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [qn(default)])
                if cursor.fetchone()[0]:
                    # Rows the DEFAULT partition took for this range move here (ATTACH refuses while they are there).
                    cursor.execute(f"INSERT INTO {qn(name)} SELECT * FROM {qn(default)} WHERE {where}")  # noqa: S608
                    cursor.execute(f"DELETE FROM {qn(default)} WHERE {where}")  # noqa: S608
                cursor.execute(
                    f"ALTER TABLE {qn(table)} ATTACH PARTITION {qn(name)} "
                    f"FOR VALUES FROM ({_literal(start)}) TO ({_literal(end)})"
                )
            created.append(name)
        start = end
    return created
