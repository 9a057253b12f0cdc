from django.db import connections, models, router
from django.db.models.sql import InsertQuery


class TimestampedModel(models.Model):
    """Abstract base: when a row was made (indexed, most lists sort by it) and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def assign_and_save(instance, fields, allowed):
    """Set the given fields (only those a service allows), validate the whole row, save it."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def insert_or_ignore(instance):
    """INSERT an unsaved instance unless one of the table's unique constraints already holds a row for it.

    One statement, `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite 3.35+): a conflict is
    not an error, so no savepoint is needed and the caller's transaction goes on. A conflicting row that another
    transaction has not committed yet is waited for. Returns True when the row was inserted (instance.pk is then
    set), False when a unique constraint held one already. Other errors (a CHECK constraint) still raise.
    """
    model = type(instance)
    meta = model._meta
    using = router.db_for_write(model, instance=instance)
    connection = connections[using]
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    query = InsertQuery(model)
    query.insert_values(fields, [instance])
    ((sql, params),) = query.get_compiler(using=using).as_sql()
    sql = f"{sql} ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = using
    return True


def _insert_columns(instance, connection, skip=()):
    """(quoted columns, database types, prepared values) of an unsaved instance's INSERT, as Django's save() fills
    them (auto_now fields set, values adapted for the backend)."""
    meta = instance._meta
    fields = [
        f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated and f.name not in skip
    ]
    columns = [connection.ops.quote_name(f.column) for f in fields]
    types = [f.db_type(connection) for f in fields]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    return columns, types, values


def insert_pair_or_ignore(first, second, *, link):
    """One statement (PostgreSQL's data-modifying WITH): INSERT `first` ... ON CONFLICT DO NOTHING, and, only when
    it was inserted, `second` with its foreign key `link` pointing at it. Both rows or neither, without BEGIN and
    COMMIT round trips: a single statement is its own transaction. Returns True when both were inserted (their pks
    set), False when a unique constraint already held a row for `first` (nothing written)."""
    connection = connections[router.db_for_write(type(first), instance=first)]
    qn = connection.ops.quote_name
    link_column = qn(second._meta.get_field(link).column)
    columns1, _, values1 = _insert_columns(first, connection)
    columns2, types2, values2 = _insert_columns(second, connection, skip={link})
    # Explicit casts: in a SELECT list PostgreSQL cannot infer a parameter's type from the target column. Only names
    # and types from the models' meta go into the text; every value is a bound parameter.
    select2 = ", ".join(f"CAST(%s AS {db_type})" for db_type in types2)
    sql = (
        f"WITH new_first AS (INSERT INTO {qn(first._meta.db_table)} ({', '.join(columns1)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(values1))}) ON CONFLICT DO NOTHING RETURNING {qn(first._meta.pk.column)}) "
        f"INSERT INTO {qn(second._meta.db_table)} ({', '.join(columns2)}, {link_column}) "
        f"SELECT {select2}, new_first.{qn(first._meta.pk.column)} FROM new_first "
        f"RETURNING {qn(second._meta.pk.column)}, {link_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values1 + values2)
        row = cursor.fetchone()
    if row is None:
        return False
    second.pk, first.pk = row
    setattr(second, second._meta.get_field(link).attname, first.pk)
    for instance in (first, second):
        instance._state.adding = False
        instance._state.db = connection.alias
    return True
