"""A real dashboard server and a headless browser on it, for the scripts that measure or
photograph the page (benchmarks/dashboard_latency.py, viz/screenshots.py).

`serve()` starts `run.py dashboard` on a free port of 127.0.0.1; `wait_shown(page)` waits
until the page shows the numbers of the setting its controls describe. Needs Playwright and
Debian's chromium (`apt-get install -y chromium`).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(timeout: float = 120):
    """(the page's URL, the server process) of a fresh `run.py dashboard` on 127.0.0.1."""
    from smartregion.viz.assets import ensure

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    ensure()
    port = free_port()
    with tempfile.NamedTemporaryFile("w", prefix="dashboard-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)], cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"the dashboard exited with {proc.returncode}: see {log.name}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit(f"the dashboard did not listen within {timeout} s: see {log.name}") from None
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}/", proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def wait_shown(pg, before: str | None = None, timeout: float = 600) -> None:
    """Until the page shows the numbers of the setting its controls describe (a new one when
    `before` is the setting wanted before a change) and computes nothing."""
    box = pg.locator("[data-testid=status]")
    deadline = time.time() + timeout
    while True:
        wanted, shown, busy = (box.get_attribute(a) for a in ("data-wanted", "data-shown", "data-busy"))
        if wanted != before and shown == wanted and busy == "0":
            return
        if time.time() > deadline:
            raise TimeoutError(f"no new numbers within {timeout} s")
        time.sleep(0.005)
