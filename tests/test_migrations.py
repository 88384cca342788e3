"""Migrations form one line: one head, and a fresh database upgrades to it."""
from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from despatchbox.store import database


def test_one_head(fresh_engine):
    script = ScriptDirectory.from_config(database.alembic_config(fresh_engine))
    assert len(script.get_heads()) == 1
    assert database.current_heads(fresh_engine) == set(script.get_heads())


def test_every_revision_but_the_first_revises_a_revision():
    engine = create_engine("sqlite://")
    script = ScriptDirectory.from_config(database.alembic_config(engine))
    revisions = list(script.walk_revisions())
    assert sum(1 for r in revisions if r.down_revision is None) == 1


def test_schema_declares_every_table_the_database_holds(fresh_engine):
    from sqlalchemy import inspect

    from despatchbox.store.schema import metadata

    held = set(inspect(fresh_engine).get_table_names()) - {"alembic_version"}
    # FTS5's own shadow tables and virtual tables are the search engine's, declared by its migration
    held = {t for t in held if not t.startswith(("search_", "speeches_fts", "people_fts"))
            and not t.endswith(("_data", "_idx", "_docsize", "_config", "_content"))}
    assert held - set(metadata.tables) == set()
