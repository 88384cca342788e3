"""``despatchbox mcp``: the MCP server on standard input/output, for desktop assistants and agents."""
from __future__ import annotations

from .app import app, engine


@app.command("mcp")
def mcp_command() -> None:
    """Serve the record to an AI assistant over MCP (stdio). Over HTTP, `despatchbox serve` mounts it at /mcp."""
    from ..mcp import build_server

    build_server(engine()).run(transport="stdio")
