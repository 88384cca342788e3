"""The MCP server driven by the SDK's own client, over stdio (``despatchbox mcp``) and over HTTP
(``despatchbox serve`` at /mcp/): list the tools, call each on the sample, and check that a
citation resolves to a page of the app."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
from fastapi.testclient import TestClient
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

from despatchbox.web.app import create_app

SRC = str(Path(__file__).resolve().parent.parent / "src")
TOOLS = {"search_record", "member", "member_contributions", "debate", "department", "written_question", "division",
         "who_said_this", "check_quote"}
CALLS = [("search_record", {"query": "Tasers", "limit": 2}),
         ("member", {"person_id": 10259, "limit": 3}),
         ("member_contributions", {"person_id": 10259, "debate_id": "uk.org.publicwhip/debate/2009-10-26b.1.4"}),
         ("debate", {"debate_id": "uk.org.publicwhip/debate/2009-10-26b.1.4", "limit": 5}),
         ("department", {"slug": "home-office", "on": "2009-10-26"}),
         ("written_question", {"question_id": "uk.org.publicwhip/wrans/2009-10-26f.293337.h"}),
         ("division", {"division_id": "uk.org.publicwhip/debate/2009-10-26b.125.5", "limit": 10}),
         ("who_said_this", {"text": "Tasers have been used 4,818 times up to March 2009, and in none of those "
                                    "instances were serious injuries or deaths reported"}),
         ("check_quote", {"text": "Tasers have been used 4,818 times up to March 2009", "speaker": "Hanson"})]


async def _exercise(session: ClientSession) -> dict:
    await session.initialize()
    names = {t.name for t in (await session.list_tools()).tools}
    assert TOOLS <= names
    out = {}
    for name, args in CALLS:
        r = await session.call_tool(name, args)
        assert not r.isError, (name, r.content)
        out[name] = r.structuredContent
        assert out[name]["citations"], name
    bad = await session.call_tool("debate", {"debate_id": "uk.org.publicwhip/debate/1999-01-01a.1.1"})
    assert bad.isError and "no debate" in bad.content[0].text
    bad = await session.call_tool("debate", {"debate_id": "uk.org.publicwhip/debate/2009-10-26b.1.4", "limit": 0})
    assert bad.isError and "limit" in bad.content[0].text
    res = await session.read_resource("despatchbox://member/10259")
    assert json.loads(res.contents[0].text)["name"] == "David Hanson"
    prompts = await session.list_prompts()
    assert any(p.name == "record_conventions" for p in prompts.prompts)
    return out


def _check(out: dict, client: TestClient) -> None:
    assert out["debate"]["page"]["next_offset"] == 5 and len(out["debate"]["data"]["contributions"]) == 5
    assert out["division"]["page"]["total"] > 10 and len(out["division"]["data"]["votes"]) == 10
    assert out["check_quote"]["data"]["sentences"][0]["verdict"] == "verbatim"
    for name in ("check_quote", "debate", "written_question"):
        url = out[name]["citations"][0]["url"]
        path = url.split("://", 1)[-1].split("/", 1)[1]
        assert client.get("/" + path.split("#")[0]).status_code == 200, url


def test_stdio(sample_url):
    env = {**os.environ, "PYTHONPATH": SRC, "DESPATCHBOX_DATABASE_URL": sample_url}
    params = StdioServerParameters(command=sys.executable, args=["-c", "from despatchbox.cli import main; main()",
                                                                 "mcp"], env=env)

    async def main():
        async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
            return await _exercise(session)

    _check(anyio.run(main), TestClient(create_app(sample_url)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http(sample_url):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": SRC, "DESPATCHBOX_DATABASE_URL": sample_url}
    proc = subprocess.Popen([sys.executable, "-c", "from despatchbox.cli import main; main()", "serve", "--port",
                             str(port)], env=env)
    try:
        for _ in range(600):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        async def main():
            async with streamablehttp_client(f"http://127.0.0.1:{port}/mcp/") as (r, w, _), \
                    ClientSession(r, w) as session:
                return await _exercise(session)

        out = anyio.run(main)
        _check(out, TestClient(create_app(sample_url)))
        assert httpx.get(f"http://127.0.0.1:{port}/quote-check").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
