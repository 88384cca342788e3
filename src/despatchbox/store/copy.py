"""Copying a whole database between backends (SQLite ⇄ PostgreSQL) without re-ingesting.

Both databases are first brought to the latest migrations, so they have the same
tables. Then, in ONE transaction on the target (it ends up with everything or nothing):

1. every table both hold is copied in dependency order (parents before children), read
   from a consistent snapshot of the source in batches (streamed, never all in memory)
   and written with ``bulk.insert_rows`` (COPY on PostgreSQL);
2. tables derived from others are not copied but rebuilt: the search tables (``search_*``:
   the list of items to index, the removals, the installation id) through
   ``store.search.service.rebuild_index``, under a new installation id, so that the tantivy
   index outside the target rebuilds itself; triggers are switched off while copying so that
   each row is listed once, by the rebuild (PostgreSQL's speeches are the exception: the trigger that
   gives each its item id, in its own row since migration 0031, runs as the rows are written);
3. PostgreSQL sequences (serial / identity ids) are moved past the copied ids;
4. every table's row count is compared with the source's; any difference rolls it all back;
5. the who-said index's two biggest levels change shape between them (PostgreSQL holds them in blocks
   of postings, ``store/queries/fingerprint_blocks.py``): into SQLite the blocks are written out as
   rows of their levels; into PostgreSQL the rows land in the levels' tables and are merged into
   their blocks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from sqlalchemy import Connection, MetaData, Table, func, select, text
from sqlalchemy.engine import Engine

from .bulk import insert_rows
from .queries import fingerprint_blocks, fingerprint_levels
from .search.index_marks import POSTGRES_LISTING_TRIGGER

#: tables never copied: Alembic's bookkeeping (the target has its own)
SKIP_TABLES = {"alembic_version"}
#: tables rebuilt on the target instead of copied (their layout differs between backends)
DERIVED_PREFIXES = ("search_",)
#: rows read and written per batch
BATCH_ROWS = 5000


class CopyError(RuntimeError):
    pass


@dataclass
class CopyReport:
    tables: dict[str, int] = field(default_factory=dict)     # rows copied per table
    rebuilt: list[str] = field(default_factory=list)          # derived indexes rebuilt
    skipped: list[str] = field(default_factory=list)          # tables only one side has

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


class CopyProgress(Protocol):
    """What the copy tells about its progress (the CLI shows a Rich bar, a class of its own that
    needs nothing of this module's)."""

    def start(self, total_rows: int, tables: dict[str, int]) -> None: ...
    def table(self, name: str, rows: int) -> None: ...
    def advance(self, rows: int) -> None: ...
    def step(self, message: str) -> None: ...
    def finish(self) -> None: ...


class SilentProgress:
    """A :class:`CopyProgress` that tells nothing."""

    def start(self, total_rows: int, tables: dict[str, int]) -> None: ...
    def table(self, name: str, rows: int) -> None: ...
    def advance(self, rows: int) -> None: ...
    def step(self, message: str) -> None: ...
    def finish(self) -> None: ...


def _is_derived(name: str) -> bool:
    return name.startswith(DERIVED_PREFIXES)


def _reflect(conn: Connection) -> MetaData:
    md = MetaData()
    md.reflect(bind=conn, views=False)
    return md


def _count(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def tables_to_copy(src: MetaData, dst: MetaData) -> tuple[list[str], list[str]]:
    """Names to copy, parents first (the target's foreign keys decide), and names only one side has."""
    wanted = [t.name for t in dst.sorted_tables
              if t.name in src.tables and t.name not in SKIP_TABLES and not _is_derived(t.name)]
    skipped = sorted((set(src.tables) ^ set(dst.tables)) - SKIP_TABLES)
    skipped = [n for n in skipped if not _is_derived(n)]
    return wanted, skipped


def _copy_columns(src_table: Table, dst_table: Table) -> list[str]:
    return [c.name for c in dst_table.columns if c.name in src_table.c and c.computed is None]


def _order_by(table: Table) -> list:
    """By primary key where there is one (ids keep their order); tables without one as stored."""
    return list(table.primary_key.columns)


def copy_database(source: Engine, target: Engine, progress: CopyProgress | None = None, replace: bool = False,
                  batch_rows: int = BATCH_ROWS,
                  rebuild_search: Callable[[Connection], None] | None = None) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (both at the latest migrations).

    The target must hold no rows in the copied tables unless ``replace`` is set, in which
    case they are emptied first (in the same transaction).
    """
    progress = progress or SilentProgress()
    if rebuild_search is None:
        rebuild_search = _search_rebuilder()
    report = CopyReport()
    with source.connect() as src_conn:
        if source.dialect.name == "postgresql":
            src_conn = src_conn.execution_options(isolation_level="REPEATABLE READ")
        with src_conn.begin():               # one snapshot of the source for reading and counting
            src_md = _reflect(src_conn)
            with target.begin() as dst_conn:
                dst_md = _reflect(dst_conn)
                names, report.skipped = tables_to_copy(src_md, dst_md)
                counts = {n: _count(src_conn, src_md.tables[n]) for n in names}
                progress.start(sum(counts.values()), counts)
                _prepare_target(dst_conn, dst_md, names, replace)
                restore_triggers = _disable_triggers(dst_conn, dst_md, names)
                for name in names:
                    progress.table(name, counts[name])
                    report.tables[name] = _copy_table(src_conn, dst_conn, src_md.tables[name], dst_md.tables[name],
                                                      batch_rows, progress)
                restore_triggers()
                if target.dialect.name == "postgresql":
                    _advance_sequences(dst_conn, [dst_md.tables[n] for n in names])
                if rebuild_search is not None and any(_is_derived(n) for n in dst_md.tables):
                    progress.step("rebuilding the search index")
                    rebuild_search(dst_conn)
                    report.rebuilt.append("search")
                progress.step("checking row counts")
                wrong = {n: (counts[n], _count(dst_conn, dst_md.tables[n])) for n in names}
                wrong = {n: c for n, c in wrong.items() if c[0] != c[1]}
                if wrong:
                    raise CopyError("row counts differ after copying (source, target): "
                                    + ", ".join(f"{n} {a}≠{b}" for n, (a, b) in wrong.items()))
                _fingerprints_reshaped(src_conn, dst_conn, src_md, dst_md, report, progress)
    progress.finish()
    return report


def _search_rebuilder() -> Callable[[Connection], None] | None:
    from .search.service import rebuild_index

    return rebuild_index


def _prepare_target(conn: Connection, md: MetaData, names: list[str], replace: bool) -> None:
    held = [n for n in names if conn.execute(select(md.tables[n].c[0]).limit(1)).first() is not None]
    if not held:
        return
    if not replace:
        raise CopyError(f"the target database is not empty ({', '.join(held)}); "
                        "copy into a new database, or pass --replace to empty it first")
    if conn.dialect.name == "postgresql":
        derived = [n for n in md.tables if _is_derived(n)]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names + derived) + " RESTART IDENTITY"))
        return
    for name in reversed(names):      # children first
        conn.execute(md.tables[name].delete())


def _disable_triggers(conn: Connection, md: MetaData, names: list[str]) -> Callable[[], None]:
    """Switch off the target's triggers on copied tables (the rebuild does their work once);
    returns the function that switches them back on, in the same transaction."""
    if conn.dialect.name == "postgresql":
        # USER triggers only: foreign keys (system triggers) stay checked
        for name in names:
            conn.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER USER'))
        if "speeches" in names:
            # but a speech's search item id is handed out as its row is written (0031): given after,
            # it would rewrite every row
            conn.execute(text(f'ALTER TABLE speeches ENABLE TRIGGER "{POSTGRES_LISTING_TRIGGER}"'))

        def enable() -> None:
            for name in names:
                conn.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER USER'))
        return enable
    if conn.dialect.name == "sqlite":
        # SQLite cannot disable a trigger: drop it and create it again from its own SQL
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                                     "(" + ", ".join(f"'{n}'" for n in names) + ")")).all() if names else []
        for trigger_name, _sql in triggers:
            conn.execute(text(f'DROP TRIGGER "{trigger_name}"'))

        def recreate() -> None:
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
        return recreate
    return lambda: None


def _copy_table(src_conn: Connection, dst_conn: Connection, src_table: Table, dst_table: Table, batch_rows: int,
                progress: CopyProgress) -> int:
    columns = _copy_columns(src_table, dst_table)
    query = select(*[src_table.c[c] for c in columns]).order_by(*_order_by(src_table))
    result = src_conn.execution_options(stream_results=True, yield_per=batch_rows).execute(query)
    copied = 0
    for batch in result.partitions(batch_rows):
        rows = [dict(zip(columns, r)) for r in batch]
        insert_rows(dst_conn, dst_table, rows)
        copied += len(rows)
        progress.advance(len(rows))
    return copied


def _fingerprints_reshaped(src_conn: Connection, dst_conn: Connection, src_md: MetaData, dst_md: MetaData,
                           report: CopyReport, progress: CopyProgress) -> None:
    """Step 5 of the module's note: the who-said index's blocks (PostgreSQL) written out as rows of
    their levels into a target without them (SQLite), each level's postings counted against the
    source's; or the rows copied into PostgreSQL's levels kept in blocks merged into their blocks."""
    for level, held in fingerprint_levels.BLOCKS_OF.items():
        if held.name in src_md.tables and held.name not in dst_md.tables and level in dst_md.tables:
            progress.step(f"writing the who-said index's {held.name} as rows")
            written = 0
            for part in fingerprint_blocks.block_rows(src_conn, held):
                dst_conn.exec_driver_sql(f"INSERT INTO {level} (hash, speech_key) VALUES (?, ?)", part)
                written += len(part)
            if written != fingerprint_blocks.count_postings(src_conn, held):
                raise CopyError(f"the who-said index's postings differ after copying {held.name}: {written} written")
            report.tables[level] = report.tables.get(level, 0) + written
            report.skipped.remove(held.name)
    if fingerprint_levels.in_blocks(dst_conn):
        progress.step("packing the who-said index into blocks")
        fingerprint_levels.pack_levels(dst_conn)


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Serial and identity columns: the next id handed out follows the largest one copied."""
    for table in tables:
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": f'"{table.name}"', "c": column.name}).scalar()
            if seq is None:
                continue
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                              f'false)'), {"s": seq})
