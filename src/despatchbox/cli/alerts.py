"""``despatchbox alerts``: add, list, delete and send email alerts."""
from __future__ import annotations

import typer
from rich.table import Table

from ..alerts.model import FREQUENCIES, QUERY_FILTERS
from ..config import settings
from .app import app, console, engine, fail, print_json

alerts_app = typer.Typer(help="Email alerts: saved searches, members and departments sent as digests.",
                         no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


def _parse_filters(values: list[str]) -> dict:
    filters = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            fail(f"--filter takes KEY=VALUE ({', '.join(QUERY_FILTERS)}), not {value!r}")
        filters[key.strip()] = val.strip()
    return filters


@alerts_app.command("add")
def add_command(
    email: str = typer.Option(..., "--email", help="Where the digests go."),
    query: str = typer.Option(None, "--query", help="A saved search, in the search query language."),
    person: str = typer.Option(None, "--person", help="A member's slug (as in /mp/SLUG or /lord/SLUG)."),
    department: str = typer.Option(None, "--department", help="A department's slug (as in /dept/SLUG)."),
    filters: list[str] = typer.Option([], "--filter", help=f"A search filter for --query, KEY=VALUE; "
                                                           f"keys: {', '.join(QUERY_FILTERS)}."),
    frequency: str = typer.Option("immediate", "--frequency",
                                  help=f"{' | '.join(FREQUENCIES)}: after each ingest, once a day, once a week."),
    json_output: bool = typer.Option(False, "--json", help="Print the alert as JSON."),
) -> None:
    """Add an alert, confirmed at once (no confirmation email). It is sent what is ingested from now on."""
    from ..alerts import subscriptions
    from ..alerts.subscriptions import InvalidAlert, describe

    chosen = [(k, v) for k, v in (("query", query), ("person", person), ("department", department)) if v is not None]
    if len(chosen) != 1:
        fail("give exactly one of --query, --person or --department")
    if filters and chosen[0][0] != "query":
        fail("--filter goes with --query")
    kind, target = chosen[0]
    try:
        alert, created = subscriptions.add_alert(engine(), email=email, kind=kind, target=target,
                                                 filters=_parse_filters(filters), frequency=frequency)
    except InvalidAlert as exc:
        fail(str(exc))
    with engine().connect() as conn:
        title = describe(conn, alert)
    if json_output:
        print_json({"id": alert.id, "email": alert.email, "kind": alert.kind, "target": alert.target,
                    "filters": alert.filters, "frequency": alert.frequency, "title": title, "created": created})
        return
    console.print(f"{'added' if created else 'already held'}: alert {alert.id} — {title} → {alert.email} "
                  f"({alert.frequency})")


@alerts_app.command("list")
def list_command(json_output: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """Every alert: address, what it is for, frequency, confirmation, last digest, items sent, last error."""
    from ..alerts import subscriptions
    from ..alerts.subscriptions import describe
    from ..store.queries import alerts as aq

    with engine().connect() as conn:
        rows = aq.list_alerts(conn)
        titles = {r["id"]: describe(conn, subscriptions.Alert.from_row(r)) for r in rows}
    out = []
    for r in rows:
        a = subscriptions.Alert.from_row(r)
        out.append({"id": a.id, "email": a.email, "kind": a.kind, "target": a.target, "filters": a.filters,
                    "title": titles[a.id], "frequency": a.frequency, "confirmed": a.confirmed,
                    "last_sent_at": a.last_sent_at.isoformat() if a.last_sent_at else None,
                    "last_batch": a.last_batch, "items_sent": r["items_sent"], "failures": a.failures,
                    "last_error": a.last_error})
    if json_output:
        print_json(out)
        return
    if not out:
        console.print("no alerts")
        return
    table = Table("id", "email", "alert", "frequency", "confirmed", "last digest", "items sent", "last error")
    for shown in out:
        table.add_row(str(shown["id"]), shown["email"], shown["title"], shown["frequency"],
                      "yes" if shown["confirmed"] else "no", (shown["last_sent_at"] or "—")[:16],
                      str(shown["items_sent"]), shown["last_error"] or "")
    console.print(table)


@alerts_app.command("delete")
def delete_command(alert_id: int = typer.Argument(..., help="The alert's id (see `alerts list`).")) -> None:
    """Delete an alert and the record of what it was sent."""
    from ..alerts import subscriptions

    if not subscriptions.delete(engine(), alert_id):
        fail(f"no alert {alert_id}", 1)
    console.print(f"deleted alert {alert_id}")


@alerts_app.command("send")
def send_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent; send and record nothing."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Send every due alert one digest of what was ingested since its last one (SMTP from
    DESPATCHBOX_SMTP_URL). Exits 1 when a digest could not be sent: it is tried again next time."""
    from ..alerts.mailer import MailError
    from ..alerts.sender import send_alerts

    try:
        report = send_alerts(engine(), settings(), dry_run=dry_run)
    except MailError as exc:
        fail(str(exc))
    if json_output:
        print_json(report.as_dict())
    else:
        for o in report.outcomes:
            line = f"alert {o.alert_id} {o.title} → {o.email}: {o.status}"
            if o.items:
                line += f" ({o.items} item{'s' if o.items != 1 else ''})"
            if o.revisions:
                line += f", {o.revisions} revised item{'s' if o.revisions != 1 else ''} not sent again"
            if o.detail:
                line += f" — {o.detail}"
            typer.echo(line)
        typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)
