"""A row and the rows its foreign keys point to, read by primary key with SQL built once per
process (docs/performance.md, "What each change bought").

`Attempt.objects.select_related("round", "round__contest").filter(pk=pk).first()` builds its
SQL on every call: resolving the joins, the ordering `first()` adds and the select list took
a third of the attempt page's CPU, and the same again on the submit and the result. The query
itself is the same either way: one SELECT joined on primary keys. Here the text and the
converters of each column (what the ORM applies to a value read: dates on SQLite, JSON) are
worked out once per model chain and database, and a call is an execute, a fetch and
`Model.from_db`, which gives the same instances the ORM would (the related ones cached on
their parent, as select_related leaves them).

Only the names of the models' tables and columns go into the text; the key is a parameter.
"""

import functools

from django.db import connections, router


@functools.cache
def _plan(model, path: tuple[str, ...], alias: str):
    connection = connections[alias]
    q = connection.ops.quote_name
    models, links, joins = [model], [], []
    current = model
    for i, name in enumerate(path):
        field = current._meta.get_field(name)
        if field.null or not field.many_to_one:
            raise ValueError(f"{current.__name__}.{name} must be a required foreign key")
        target = field.related_model
        joins.append(
            f"INNER JOIN {q(target._meta.db_table)} T{i + 1} ON T{i}.{q(field.column)} = T{i + 1}.{q(field.target_field.column)}"
        )
        links.append(field)
        models.append(target)
        current = target
    columns, parts = [], []
    for i, m in enumerate(models):
        fields = m._meta.concrete_fields
        converters = []
        for f in fields:
            columns.append(f"T{i}.{q(f.column)}")
            col = f.get_col(f"T{i}")
            converters.append((col, tuple(connection.ops.get_db_converters(col) + f.get_db_converters(connection))))
        parts.append((m, [f.attname for f in fields], converters))
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(model._meta.db_table)} T0 {' '.join(joins)} "  # noqa: S608
        f"WHERE T0.{q(model._meta.pk.column)} = %s"
    )
    return sql, parts, links


@functools.cache
def _values_plan(model, fields: tuple[str, ...], by: str, lock: bool, alias: str):
    connection = connections[alias]
    q = connection.ops.quote_name
    columns, converters = [], []
    for name in fields:
        f = model._meta.get_field(name)
        columns.append(q(f.column))
        col = f.get_col(model._meta.db_table)
        converters.append((col, tuple(connection.ops.get_db_converters(col) + f.get_db_converters(connection))))
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(model._meta.db_table)} "  # noqa: S608
        f"WHERE {q(model._meta.get_field(by).column)} = %s"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, converters


def _matchable(field, value, connection) -> bool:
    """Whether `value` can be compared with the column at all: as the ORM does, a number out of
    the column's range matches no row (instead of an error from the driver)."""
    try:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return True  # not an integer column
    return (low is None or value >= low) and (high is None or value <= high)


def values(model, fields: tuple[str, ...], *, by: str, value, lock: bool = False) -> list[tuple]:
    """The `fields` of the `model` rows whose field `by` equals `value`, as tuples (as
    `values_list` gives them, in no particular order); `lock`: SELECT … FOR UPDATE where the
    database has it (inside a transaction)."""
    alias = router.db_for_write(model) if lock else router.db_for_read(model)
    sql, converters = _values_plan(model, fields, by, lock, alias)
    connection = connections[alias]
    field = model._meta.get_field(by)
    value = field.target_field.get_prep_value(value) if field.is_relation else field.get_prep_value(value)
    if not _matchable(field.target_field if field.is_relation else field, value, connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        rows = cursor.fetchall()
    if not any(funcs for _col, funcs in converters):
        return rows
    out = []
    for row in rows:
        row = list(row)
        for n, (col, funcs) in enumerate(converters):
            for func in funcs:
                row[n] = func(row[n], col, connection)
        out.append(tuple(row))
    return out


def get_with_related(model, pk, *path: str):
    """The `model` row of primary key `pk` with the rows along `path` (required foreign keys,
    each from the previous model: "round", "contest"), or None when there is no such row."""
    alias = router.db_for_read(model)
    sql, parts, links = _plan(model, path, alias)
    connection = connections[alias]
    pk = model._meta.pk.get_prep_value(pk)
    if not _matchable(model._meta.pk, pk, connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for m, attnames, converters in parts:
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for n, (col, funcs) in enumerate(converters):
            for func in funcs:
                values[n] = func(values[n], col, connection)
        instances.append(m.from_db(alias, attnames, values))
    for parent, field, child in zip(instances, links, instances[1:], strict=False):
        field.set_cached_value(parent, child)
    return instances[0]


def get_locked(model, pk):
    """The `model` row of primary key `pk`, locked (SELECT … FOR UPDATE where the database has
    it; inside a transaction), without its related rows; None when there is none."""
    attnames = tuple(f.attname for f in model._meta.concrete_fields)
    rows = values(model, attnames, by=model._meta.pk.name, value=pk, lock=True)
    return model.from_db(router.db_for_write(model), attnames, rows[0]) if rows else None
