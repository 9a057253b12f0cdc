"""Every piece of Tally's hand-written SQL, and the only module that opens a database cursor
(tests/core/test_sql_only_in_core.py fails if another does, or uses .raw(), .extra() or RawSQL).

Below every app, so it imports none: callers pass the models, fields and querysets, and the SQL is built from the
models' meta. Only names from the meta go into the text; every value is a bound parameter (but for the time
bounds of a partition, literals made from datetimes this code computes: core.partitions.plan_time_bounds). The SQL
of the hot paths (a click's insert, a postback's lookup and inserts) is built once per model and connection (cached
builders), not on every request: the ORM's compilation took more time than the queries themselves (measured
with bench/cpu_cost.py).
"""

import functools
import os
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, router

from core.partitions import plan_time_bounds

# --- Inserts --------------------------------------------------------------------------------------------------


def insert_or_ignore(instance):
    """INSERT an unsaved instance unless one of the table's unique constraints already holds a row for it.

    One statement, `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite 3.35+): a conflict is
    not an error, so no savepoint is needed and the caller's transaction goes on. A conflicting row that another
    transaction has not committed yet is waited for. Returns True when the row was inserted (instance.pk is then
    set), False when a unique constraint held one already. Other errors (a CHECK constraint) still raise.
    """
    using = router.db_for_write(type(instance), instance=instance)
    connection = connections[using]
    fields, sql = _insert_or_ignore_sql(type(instance), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, connection))
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(instance, row[0], using)
    return True


def insert_pair_or_ignore(first, second, *, link):
    """One statement (PostgreSQL's data-modifying WITH): INSERT `first` ... ON CONFLICT DO NOTHING, and, only when
    it was inserted, `second` with its foreign key `link` pointing at it. Both rows or neither, without BEGIN and
    COMMIT round trips: a single statement is its own transaction. Returns True when both were inserted (their pks
    set), False when a unique constraint already held a row for `first` (nothing written)."""
    connection = connections[router.db_for_write(type(first), instance=first)]
    fields1, fields2, sql = _insert_pair_sql(type(first), type(second), link, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(first, fields1, connection) + _values(second, fields2, connection))
        row = cursor.fetchone()
    if row is None:
        return False
    second_pk, first_pk = row
    setattr(second, second._meta.get_field(link).attname, first_pk)
    _saved(first, first_pk, connection.alias)
    _saved(second, second_pk, connection.alias)
    return True


def insert_flagged(instances, flag, *, same, within):
    """INSERT unsaved instances of one model in one statement (one commit, outside a transaction) that also sets
    each one's boolean field `flag`: true unless a row with the instance's values in the fields `same` (NULL
    matching NULL) has its field within[0] at or after the instance's own minus within[1] (a timedelta). Rows
    stored before count, and so do the instances before it in the list: of two alike in one call only the first
    can be true. The caller's index over those fields makes the check cheap. Returns the instances, their pk and
    `flag` set."""
    model = type(instances[0])
    using = router.db_for_write(model, instance=instances[0])
    connection = connections[using]
    meta = model._meta
    matched = [meta.get_field(name) for name in same]
    since = meta.get_field(within[0])
    fields, head, tail = _insert_flagged_sql(model, connection, flag)
    positions = [fields.index(f) for f in matched]  # the matched fields' values are among the row's, adapted once
    rows, params, seen = [], [], set()
    for instance in instances:
        values = _values(instance, fields, connection)
        params += values
        key = tuple(getattr(instance, f.attname) for f in matched)
        if key in seen:  # an earlier one in this statement: the NOT EXISTS below would not see it
            rows.append(_flagged_row_sql(model, connection, flag, tuple(same), since.name, None, None))
            continue
        seen.add(key)
        matched_values = [values[i] for i in positions]
        nulls = frozenset(f.name for f, value in zip(matched, matched_values, strict=True) if value is None)
        start = getattr(instance, since.attname) - within[1]
        bounds = plan_time_bounds(model, since.name, start, connection)
        bound = bounds and bounds[0]  # rows at or after start: from its partition on
        rows.append(_flagged_row_sql(model, connection, flag, tuple(same), since.name, nulls, bound))
        params += [value for value in matched_values if value is not None]
        params.append(since.get_db_prep_save(start, connection))
    with connection.cursor() as cursor:
        cursor.execute(head + ", ".join(rows) + tail, params)
        returned = cursor.fetchall()
    # RETURNING gives the rows in the order of VALUES, as Django's bulk_create relies on too.
    for instance, (pk, flag_value) in zip(instances, returned, strict=True):
        setattr(instance, flag, bool(flag_value))
        _saved(instance, pk, using)
    return instances


