"""/reference: the OpenAPI schema as one plain HTML page — every endpoint, parameter and response
field — that needs no JavaScript and nothing from outside. Descriptions are Markdown, rendered with
markdown-it (raw HTML in them is escaped, not passed through)."""
from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

router = APIRouter(include_in_schema=False)

_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
h2{margin-top:2.5rem;border-top:2px solid #333;padding-top:.5rem}h3{margin-bottom:.25rem}"""


def _type(schema: dict) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type(s) for s in schema[key])
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"map of {_type(schema['additionalProperties'])}"
    if "enum" in schema:
        return " | ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
    if "const" in schema:
        return f"<code>{escape(str(schema['const']))}</code>"
    fmt = schema.get("format")
    return escape(f"{kind} ({fmt})" if fmt else str(kind))


_markdown = MarkdownIt("commonmark", {"html": False})


def _text(value: str | None) -> str:
    """A one-paragraph description as inline Markdown (`code`, *emphasis*, links); HTML escaped."""
    return _markdown.renderInline(value or "")


def _blocks(value: str | None) -> str:
    """A longer description (paragraphs, bullet lists) as Markdown blocks; HTML escaped."""
    return _markdown.render(value or "")


def render(schema: dict, base: str) -> str:
    info = schema.get("info", {})
    out = [f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(info.get('title', ''))}"
           f"</title><style>{_STYLE}</style></head><body><h1>{escape(info.get('title', ''))} "
           f"{escape(info.get('version', ''))}</h1>",
           _blocks(info.get("description")),
           f"<p>Machine-readable: <a href='{base}/openapi.json'>openapi.json</a>. Interactive: "
           f"<a href='{base}/docs'>{base}/docs</a>.</p><h2>Endpoints</h2>"]
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            out.append(f"<h3 id='{escape(op.get('operationId', path))}'><code>{method.upper()} {base}"
                       f"{escape(path)}</code></h3><p><b>{escape(op.get('summary', ''))}</b>. "
                       f"</p>{_blocks(op.get('description', ''))}")
            params = op.get("parameters", [])
            if params:
                out.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>")
                for p in params:
                    req = " (required)" if p.get("required") else ""
                    out.append(f"<tr><td><code>{escape(p['name'])}</code>{req}</td><td>{escape(p['in'])}</td>"
                               f"<td>{_type(p.get('schema', {}))}</td>"
                               f"<td>{_text(p.get('description') or p.get('schema', {}).get('description'))}"
                               f"</td></tr>")
                out.append("</table>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                out.append(f"<p>Body: {_type(body)}</p>")
            out.append("<p>Responses: " + "; ".join(
                f"{escape(status)} {_type(r.get('content', {}).get('application/json', {}).get('schema', {}))}"
                for status, r in op.get("responses", {}).items()) + "</p>")
    out.append("<h2>Objects</h2>")
    for name, s in schema.get("components", {}).get("schemas", {}).items():
        out.append(f"<h3 id='schema-{escape(name)}'>{escape(name)}</h3><p>{_text(s.get('description'))}</p>")
        props = s.get("properties", {})
        if props:
            required = set(s.get("required", []))
            out.append("<table><tr><th>field</th><th>type</th><th>meaning</th></tr>")
            for field, fs in props.items():
                mark = "" if field in required else " (optional)"
                out.append(f"<tr><td><code>{escape(field)}</code>{mark}</td><td>{_type(fs)}</td>"
                           f"<td>{_text(fs.get('description'))}</td></tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


@router.get("/reference", response_class=HTMLResponse)
def reference(request: Request):
    base = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(render(request.app.openapi(), base))
