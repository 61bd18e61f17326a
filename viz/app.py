"""The dashboard app that `solara run viz.app` serves (`python run.py dashboard` starts it).

Three tabs: the explorer (ensembles, what the levers add, map, table, export), scenarios
compared side by side, and a single run stepped quarter by quarter in Mesa's SolaraViz. Only the open tab is rendered,
so each fills the sidebar with its own controls.
"""

from __future__ import annotations

import threading

import solara
import solara.lab

from . import compare_view, explorer, single_run
from .words import tr

TABS = (("explorer", explorer.Page), ("compare", compare_view.Page), ("single_run", single_run.Page))
tab = solara.reactive(0)

# Start the worker processes while the first visitor's page loads, not on their first run.
threading.Thread(target=explorer.RUNNER.warm_up, daemon=True, name="warm-up").start()


@solara.component
def Page():
    router = solara.use_router()
    solara.use_effect(lambda: explorer.apply_query(router.search), [])  # a shared link's state, once
    solara.Title("smartregion")
    explorer.AriaLabels()  # on every tab: slider names, Mesa's developer controls hidden
    with solara.AppBar(), solara.lab.Tabs(value=tab, align="center"):
        for key, _ in TABS:
            solara.lab.Tab(tr(key, explorer.lang.value))
    TABS[tab.value][1]()
