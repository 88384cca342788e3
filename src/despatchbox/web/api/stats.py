"""/stats: what is stored."""
from __future__ import annotations

from fastapi import APIRouter

from ...store.queries.stats import stats
from .common import ERROR_RESPONSES, Conn
from .models import Stats

router = APIRouter(tags=["stats"], responses=ERROR_RESPONSES)


@router.get("/stats", response_model=Stats, response_model_exclude_unset=True, summary="What is stored")
def get_stats(conn: Conn):
    """Counts by kind of record over the current version of each file, and of the members data: the same
    object as `despatchbox stats --json`."""
    return stats(conn)
