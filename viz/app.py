"""The dashboard app that `solara run viz.app` serves (`python run.py dashboard` starts it).

Three tabs: the explorer (ensembles, what the levers add, map, table, export), scenarios
compared side by side, and a single run (a Mesa model) stepped quarter by quarter. Only the open tab is rendered,
so each fills the sidebar with its own controls.
"""

from __future__ import annotations

import ctypes
import gc
import threading
import time

import solara
import solara.lab

from . import compare_view, explorer, single_run
from .words import tr

APP_CSS = """
/* Below 1280 px the sidebar folds away; Solara's app bar button that reopens it is drawn empty
   under Vuetify 3: three bars. */
.v-app-bar-nav-icon .v-btn__content::before {content: "\\2630"; font-size: 26px; line-height: 1;}
/* Solara's "runs on Solara" badge sits over the bottom of every tab's content (the explorer
   table's last rows); the introduction credits Solara instead. */
div:has(> b > a[href="https://solara.dev"]) {display: none !important;}
"""
TABS = (("explorer", explorer.Page), ("compare", compare_view.Page), ("single_run", single_run.Page))
tab = solara.reactive(0)

# Start the worker processes while the first visitor's page loads, not on their first run.
threading.Thread(target=explorer.RUNNER.warm_up, daemon=True, name="warm-up").start()

# Memory back after sessions close. Solara frees a closed session (at once when its page
# closes, after SOLARA_KERNEL_CULL_TIMEOUT when it went away without saying so) and collects
# the garbage a second later. The freed memory then stays with the process: each session's
# work runs on other threads, glibc gives each thread's allocations their own arena, and it
# returns an arena's free pages to the system only on malloc_trim. So a few seconds after the
# last of a burst of closes, collect once more and trim (measured in docs/DASHBOARD.md,
# "Sessions and memory").
TRIM_AFTER_CLOSE_S = 3.0
_trim = {"due": 0.0, "thread": None}
_trim_lock = threading.Lock()


def _trim_when_quiet() -> None:
    while True:
        with _trim_lock:
            wait = _trim["due"] - time.monotonic()
            if wait <= 0:
                _trim["thread"] = None
                break
        time.sleep(wait)
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: its allocator returns memory its own way
        pass


def _session_closed() -> None:
    with _trim_lock:
        _trim["due"] = time.monotonic() + TRIM_AFTER_CLOSE_S  # a burst of closes: one trim after the last
        if _trim["thread"] is None:
            _trim["thread"] = threading.Thread(target=_trim_when_quiet, daemon=True, name="trim-after-close")
            _trim["thread"].current_context = None  # not inside the closing session (Solara patches Thread)
            _trim["thread"].start()


solara.lab.on_kernel_start(lambda: _session_closed)  # what a session start returns runs at its close


@solara.component
def Page():
    router = solara.use_router()
    solara.use_effect(lambda: explorer.apply_query(router.search), [])  # a shared link's state, once
    solara.Title("smartregion")
    language = explorer.lang.value
    explorer.AriaLabels(controls_label=tr("controls", language), first_year=tr("first_year", language),
                        last_year=tr("last_year", language))  # every tab: accessible names
    solara.Style(APP_CSS)
    with solara.AppBar(), solara.lab.Tabs(value=tab, align="center"):
        for key, _ in TABS:
            solara.lab.Tab(tr(key, explorer.lang.value))
    TABS[tab.value][1]()
