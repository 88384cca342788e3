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
