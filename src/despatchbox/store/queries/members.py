"""Members data: people, memberships, aliases, constituencies and offices."""
from __future__ import annotations

from sqlalchemy import Connection, String, delete, select, type_coerce, update

from ...ingest.records import Membership
from ..bulk import insert_rows
from ..schema import constituencies, departments, member_aliases, membership_people, memberships, offices, people
from ..short_text import MembershipId, whole


def _replace(conn: Connection, table, rows: list[dict], where=None) -> None:
    """What one members file held is replaced whole by what it holds now."""
    statement = delete(table) if where is None else delete(table).where(where)
    conn.execute(statement)
    if rows:
        insert_rows(conn, table, rows)


def replace_people(conn: Connection, rows: list[dict]) -> None:
    _replace(conn, people, rows)


def replace_memberships(conn: Connection, house: str, rows: list[dict]) -> None:
    _replace(conn, memberships, rows, memberships.c.house == house)


def replace_membership_people(conn: Connection, rows: list[dict]) -> None:
    _replace(conn, membership_people, rows)


def link_memberships_to_people(conn: Connection) -> None:
    """Copy person ids onto memberships (people.xml may be loaded before or after them)."""
    person = (select(membership_people.c.person_id)
              .where(membership_people.c.membership_id == memberships.c.id).scalar_subquery())
    conn.execute(update(memberships).values(person_id=person))


def replace_aliases(conn: Connection, rows: list[dict]) -> None:
    _replace(conn, member_aliases, rows)


def replace_constituencies(conn: Connection, rows: list[dict]) -> None:
    _replace(conn, constituencies, rows)


def replace_offices(conn: Connection, rows: list[dict], id_prefix: str | None = None) -> None:
    """Replace the offices one posts file held: those whose id starts with its prefix (all when None)."""
    _replace(conn, offices, rows, offices.c.id.startswith(id_prefix, autoescape=True) if id_prefix else None)


def replace_departments(conn: Connection, rows: list[dict]) -> None:
    _replace(conn, departments, rows)


def people_slugs(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(people.c.id, people.c.slug)).tuples().all())


def person_of_membership(conn: Connection) -> dict[str, int]:
    """membership id → person id, for every membership people.xml names. The ids are read as stored
    and made whole here, by :func:`..short_text.whole`: through the column type,
    a value at a time, the ~47,000 rows cost ~0.1 s of CPU, and an ingest reads them up to four times."""
    stored_id = type_coerce(membership_people.c.membership_id, String)
    prefix = MembershipId.prefix
    return {whole(mid, prefix): pid for mid, pid in conn.execute(select(stored_id, membership_people.c.person_id))}


def all_memberships(conn: Connection) -> dict[str, Membership]:
    return {r["id"]: _membership(r) for r in conn.execute(select(memberships)).mappings()}


def government_posts(conn: Connection) -> list[tuple[int, str, object, object, str, str | None]]:
    """(person_id, department as printed, from, to, position, source) of every post with a person
    (the attribution rules tell government posts from opposition, PPS and committee ones)."""
    return [tuple(r) for r in conn.execute(
        select(offices.c.person_id, offices.c.department, offices.c.from_date, offices.c.to_date, offices.c.position,
               offices.c.source)
        .where(offices.c.person_id.is_not(None)))]


def people_rows(conn: Connection) -> list[tuple[int, str]]:
    return [tuple(r) for r in conn.execute(select(people.c.id, people.c.name).order_by(people.c.id))]


def latest_memberships(conn: Connection) -> dict[int, Membership]:
    """Each person's most recent Westminster membership (by start date)."""
    latest: dict[int, Membership] = {}
    rows = conn.execute(select(memberships).where(memberships.c.person_id.is_not(None))
                        .order_by(memberships.c.person_id, memberships.c.from_date)).mappings()
    for r in rows:
        latest[r["person_id"]] = _membership(r)
    return latest


def _membership(r) -> Membership:
    return Membership(
        id=r["id"], house=r["house"], title=r["title"], first_name=r["first_name"], last_name=r["last_name"],
        constituency=r["constituency"], party=r["party"], from_date=r["from_date"], to_date=r["to_date"],
        from_why=r["from_why"], to_why=r["to_why"], lord_name=r["lord_name"], lord_of_name=r["lord_of_name"],
        peerage_type=r["peerage_type"])


def update_people_slugs(conn: Connection, slugs: dict[int, str], houses: dict[int, str | None]) -> None:
    """Set every person's slug and house. Two steps, so that swapping slugs between people
    never trips the unique constraint (PostgreSQL checks it row by row)."""
    from sqlalchemy import bindparam
    if not slugs:
        return
    if conn.dialect.name == "postgresql":
        # one COPY into a temporary table and two set-based UPDATEs, not 2 × N statements
        new_slugs = _temp_slugs_table()
        conn.exec_driver_sql("CREATE TEMPORARY TABLE new_slugs (pid INTEGER PRIMARY KEY, slug VARCHAR(200), "
                             "house VARCHAR(10)) ON COMMIT DROP")
        insert_rows(conn, new_slugs, [{"pid": pid, "slug": s, "house": houses.get(pid)} for pid, s in slugs.items()])
        conn.exec_driver_sql("UPDATE people SET slug = '~' || people.id FROM new_slugs n WHERE people.id = n.pid")
        conn.exec_driver_sql("UPDATE people SET slug = n.slug, house = n.house FROM new_slugs n "
                             "WHERE people.id = n.pid")
        conn.exec_driver_sql("DROP TABLE new_slugs")
        return
    conn.execute(update(people).where(people.c.id == bindparam("pid")).values(slug=bindparam("tmp")),
                 [{"pid": pid, "tmp": f"~{pid}"} for pid in slugs])
    conn.execute(update(people).where(people.c.id == bindparam("pid"))
                 .values(slug=bindparam("new_slug"), house=bindparam("new_house")),
                 [{"pid": pid, "new_slug": s, "new_house": houses.get(pid)} for pid, s in slugs.items()])


def _temp_slugs_table():
    from sqlalchemy import Column, Integer, MetaData, String, Table
    return Table("new_slugs", MetaData(), Column("pid", Integer, primary_key=True, autoincrement=False),
                 Column("slug", String(200)), Column("house", String(10)))
