"""The MCP server's streamable-HTTP transport as an ASGI app, mounted by ``despatchbox serve`` at
``/mcp/``.

The SDK's session manager can run once per instance; an app's lifespan can run many times (each
test client, each worker), so a fresh manager is made for every run (:meth:`McpHttp.running`).
Stateless, JSON responses: every POST is answered on its own, no session to keep between requests.
"""
from __future__ import annotations

import contextlib

from mcp.server.fastmcp import FastMCP
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

__all__ = ["McpHttp"]


class McpHttp:
    def __init__(self, server: FastMCP) -> None:
        self.server = server
        self.manager: StreamableHTTPSessionManager | None = None

    @contextlib.asynccontextmanager
    async def running(self):
        # FastMCP keeps its low-level server as ``_mcp_server``; the SDK's own streamable_http_app() does the same
        self.manager = StreamableHTTPSessionManager(app=self.server._mcp_server, json_response=True, stateless=True)
        try:
            async with self.manager.run():
                yield
        finally:
            self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self.manager is None:
            await JSONResponse({"error": {"code": "unavailable", "message": "the MCP transport starts with the "
                                          "application's lifespan; it is not running"}}, status_code=503)(
                scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)
