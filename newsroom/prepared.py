"""
QuerySets compiled once per process, for the few statements every write runs.

Django turns a QuerySet into SQL each time it runs it: resolving lookups, joins and expressions
costs 0.3 to 1 ms, where SQLite runs the statement itself in a few hundredths of that. On the write
path (the story lookup, the ban and repeated-text rules, the reaction rows and tallies, the page
version) that compilation was most of a request's time.

`@prepared` keeps the QuerySet the one place a rule is written and only saves the compilation:
the decorated function is called once per process with marker values in place of its arguments,
the SQL it compiles to is kept, and every later call runs that SQL with the real values in the
markers' places. Arguments that change the shape of the SQL rather than a value (None, "", 0,
True, False) are passed through as they are, and each such shape is compiled once.

    @prepared
    def published_story(slug, now):
        return Article.objects.published(now=now).filter(slug=slug)

    published_story.objects("the-slug", timezone.now())  # model instances, as raw() gives
    published_story.rows(...)                            # tuples, as the database returns them
    published_story.first_row(...)
    published_story.values(...)                          # tuples, converted as values_list()

For an UPDATE, return `update(queryset, field=value, ...)`, for a DELETE `delete(queryset)`;
`.execute(...)` then gives the row count. Values must reach the SQL unchanged (exact and range
lookups, F() arithmetic, assignments): a lookup that rewrites its value, such as `contains`, is
refused when the statement is prepared.
"""

import functools
from datetime import UTC, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import sql

# Marker values, unique per argument. The integer stays inside a 32-bit column's range, since
# Django turns an out-of-range lookup into "no rows" rather than SQL.
_INT_MARKER = 2_147_480_000
_DATETIME_MARKER = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def update(queryset, **values):
    """Return the UPDATE that `queryset.update(**values)` would run, for `@prepared`."""
    query = queryset.query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    query.clear_select_clause()
    return query


def delete(queryset):
    """Return the DELETE of the rows `queryset` selects, for `@prepared`.

    A plain SQL DELETE, as `QuerySet._raw_delete()` runs: no cascade and no signals, so only for
    rows nothing else points at.
    """
    query = queryset.query.clone()
    query.__class__ = sql.DeleteQuery
    return query


class Statement:
    """One compiled shape: the SQL, and where each argument goes among its parameters."""

    def __init__(self, compiled, model, slots, compiler=None):
        self.sql, self.params = compiled
        self.model = model
        self.slots = slots  # {parameter index: (argument index, adapt)}
        select = (compiler and compiler.select) or ()
        # {column index: (converters, expression)}: what the ORM turns each column into.
        self.converters = (
            list(compiler.get_converters([c[0] for c in select]).items()) if select else []
        )
        # For a SELECT of model rows: the model's fields among the columns, as the ORM builds
        # instances from them (without the overhead of raw()), and any annotations.
        self.instances = None
        if select and (klass := compiler.klass_info) and not klass.get("related_klass_infos"):
            start, end = klass["select_fields"][0], klass["select_fields"][-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            self.instances = (klass["model"], start, end, names, compiler.annotation_col_map)

    def bind(self, args):
        params = list(self.params)
        for index, (argument, adapt) in self.slots.items():
            params[index] = adapt(args[argument])
        return params


class Prepared:
    def __init__(self, build, using=DEFAULT_DB_ALIAS):
        functools.update_wrapper(self, build)
        self.build = build
        self.using = using
        self.statements = {}

    def _statement(self, args):
        shape = tuple(
            type(arg) if arg and not isinstance(arg, bool) else (type(arg), arg) for arg in args
        )
        statement = self.statements.get(shape)
        if statement is None:
            statement = self.statements[shape] = self._compile(args)
        return statement

    def _compile(self, args):
        connection = connections[self.using]
        markers, adapters = [], []
        for position, arg in enumerate(args):
            if not arg or isinstance(arg, bool):
                markers.append(arg)
                adapters.append(None)
            elif isinstance(arg, str):
                markers.append(f"\x1fprepared-argument-{position}\x1f")
                adapters.append(str)
            elif isinstance(arg, int):
                markers.append(_INT_MARKER + position)
                adapters.append(int)
            elif isinstance(arg, datetime):
                markers.append(_DATETIME_MARKER + timedelta(microseconds=position))
                adapters.append(connection.ops.adapt_datetimefield_value)
            else:
                raise TypeError(f"{self.__name__}: cannot prepare an argument of {type(arg)}")
        built = self.build(*markers)
        query = built if isinstance(built, sql.Query) else built.query
        compiler = query.get_compiler(self.using)
        try:
            compiled = compiler.as_sql()
        except EmptyResultSet:
            raise ValueError(
                f"{self.__name__}: compiles to no SQL with marker values; is an argument used "
                "against a column too small for 32-bit integers?"
            ) from None
        sought = {
            adapt(marker): (position, adapt)
            for position, (marker, adapt) in enumerate(zip(markers, adapters, strict=True))
            if adapt is not None
        }
        slots = {}
        for index, param in enumerate(compiled[1]):
            try:
                found = sought.get(param)
            except TypeError:  # an unhashable parameter is a constant, not an argument
                found = None
            if found is not None:
                slots[index] = found
        missing = set(sought.values()) - set(slots.values())
        if missing:
            raise ValueError(
                f"{self.__name__}: arguments {sorted(p for p, _ in missing)} do not reach the "
                "SQL unchanged; use exact lookups or assignments for them"
            )
        return Statement(compiled, query.model, slots, compiler)

    def _run(self, args):
        statement = self._statement(args)
        cursor = connections[self.using].cursor()
        cursor.execute(statement.sql, statement.bind(args))
        return cursor

    def rows(self, *args):
        """Run the SELECT; return its rows as the database gives them (no field conversion)."""
        with self._run(args) as cursor:
            return cursor.fetchall()

    def first_row(self, *args):
        with self._run(args) as cursor:
            return cursor.fetchone()

    def values(self, *args):
        """Run the SELECT; return its rows converted to Python values, as values_list() does."""
        return self._converted(self._statement(args), args)

    def _converted(self, statement, args):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.bind(args))
            rows = cursor.fetchall()
        if not statement.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in statement.converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            converted.append(tuple(row))
        return converted

    def objects(self, *args):
        """Run the SELECT of whole rows; return model instances, as the QuerySet would."""
        statement = self._statement(args)
        if statement.instances is None:  # a shape the ORM's own iteration is not copied for
            manager = statement.model._default_manager.db_manager(self.using)
            return list(manager.raw(statement.sql, statement.bind(args)))
        model, start, end, names, annotations = statement.instances
        found = []
        for row in self._converted(statement, args):
            instance = model.from_db(self.using, names, row[start:end])
            for name, position in annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def first(self, *args):
        found = self.objects(*args)
        return found[0] if found else None

    def execute(self, *args):
        """Run the UPDATE or DELETE; return the number of rows it changed."""
        with self._run(args) as cursor:
            return cursor.rowcount


def prepared(build=None, *, using=DEFAULT_DB_ALIAS):
    """Decorate a function returning a QuerySet (or `update(...)`) to compile it once."""
    if build is None:
        return functools.partial(prepared, using=using)
    return Prepared(build, using=using)