def _saved(instance, pk, using):
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using


def _insert_fields(model, skip=frozenset()):
    """Every concrete field of model's INSERT but the auto primary key, generated fields and `skip`."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    return [f for f in fields if f.name not in skip]


def _values(instance, fields, connection):
    """The values of an unsaved instance's INSERT, as Django's save() fills them (auto_now fields set, values
    adapted for the backend)."""
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


def _columns(fields, qn):
    return ", ".join(qn(f.column) for f in fields)


@functools.lru_cache(maxsize=64)
def _insert_or_ignore_sql(model, connection):
    qn = connection.ops.quote_name
    fields = _insert_fields(model)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({_columns(fields, qn)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING {qn(model._meta.pk.column)}"
    )
    return fields, sql


@functools.lru_cache(maxsize=64)
def _insert_pair_sql(first, second, link, connection):
    qn = connection.ops.quote_name
    fields1, fields2 = _insert_fields(first), _insert_fields(second, skip={link})
    link_column = qn(second._meta.get_field(link).column)
    # Explicit casts: in a SELECT list PostgreSQL cannot infer a parameter's type from the target column.
    select2 = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields2)
    sql = (
        f"WITH new_first AS (INSERT INTO {qn(first._meta.db_table)} ({_columns(fields1, qn)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields1))}) ON CONFLICT DO NOTHING RETURNING {qn(first._meta.pk.column)}) "
        f"INSERT INTO {qn(second._meta.db_table)} ({_columns(fields2, qn)}, {link_column}) "
        f"SELECT {select2}, new_first.{qn(first._meta.pk.column)} FROM new_first "
        f"RETURNING {qn(second._meta.pk.column)}, {link_column}"
    )
    return fields1, fields2, sql


@functools.lru_cache(maxsize=64)
def _insert_flagged_sql(model, connection, flag):
    """The fields of each row's values, and the SQL before and after the rows of insert_flagged."""
    qn = connection.ops.quote_name
    meta = model._meta
    fields = _insert_fields(model, skip={flag})
    head = f"INSERT INTO {qn(meta.db_table)} ({_columns(fields, qn)}, {qn(meta.get_field(flag).column)}) VALUES "  # noqa: S608
    tail = f" RETURNING {qn(meta.pk.column)}, {qn(meta.get_field(flag).column)}"
    return fields, head, tail


@functools.lru_cache(maxsize=256)
def _flagged_row_sql(model, connection, flag, same, since, nulls, bound):
    """One row of insert_flagged: its values, then NOT EXISTS over the stored rows alike (the fields in `nulls`
    matched with IS NULL, which unlike IS NOT DISTINCT FROM can use an index), or FALSE when nulls is None (an
    earlier row of the same statement is alike). `bound`, a literal at or before the parameter, lets a partitioned
    table's plan leave out the older partitions (core.partitions.plan_time_bounds)."""
    qn = connection.ops.quote_name
    meta = model._meta
    values = ", ".join(["%s"] * len(_insert_fields(model, skip={flag})))
    if nulls is None:
        return f"({values}, FALSE)"
    matches = [
        f"{qn(f.column)} IS NULL" if f.name in nulls else f"{qn(f.column)} = %s"
        for f in (meta.get_field(name) for name in same)
    ]
    matches.append(f"{qn(meta.get_field(since).column)} >= %s")
    if bound is not None:
        matches.append(f"{qn(meta.get_field(since).column)} >= {bound}")
    return f"({values}, NOT EXISTS (SELECT 1 FROM {qn(meta.db_table)} WHERE {' AND '.join(matches)}))"  # noqa: S608


