"""Alembic environment: runs migrations on the engine handed over by ``storage.db``."""

from alembic import context

from proactief.storage.tables import metadata, ours

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_name=ours,
    )
    with context.begin_transaction():
        context.run_migrations()
