"""Alembic environment: the engine is handed in by app.models.migrate, never built here."""

from __future__ import annotations

from alembic import context

from app.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only through app.models.migrate
    raise RuntimeError("run migrations through app.models.migrate.upgrade(engine)")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
