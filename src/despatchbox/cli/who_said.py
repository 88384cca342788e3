"""``despatchbox who-said FILE|-``: give pasted, unattributed text back its speakers."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import typer

from .app import app, engine, fail, print_json


def _read(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            fail(f"no such file: {source}")
        data = path.read_bytes()
    return data.decode("utf-8", errors="replace")


def _human(result: dict) -> str:
    """The text back, each paragraph under its speaker; unmatched and furniture lines marked."""
    out: list[str] = []
    last = None
    for p in result["paragraphs"]:
        m = p["match"]
        if m is None:
            label = "[page furniture]" if p["furniture"] else "[not found in the record]"
            key = label
        else:
            who = m["display_name"] or m["name"] or "unknown speaker"
            if m["office"]:
                who += f", {m['office']}"
            label = (f"{who}\n    {m['debate_title'] or ''} · {m['chamber']} · {m['date']}"
                     f" · {m['speech_id']} · confidence {m['confidence']:.2f}")
            key = m["speech_id"]
        if key != last:
            out.append("")
            out.append(f"── {label}")
            last = key
        out.extend(textwrap.wrap(p["text"], width=100, initial_indent=f"{p['line']:>4}  ",
                                 subsequent_indent="      ") or [f"{p['line']:>4}"])
    matched = sum(1 for p in result["paragraphs"] if p["match"])
    content = sum(1 for p in result["paragraphs"] if not p["furniture"])
    out.append("")
    out.append(f"{matched} of {content} paragraphs attributed"
               f" ({len(result['paragraphs']) - content} lines of page furniture).")
    if result["debates"]:
        out.append("From:")
        for d in result["debates"]:
            lines = ", ".join(str(n) for n in d["lines"])
            out.append(f"  {d['date']}  {d['chamber']}: {d['title']}  (lines {lines})  {d['id']}")
    return "\n".join(out).lstrip("\n") + "\n"


@app.command("who-said")
def who_said_command(
    source: str = typer.Argument(..., metavar="FILE|-", help="A text file, or - to read standard input."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Name the speaker of every paragraph of text copied from a page of the record.

    Each non-blank line is one paragraph. Page furniture and text not found in the record held
    are reported unmatched, never forced onto a speech.
    """
    from ..web.who_said import TextTooLarge, who_said

    text = _read(source)
    try:
        with engine().connect() as conn:
            result = who_said(conn, text)
    except TextTooLarge as exc:
        fail(str(exc))
    if json_output:
        print_json({"paragraphs": [{"line": p["line"], "text": p["text"], "furniture": p["furniture"],
                                    "match": p["match"]} for p in result["paragraphs"]],
                    "debates": result["debates"]})
        return
    sys.stdout.write(_human(result))