def upsert_count(model, *, key, counter, by=1):
    """Add `by` to the integer field `counter` of the row of `model` whose fields `key` (a dict of attnames to
    values, exactly the fields of one of the table's unique constraints) hold those values, making the row when
    there is none: one `INSERT ... ON CONFLICT (key) DO UPDATE SET counter = counter + by` (PostgreSQL, SQLite
    3.24+), so concurrent callers never lose a count and none of them reads first."""
    connection = connections[router.db_for_write(model)]
    names = tuple(key)
    sql = _upsert_count_sql(model, connection, names, counter)
    meta = model._meta
    params = [meta.get_field(name).get_db_prep_save(key[name], connection) for name in names]
    params += [by, by]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@functools.lru_cache(maxsize=64)
def _upsert_count_sql(model, connection, names, counter):
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [qn(meta.get_field(name).column) for name in names]
    target = qn(meta.get_field(counter).column)
    table = qn(meta.db_table)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, {target}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}, %s) "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {target} = {table}.{target} + %s"
    )


# --- One row of joined models ---------------------------------------------------------------------------------


class Columns:
    """Columns of a model under a table alias in a hand-written SELECT, and how to make an instance (or values) of
    their part of a row as the ORM would: the backend's converters applied (SQLite's text datetimes and decimals),
    then Model.from_db. For hot queries that the ORM would compile anew on every call."""

    def __init__(self, model, alias, connection, fields=None):
        self.model = model
        # In the model's field order, which Model.from_db expects.
        chosen = {model._meta.get_field(name) for name in fields} if fields else None
        self.fields = [f for f in model._meta.concrete_fields if chosen is None or f in chosen]
        self.attnames = {f.attname for f in self.fields}
        qn = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{qn(f.column)}" for f in self.fields)
        self.columns = [f.get_col(alias) for f in self.fields]
        self.converters = [connection.ops.get_db_converters(c) + c.get_db_converters(connection) for c in self.columns]

    def values(self, row, start, connection):
        """This part's values of row (beginning at index start), converted."""
        values = list(row[start : start + len(self.fields)])
        for i, converters in enumerate(self.converters):
            for convert in converters:
                values[i] = convert(values[i], self.columns[i], connection)
        return values

    def instance(self, row, start, connection):
        """A model instance from this part of row; fields not selected are deferred (loaded when first read)."""
        return self.model.from_db(connection.alias, self.attnames, self.values(row, start, connection))


class Found(NamedTuple):
    instance: object  # the row's instance of the lookup's model, its `related` instances set on it
    optional: list | None  # the `optional` model's chosen values (all None when it has no row), or None if not asked
    exists: bool | None  # whether the `exists` model has a row, or None if not asked


