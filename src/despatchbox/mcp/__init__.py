"""The record for AI agents: an MCP server (official ``mcp`` SDK) over the same store.

``despatchbox mcp`` serves it on stdio; ``despatchbox serve`` mounts the streamable-HTTP transport
at ``/mcp``. See docs/agents.md.
"""
from .server import build_server

__all__ = ["build_server"]
