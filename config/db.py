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