class JoinedLookup:
    """One row by one field's value, in a single SELECT: the chosen fields of `model`; of the models its foreign
    keys lead to (`related`: {path: fields}, paths as select_related takes them, a path's parent before it; an
    inner JOIN each, the instances set on their parents as select_related sets them); of `optional` = (model,
    keys, fields), the row of that model whose foreign keys `keys` equal `model`'s fields of the same names (LEFT
    JOIN: at most one such row, its values all None when there is none); and whether `exists` = (model, keys) has
    such a row. Fields not chosen are deferred (loaded when first read). `where` is a field name, or a tuple of
    conditions ANDed, each a field name (equals) or `name__lt` (less than), e.g. a partitioned table's time column
    beside the key, so that PostgreSQL reads one partition (docs/storage.md).

    Create one at import time and call .fetch(value) (a tuple of values for a tuple `where`): its SQL is built
    once per database connection."""

    def __init__(self, model, fields, *, where, related=None, optional=None, exists=None):
        self.model, self.fields = model, fields
        self.where = (where,) if isinstance(where, str) else tuple(where)
        self.single = isinstance(where, str)
        self.related = dict(related or {})
        self.optional, self.exists = optional, exists

    def _params(self, value, connection):
        values = [value] if self.single else list(value)
        fields = [self.model._meta.get_field(condition.partition("__")[0]) for condition in self.where]
        return [f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True)]

    def _bounds(self, value, connection):
        """For each `where` condition, the plan-time bounds of an equality on the partition column (the literals
        of core.partitions.plan_time_bounds), else None."""
        values = [value] if self.single else list(value)
        return tuple(
            None if "__" in condition else plan_time_bounds(self.model, condition, given, connection)
            for condition, given in zip(self.where, values, strict=True)
        )

    def _query(self, value, connection):
        return _joined_query(self, connection, self._bounds(value, connection))

    def explain(self, value, using=DEFAULT_DB_ALIAS):
        """PostgreSQL's EXPLAIN of the lookup for this value, as text (which partitions it reads)."""
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {self._query(value, connection).sql}", self._params(value, connection))
            return "\n".join(row[0] for row in cursor.fetchall())

    def fetch(self, value, using=DEFAULT_DB_ALIAS):
        """The row whose `where` field equals value (a Found), or None."""
        connection = connections[using]  # this thread's connection (the cache key), not the proxy
        query = self._query(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(query.sql, self._params(value, connection))
            row = cursor.fetchone()
        if row is None:
            return None
        start, instances = 0, {}
        for path, part in query.parts:
            instances[path] = part.instance(row, start, connection)
            start += len(part.fields)
        for path, (parent, name) in query.links:
            setattr(instances[parent], name, instances[path])
        optional = None
        if query.optional is not None:
            optional = query.optional.values(row, start, connection)
        exists = bool(row[-1]) if self.exists is not None else None
        return Found(instances[""], optional, exists)


class _JoinedQuery:
    def __init__(self, lookup, connection, bounds):
        qn = connection.ops.quote_name
        root = lookup.model._meta

        def table(model):
            return qn(model._meta.db_table)

        def same(alias, model, keys):
            return " AND ".join(
                f"{alias}.{qn(model._meta.get_field(k).column)} = t0.{qn(root.get_field(k).column)}" for k in keys
            )

        models, aliases = {"": lookup.model}, {"": "t0"}
        self.parts = [("", Columns(lookup.model, "t0", connection, fields=lookup.fields))]
        self.links, joins = [], []
        for i, (path, fields) in enumerate(lookup.related.items(), start=1):
            parent, _, name = path.rpartition("__")
            foreign_key = models[parent]._meta.get_field(name)
            models[path], aliases[path] = foreign_key.related_model, f"t{i}"
            self.parts.append((path, Columns(models[path], aliases[path], connection, fields=fields)))
            self.links.append((path, (parent, name)))
            alias, target = aliases[path], qn(foreign_key.target_field.column)
            joins.append(
                f" JOIN {table(models[path])} {alias} ON {alias}.{target} = {aliases[parent]}.{qn(foreign_key.column)}"
            )
        select = [part.sql for _, part in self.parts]
        self.optional = None
        if lookup.optional is not None:
            model, keys, fields = lookup.optional
            self.optional = Columns(model, "opt", connection, fields=fields)
            select.append(self.optional.sql)
            joins.append(f" LEFT JOIN {table(model)} opt ON {same('opt', model, keys)}")
        if lookup.exists is not None:
            model, keys = lookup.exists
            select.append(f"EXISTS (SELECT 1 FROM {table(model)} ex WHERE {same('ex', model, keys)})")  # noqa: S608
        # The row is found first, in a subquery that says it is one (LIMIT 1), and only then joined: PostgreSQL
        # otherwise estimates a row per partition of a partitioned table and, finding that plan dearer, plans the
        # prepared statement anew on every run (1.2 ms of its CPU per postback, bench/cpu_cost.py) instead of
        # keeping one plan. The bounds, literals, leave the other partitions out of that plan (docs/storage.md,
        # Locks).
        conditions = [_condition(root, condition, qn) for condition in lookup.where]
        for condition, bound in zip(lookup.where, bounds, strict=True):
            if bound is not None:
                column = qn(root.get_field(condition).column)
                conditions += [f"{column} >= {bound[0]}", f"{column} < {bound[1]}"]
        where = " AND ".join(conditions)
        self.sql = (
            f"SELECT {', '.join(select)} FROM (SELECT * FROM {table(lookup.model)} WHERE {where} LIMIT 1) t0"  # noqa: S608
            f"{''.join(joins)}"
        )


def _condition(meta, condition, qn):
    name, _, operator = condition.partition("__")
    return f"{qn(meta.get_field(name).column)} {'<' if operator == 'lt' else '='} %s"


@functools.lru_cache(maxsize=512)
def _joined_query(lookup, connection, bounds):
    """One per lookup, database connection object (one per thread: converters are bound to a backend) and
    partition of the bounds (a postback's click may be of any day of its session)."""
    return _JoinedQuery(lookup, connection, bounds)


# --- Rollups: INSERT ... SELECT -------------------------------------------------------------------------------


def insert_sums(target, key, sums, parts, *, lookup):
    """INSERT INTO target one row per distinct `key`, each field of `sums` summed over the rows of `parts`:
    (queryset, fields) pairs, each queryset's values() naming every column of `key` and the `fields` of `sums` it
    supplies (0 for the others). lookup = (model, key column, column): the row's `column` is that of the model's
    row whose pk the key column holds (a JOIN, and part of the grouping). Rows with a NULL key are left out. One
    INSERT ... SELECT: no row passes through Python. Returns the number of rows written."""
    connection = connections[router.db_for_write(target)]
    qn = connection.ops.quote_name
    model, fk_column, column = lookup
    selects, params = [], []
    for queryset, fields in parts:
        sql, part_params = queryset.query.sql_with_params()
        supplied = [f"q.{qn(name)}" if name in fields else f"0 AS {qn(name)}" for name in sums]
        selects.append(f"SELECT {', '.join([*(f'q.{qn(k)}' for k in key), *supplied])} FROM ({sql}) q")  # noqa: S608
        params += part_params
    keys = ", ".join(f"u.{qn(k)}" for k in key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(target._meta.db_table)} ({', '.join(qn(n) for n in (*key, column, *sums))}) "  # noqa: S608
            f"SELECT {keys}, j.{qn(column)}, {', '.join(f'SUM(u.{qn(n)})' for n in sums)} "
            f"FROM ({' UNION ALL '.join(selects)}) u "
            f"JOIN {qn(model._meta.db_table)} j ON j.{qn(model._meta.pk.column)} = u.{qn(fk_column)} "
            f"WHERE {' AND '.join(f'u.{qn(k)} IS NOT NULL' for k in key)} GROUP BY {keys}, j.{qn(column)}",
            params,
        )
        return cursor.rowcount


