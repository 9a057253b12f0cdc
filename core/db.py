import functools

from django.db import connections, models, router


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
    using = router.db_for_write(type(instance), instance=instance)
    connection = connections[using]
    fields, sql = _insert_or_ignore_sql(type(instance), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, connection))
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = using
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
    second.pk, first.pk = row
    setattr(second, second._meta.get_field(link).attname, first.pk)
    for instance in (first, second):
        instance._state.adding = False
        instance._state.db = connection.alias
    return True


# The SQL of these inserts is worked out once per model and connection, not on every hot-path insert; only names
# and types from the models' meta go into the text, every value is a bound parameter.


def _insert_fields(model, skip=frozenset()):
    """Every concrete field of model's INSERT but the auto primary key, generated fields and `skip`."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    return [f for f in fields if f.name not in skip]


def _values(instance, fields, connection):
    """The values of an unsaved instance's INSERT, as Django's save() fills them (auto_now fields set, values
    adapted for the backend)."""
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


@functools.lru_cache(maxsize=64)
def _insert_or_ignore_sql(model, connection):
    qn = connection.ops.quote_name
    fields = _insert_fields(model)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
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
        f"WITH new_first AS (INSERT INTO {qn(first._meta.db_table)} ({', '.join(qn(f.column) for f in fields1)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields1))}) ON CONFLICT DO NOTHING RETURNING {qn(first._meta.pk.column)}) "
        f"INSERT INTO {qn(second._meta.db_table)} ({', '.join(qn(f.column) for f in fields2)}, {link_column}) "
        f"SELECT {select2}, new_first.{qn(first._meta.pk.column)} FROM new_first "
        f"RETURNING {qn(second._meta.pk.column)}, {link_column}"
    )
    return fields1, fields2, sql


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
