"""``despatchbox quote-check [TEXT] [--file F | -]``: check a published quote against the record."""
from __future__ import annotations

import sys
import textwrap
from datetime import datetime
from pathlib import Path

import typer

from .app import app, engine, fail, print_json

_LABELS = {"verbatim": "VERBATIM", "abridged": "ABRIDGED", "altered": "ALTERED",
           "said_by_someone_else": "SAID BY SOMEONE ELSE", "widely_said": "WIDELY SAID", "not_found": "NOT FOUND"}


def _text(text: str | None, file: str | None) -> str:
    if text is not None and file is not None:
        fail("give the quote as an argument or with --file, not both")
    if text == "-" or file == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    if file is not None:
        path = Path(file)
        if not path.is_file():
            fail(f"no such file: {file}")
        return path.read_bytes().decode("utf-8", errors="replace")
    if text is None:
        if sys.stdin.isatty():
            fail("give the quote as an argument, with --file FILE, or on standard input (-)")
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return text


def _day(value: str | None, name: str):
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--{name} must be a date YYYY-MM-DD, not {value!r}")


def _cite(c: dict) -> str:
    bits = [c["speaker"] or "unknown speaker"]
    if c["office"]:
        bits[0] += f", {c['office']}"
    bits.append(f"{c['item'] or c['debate_title'] or ''} · {c['chamber']} · {c['date']}"
                + (f" · col. {c['column']}" if c["column"] else "") + (f" · {c['time'][:5]}" if c["time"] else ""))
    bits.append(f"{c['speech_id']}  {c['web_url']}" + (f"\n      {c['source_url']}" if c["source_url"] else ""))
    return "\n      ".join(bits)


def _human(result: dict) -> str:
    out = []
    for s in result["sentences"]:
        out.append(textwrap.fill(f"“{s['text']}”", width=100))
        out.append(f"  → {_LABELS[s['verdict']]}: {s['reason']}")
        m = s["match"]
        if m:
            marked = []
            for d in m["differences"]:
                if d["op"] == "same":
                    marked.append(d["official"])
                elif d["op"] == "omitted":
                    marked.append(f"[-{d['official']}-]")
                elif d["op"] == "added":
                    marked.append(f"{{+{d['quoted']}+}}")
                else:
                    marked.append(f"[-{d['official']}-]{{+{d['quoted']}+}}")
            out.append(textwrap.fill("official: " + " ".join(marked), width=100, initial_indent="    ",
                                     subsequent_indent="      "))
            out.append("    " + _cite(m["citation"]))
        for o in s["others"]:
            out.append("    also: " + _cite(o["citation"]))
        if s["more"]:
            out.append(f"    … and {s['more']} more contributions with these words")
        out.append("")
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in result["summary"].items() if n)
    out.append(f"{len(result['sentences'])} sentence(s): {counts or 'none'}")
    return "\n".join(out) + "\n"


@app.command("quote-check")
def quote_check_command(
    text: str = typer.Argument(None, metavar="[TEXT|-]", help="The quote; - (or nothing) reads standard input."),
    file: str = typer.Option(None, "--file", "-f", help="Read the quote from a file (- for standard input)."),
    speaker: str = typer.Option(None, "--speaker", "-s", help="Who the quote is attributed to."),
    date_from: str = typer.Option(None, "--from", help="Only the record on or after this day (YYYY-MM-DD)."),
    date_to: str = typer.Option(None, "--to", help="Only the record on or before this day (YYYY-MM-DD)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (as POST /api/v1/quote-check)."),
) -> None:
    """Check a published quote against the record: for each sentence, verbatim, abridged, altered, said
    by someone else, widely said or not found — with the official wording and a citation."""
    from ..web.quote_check import QuoteTooLarge, quote_check

    quote = _text(text, file)
    if not quote.strip():
        fail("the quote is empty")
    since, until = _day(date_from, "from"), _day(date_to, "to")
    try:
        with engine().connect() as conn:
            result = quote_check(conn, quote, speaker=speaker, since=since, until=until)
    except QuoteTooLarge as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    if json_output:
        print_json(result)
        return
    sys.stdout.write(_human(result))