def insert_grouped(target, source, key, sums, *, any_of=(), since=None):
    """INSERT INTO target the rows of `source` grouped by the columns `key`: the columns `sums` summed, the
    columns `any_of` taken from any row of the group (their MAX: the caller knows they agree). since = (column,
    value): only source rows whose column is at or after value. One INSERT ... SELECT on either database."""
    connection = connections[router.db_for_write(target)]
    qn = connection.ops.quote_name
    keys = ", ".join(qn(k) for k in key)
    columns = ", ".join(qn(n) for n in (*key, *any_of, *sums))
    select = ", ".join([keys, *(f"MAX({qn(n)})" for n in any_of), *(f"SUM({qn(n)})" for n in sums)])
    where, params = (f"WHERE {qn(since[0])} >= %s", [since[1]]) if since is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(target._meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {select} FROM {qn(source._meta.db_table)} {where} GROUP BY {keys}",
            params,
        )


def analyze(*models):
    """Fresh planner statistics for the models' tables after a bulk rewrite (PostgreSQL; elsewhere nothing)."""
    connection = connections[router.db_for_write(models[0])]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(m._meta.db_table) for m in models)}")


# --- Operations: readiness and disk use -------------------------------------------------------------------------


def database_ping(using=DEFAULT_DB_ALIAS):
    """`SELECT 1` on this thread's connection to `using` (readiness, core/health.py): raises if it can't."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def largest_tables(limit=10, using=DEFAULT_DB_ALIAS):
    """[(table, bytes)] of the biggest tables, largest first: PostgreSQL's pg_total_relation_size (the table with
    its indexes and TOAST) in the current schema. On SQLite there is no size per table: one entry, the database
    file with its write-ahead log (`<name>` and `<name>-wal`)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) AS size FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY size DESC LIMIT %s",
                [limit],
            )
            return [(name, int(size)) for name, size in cursor.fetchall()]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        files = [path for path in (name, f"{name}-wal") if os.path.isfile(path)]
        if not files:  # an in-memory database (the tests')
            return []
        return [
            (os.path.basename(name) + (" (with its WAL)" if len(files) > 1 else ""), sum(map(os.path.getsize, files)))
        ]
    return []
