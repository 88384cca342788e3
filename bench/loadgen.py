#!/usr/bin/env python3
"""A small HTTP/1.1 load generator, and `despatchbox serve` run as a subprocess under it.

    python bench/loadgen.py URL_PREFIX PATH [PATH …] [--seconds S] [--connections C]

C keep-alive connections on loopback each send GET requests one after another (closed loop),
cycling through the paths; after a warm-up, every request finished inside the measured window
counts. The connections open one after another over the first part of the warm-up
(:data:`RAMP_SHARE`), each while the others are already loading the server, as clients arrive at a
site, not in one burst: uvicorn's workers share one listening socket, and a burst of eight was in
some rounds accepted whole by one of two workers, which left the other idle and halved a CPU-bound
page's requests/s (docs/benchmarks.md, 7 December 2026). Requests/s is finished requests over the window; latency is per request (send to last
byte). Responses other than 2xx/3xx are errors. ``Accept-Encoding: gzip`` is sent, as browsers do;
no validators are sent, so every response is rendered in full.

Pure asyncio and raw sockets: no dependency, and little CPU (its own CPU time is reported, since
on 2 cores it competes with the server). ``measure_http`` starts ``despatchbox serve --workers W``
on a free port against a database, waits for it, loads it and always stops it (the whole process
group it was started in).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import tempfile
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: seconds of load before the measured window starts (workers warm their caches and connections)
WARMUP_SECONDS = 1.0
#: the share of the warm-up over which the connections open, one after another (see the module's note)
RAMP_SHARE = 0.8
#: how long `serve` may take to answer its first request
STARTUP_TIMEOUT = 120.0
#: seconds a response may take: a slower one is an error, never a hang
RESPONSE_TIMEOUT = 60.0


def recommended_workers(url: str) -> int:
    """What `despatchbox serve --help` recommends: SQLite serves well from 1–2 workers (2 on a
    machine with 2+ cores); PostgreSQL 2 × cores."""
    cores = os.cpu_count() or 1
    if url.startswith("sqlite"):
        return min(2, cores)
    return 2 * cores


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


# --- the client ---------------------------------------------------------------------------------

async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Read one response; returns (status, body bytes)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        await reader.readexactly(n)
        return status, n
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")          # the empty trailer
                return status, total
            await reader.readexactly(size + 2)
            total += size
    if status in (204, 304) or status < 200:
        return status, 0
    body = await reader.read()                           # read to close
    return status, len(body)


async def _connection(host: str, port: int, requests: list[bytes], start: int, deadline: float,
                      window_start: float, latencies: list[float], stats: dict, opens_at: float) -> None:
    await asyncio.sleep(max(0.0, opens_at - time.perf_counter()))
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while True:
            now = time.perf_counter()
            if now >= deadline:
                break
            writer.write(requests[i % len(requests)])
            i += 1
            try:
                status, size = await asyncio.wait_for(_read_response(reader), RESPONSE_TIMEOUT)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                stats["errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            done = time.perf_counter()
            if now >= window_start and done <= deadline:
                latencies.append(done - now)
                stats["bytes"] += size
                if status >= 400:
                    stats["errors"] += 1
                    stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
    finally:
        writer.close()


def _request(host: str, port: int, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: despatchbox-bench\r\n"
            f"Accept: text/html\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n").encode("latin-1")


async def _load(base: str, paths: list[str], seconds: float, connections: int,
                warmup: float = WARMUP_SECONDS) -> dict:
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port or 80
    requests = [_request(host, port, p) for p in paths]
    latencies: list[float] = []
    stats = {"errors": 0, "bytes": 0, "statuses": {}}
    started = time.perf_counter()
    window_start = started + warmup
    deadline = window_start + seconds
    apart = warmup * RAMP_SHARE / connections             # the connections open this far apart
    await asyncio.gather(*(_connection(host, port, requests, c, deadline, window_start, latencies, stats,
                                       started + c * apart)
                           for c in range(connections)))
    window = deadline - window_start
    out = {"requests": len(latencies), "rps": round(len(latencies) / window, 1), "window_s": round(window, 2),
           "errors": stats["errors"], "mb": round(stats["bytes"] / 1e6, 2), "connections": connections}
    if stats["statuses"]:
        out["error_statuses"] = {str(k): v for k, v in sorted(stats["statuses"].items())}
    if latencies:
        ms = [x * 1000 for x in latencies]
        out.update(p50_ms=round(percentile(ms, 50), 2), p95_ms=round(percentile(ms, 95), 2),
                   p99_ms=round(percentile(ms, 99), 2))
    return out


def load(base: str, paths: list[str], seconds: float = 10.0, connections: int = 8,
         warmup: float = WARMUP_SECONDS) -> dict:
    """Closed-loop load over ``paths`` (cycled) on ``connections`` keep-alive connections, for
    ``warmup`` seconds not counted (the connections opening one after another over its first
    :data:`RAMP_SHARE`) and then ``seconds`` counted."""
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    out = asyncio.run(_load(base, paths, seconds, connections, warmup))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    out["loadgen_cpu_share"] = round(cpu / (seconds + warmup) / (os.cpu_count() or 1), 3)
    return out


# --- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`despatchbox serve` in its own process group; a context manager that always stops it."""

    #: what error messages call the server
    name = "despatchbox serve"

    def __init__(self, url: str, workers: int, port: int | None = None):
        self.url, self.workers, self.port = url, workers, port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = dict(os.environ, DESPATCHBOX_DATABASE_URL=self.url,
                   PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")]))
        cmd = self.command()
        # the server logs a line per request (as deployed): to a file, never to a pipe nobody reads,
        # which fills and stops the server in the middle of a response
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def cpu_seconds(self) -> float | None:
        """The CPU seconds of :meth:`cpu_by_process`, summed (None where /proc cannot say)."""
        by_process = self.cpu_by_process()
        return None if by_process is None else sum(by_process.values())

    def cpu_by_process(self) -> dict[int, float] | None:
        """CPU time (user + system) used so far by the server's process group (uvicorn's supervisor and
        workers, with the children they have waited for: the sum never goes down); None where /proc
        cannot say; by process id. Steadier than requests/s on a machine shared with other work: a
        request's CPU cost does not depend on how much of the cores the server was given."""
        if self.proc is None:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        found: dict[int, float] = {}
        try:
            entries = os.listdir("/proc")
        except OSError:
            return None
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue                                  # gone meanwhile, or not ours to read
            if int(fields[2]) == self.proc.pid:           # process group (started in its own session)
                # its own time, and that of its children already waited for: a worker that exits
                # (and is reaped by the supervisor) moves its time into the supervisor's, instead of
                # taking it out of the sum
                found[int(entry)] = sum(int(v) for v in fields[11:15]) / ticks
        return found

    def command(self) -> list[str]:
        return [sys.executable, "-c", "from despatchbox.cli import main; main()", "serve",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                err = self.log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(_request("127.0.0.1", self.port, "/static/does-not-exist"))
                    if s.recv(16).startswith(b"HTTP/1.1"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {STARTUP_TIMEOUT:.0f}s")

    def __exit__(self, *exc) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            self.log.close()
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)          # the group started for this server, and only it
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


class TrivialServer(Server):
    """bench/trivial_app.py (one bare FastAPI route) under uvicorn with `despatchbox serve`'s own
    settings and worker count: the baseline the site's requests/s are measured against."""

    name = "the bare FastAPI route (bench/trivial_app.py)"

    def command(self) -> list[str]:
        # trivial_app is found through the PYTHONPATH __enter__ sets (the workers uvicorn spawns need it too)
        code = ("import uvicorn; from despatchbox.cli.serve import log_config; "
                f"uvicorn.run('trivial_app:create_app', factory=True, host='127.0.0.1', port={self.port}, "
                f"workers={self.workers}, log_config=log_config(), log_level='info', access_log=True, "
                "proxy_headers=True)")
        return [sys.executable, "-c", code]


def measure_http(url: str, paths: list[str], seconds: float = 10.0, connections: int = 8,
                 workers: int | None = None) -> dict:
    """Serve the database at ``url`` and load ``paths``; the server is always stopped."""
    workers = workers or recommended_workers(url)
    with Server(url, workers) as server:
        for path in paths:                        # every page must answer before it is timed
            status = _probe(server.port, path)
            if status >= 400:
                raise RuntimeError(f"GET {path} answered {status}")
        out = load(server.base, paths, seconds, connections)
    out["workers"] = workers
    out["paths"] = paths
    return out


def _probe(port: int, path: str) -> int:
    async def one() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_request("127.0.0.1", port, path))
        status, _ = await asyncio.wait_for(_read_response(reader), RESPONSE_TIMEOUT)
        writer.close()
        return status
    return asyncio.run(one())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", help="e.g. http://127.0.0.1:8000")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    print(json.dumps(load(args.base, args.paths, args.seconds, args.connections)))


if __name__ == "__main__":
    main()
