"""The database schema: one metadata for every table, one Alembic history (``copilot/migrations``).

A new, empty database is brought to the newest revision on first use, so the single-machine default needs
no step. A database that holds data at an older revision is refused at start with the one command to run
(``copilot db upgrade``), because upgrading a shared team database is an operator's decision, not a side
effect of whichever worker starts first. Upgrades run under a lock (a Postgres advisory lock, a file lock
beside a SQLite file), so two processes starting on one new database cannot both create its tables.

Adding a table or a column: change the model, then ``python -m copilot.schema revision "what changed"``
writes a revision by comparing the models with a database at the newest revision; read it, then commit it.
``tests/test_schema.py`` fails while any model's table or column is missing from the migrations.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, text

from copilot.core.db import Base
from copilot.core.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
UPGRADE_COMMAND = "copilot db upgrade"
FOREIGN_PREFIXES = ("huey_",)

# Every module that defines tables. tests/test_schema.py imports every module of the product and fails if
# a table shows up that these do not declare, so a new model cannot be left out of the migrations.
MODEL_MODULES = (
    "knowledge.crm.models",
    "knowledge.crm.health_models",
    "copilot.actions.models",
    "copilot.conversations",
    "copilot.jobs",
    "copilot.keys",
    "copilot.chat_state",
    "tools.roleplay.store",
    "tools.forecast.store",
    "knowledge.crm.tags",
    "tools.roleplay.assignments",
)

_PG_LOCK_KEY = 0x5C0B170  # an arbitrary constant: the advisory lock every copilot process takes to migrate


class SchemaBehind(ConfigError):
    """The database holds data at an older schema than this version of the copilot needs."""

    code = "schema_behind"


def metadata() -> MetaData:
    """Every table of the product: those of the models in ``MODEL_MODULES``. A model defined elsewhere
    (imported by chance) is left out here, and tests/test_schema.py names its module."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    md = MetaData()
    tables = {m.local_table for m in Base.registry.mappers if m.class_.__module__ in MODEL_MODULES}
    for table in sorted((t for t in tables if isinstance(t, Table)), key=lambda t: t.name):
        table.to_metadata(md)
    return md


def _config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The newest revision this version of the copilot knows."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:  # two revisions with the same parent: a merge revision is needed
        raise ConfigError(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))})",
                          hint="make the newer revision's down_revision the other head")
    return heads[0]


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str
    tables: int  # tables in the database, the version table left out

    @property
    def state(self) -> str:
        """``current``, ``empty`` (nothing there yet), ``behind`` or ``ahead`` (a newer copilot migrated it)."""
        if self.current == self.head:
            return "current"
        if self.current is None and self.tables == 0:
            return "empty"
        if self.current is not None and self.current not in known_revisions():
            return "ahead"
        return "behind"

    def to_dict(self) -> dict[str, object]:
        return {"current": self.current, "head": self.head, "tables": self.tables, "state": self.state}


def status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != VERSION_TABLE and not _foreign(t)]
    return SchemaStatus(current=current(engine), head=head(), tables=len(tables))


@contextmanager
def _lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time, across processes and machines."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.migrate.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``target`` (idempotent); returns the revisions before and after."""
    from alembic import command

    metadata()
    with _lock(engine):
        before = current(engine)
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
        return before, current(engine)


def drift(engine: Engine, target: MetaData | None = None) -> list[str]:
    """What the models have that the database (at its revision) does not, or the other way round: one
    line per difference (an empty list when the migrations cover every table, column and index)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                     "include_name": include_name})
        diffs = compare_metadata(ctx, target if target is not None else metadata())
    return [_describe(d) for d in diffs]


def _foreign(table: str) -> bool:
    """Tables another library keeps in the same database: the job queue's (huey, on Postgres)."""
    return table.startswith(FOREIGN_PREFIXES)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: leave the foreign tables out of comparisons and autogenerated revisions."""
    return not (type_ == "table" and name is not None and _foreign(name))


def _describe(diff: object) -> str:
    if isinstance(diff, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)
    op, *rest = diff
    named = [r for r in rest if getattr(r, "name", None)]
    table = next((t for t in rest if isinstance(t, str) and t), None)  # add_column: (schema, table, column)
    if table is None:
        table = next((r.table.name for r in named if getattr(r, "table", None) is not None), None)
    what = " ".join(str(r.name) for r in named)
    return f"{op} {what} on {table}" if table and op != "add_table" and table != what else f"{op} {what}"


def ensure(engine: Engine) -> None:
    """At start: create an empty database's tables; refuse one whose schema is behind or ahead."""
    st = status(engine)
    if st.state == "current":
        return
    if st.state == "empty":
        upgrade(engine)
        return
    if st.state == "ahead":
        raise ConfigError(f"the database was migrated by a newer copilot (revision {st.current}; this one knows "
                          f"up to {st.head})", hint="run the newer version of the copilot")
    at = f"revision {st.current}" if st.current else "no recorded revision"
    raise SchemaBehind(f"the database schema is behind this copilot ({at}, needs {st.head})",
                       hint=f"run '{UPGRADE_COMMAND}' once, after a backup")


def revision(message: str) -> Path:
    """Write a new revision holding what the models have and the migrations do not (for developers)."""
    from alembic import command

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/head.db")
        upgrade(engine)
        cfg = _config()
        cfg.set_main_option("file_template", "%%(rev)s")
        words = "".join(c if c.isalnum() else " " for c in message.lower()).split()
        number = len(known_revisions()) + 1
        slug = "_".join(words)[:27].strip("_")  # alembic_version holds 32 characters
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            script = command.revision(cfg, message=message, autogenerate=True, rev_id=f"{number:04d}_{slug}")
        engine.dispose()
    path = Path(script.path) if script is not None and not isinstance(script, list) else MIGRATIONS
    return path


if __name__ == "__main__":  # python -m copilot.schema revision "add the health tables"
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m copilot.schema revision "what changed"')
    print(revision(sys.argv[2]))
