"""Alembic's environment: migrate the operational database named by the config (set by `apis.operational.db`)."""

from __future__ import annotations

from alembic import context

from apis.operational.db import engine_for
from apis.operational.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "apis.operational.db.alembic_config sets sqlalchemy.url"

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with engine_for(url).connect() as connection:
        # Batch mode: SQLite cannot ALTER most things, Alembic rebuilds the table instead.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two workers starting together: the second waits here, then finds the schema at head.
                connection.exec_driver_sql("select pg_advisory_xact_lock(2014110100)")
            context.run_migrations()
