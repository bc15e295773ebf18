"""Alembic environment: runs on the connection handed in by ``copilot.schema.upgrade`` (or a URL).

The target metadata is the product's one metadata, every model module loaded (``copilot.schema``)."""

from alembic import context
from sqlalchemy import create_engine

from copilot.schema import include_name, metadata

config = context.config
target_metadata = metadata()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        _run(conn)


run()
