"""The CRM SQL store: SQLAlchemy 2 models, one engine factory, Alembic migrations."""
