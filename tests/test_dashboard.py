"""The dashboard: its scenario edits and compute path without a browser, then the real page.

The browser tests start `python run.py dashboard` (a real Solara server at full population)
and drive it with Playwright in Debian's headless chromium. Without /usr/bin/chromium they
are skipped, except under CI=true, where that is a failure. DASHBOARD_SCREENSHOTS=DIR saves
the screenshots there (docs/ holds the ones the README shows).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from smartregion.model.ensemble import ReplicationTask, ensemble_spec, run_ensemble, run_replication
from smartregion.model.instruments import Policy
from smartregion.model.params import resolve
from smartregion.model.results import summary_frame
from smartregion.model.scenario import load_counterfactual, load_scenario, scenario_from_dict, to_yaml
from smartregion.model.streams import replication_seeds
from smartregion.model.timeline import parse_quarter
from smartregion.viz import levers as lv
from smartregion.viz.compute import Runner, compute
from smartregion.viz.views import fmt_number

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SMALL_SCALE = 0.1  # the non-browser tests use a tenth of the firms


def small(name: str = "baseline", **changes):
    d = load_scenario(REPO / "scenarios" / f"{name}.yaml").resolved_dict()
    d["population"]["scale"] = SMALL_SCALE
    d.update(changes)
    return scenario_from_dict(d)


# --- levers: slider positions as scenario edits -------------------------------------------------


def test_levers_round_trip_through_yaml_as_named_instruments(tmp_path):
    base = load_scenario(REPO / "scenarios" / "baseline.yaml")
    lev = lv.Levers(fieldlabs=(2, 0, 1, 0, 0), fieldlab_capacity=9, hub_meur_per_year=1.5, subsidy_rate=0.3,
                    subsidy_meur_per_year=5, training_meur_per_year=10)
    s = lv.apply(base, lev, {"bass_q": 0.5, "knowledge_spillover": 0.1, "productivity_gain": 0.15}, 6, 99)
    names = [p.name for p in s.policies]
    assert s.name == "baseline_dashboard" and s.seed == 99 and s.replications == 6
    assert s.parameters == {"bass_q": 0.5}  # the two sliders left at their values are no overrides
    assert {"dashboard_fieldlabs_noord", "dashboard_fieldlabs_zuid", "dashboard_subsidy", "dashboard_training"} \
        <= set(names)
    assert sum(n.startswith("dashboard_outreach_") for n in names) == 5
    north = s.instrument("dashboard_fieldlabs_noord")
    assert (north.count, north.capacity_per_year, north.start, north.end) == (2, 9, lv.LEVER_START, "2030Q4")
    assert north.budget_eur == 2 * lv.FIELDLAB_EUR_PER_YEAR * 5  # 2026Q1-2030Q4: five years
    exported = tmp_path / "exported.yaml"
    exported.write_text(to_yaml(s))
    assert load_scenario(exported).content_hash() == s.content_hash()  # what `run.py run` reads
    assert lv.apply(base, lv.Levers(), {"bass_q": 0.38}, 20, base.seed).content_hash() == base.content_hash()


def _quarterly(s, name: str) -> float:
    """Planned spending per quarter of one instrument as the model computes it: its
    eur_per_quarter if set, else its budget spread (per fieldlab-quarter for fieldlabs)."""
    pol = Policy(s.policies, parse_quarter(s.horizon.start), s.horizon.n_quarters, 1.0, resolve(s.parameters))
    i = [ins.name for ins in pol.instruments].index(name)
    rows = pol.fieldlabs.instrument == i
    if rows.any() and pol.instruments[i].spec.eur_per_quarter is None:
        return float(pol.fieldlabs.cost_q[rows][0])
    return pol.planned_quarterly(pol.instruments[i])


@pytest.mark.parametrize("rate_given", [True, False])
def test_programme_end_year_stops_instruments_at_the_same_spending_rate(rate_given):
    d = load_scenario(REPO / "scenarios" / "baseline.yaml").resolved_dict()
    if not rate_given:  # budgets spread over the window (historical fieldlabs: over fieldlab-quarters)
        d["policies"] = [{**p, "eur_per_quarter": None} for p in d["policies"]]
    base = scenario_from_dict(d)
    cut = lv.apply(base, lv.Levers(end_year=2027), {}, 4, base.seed)
    for name in ("historical_fieldlabs", "edih_noord"):
        ins, was = cut.instrument(name), base.instrument(name)
        assert (ins.end, ins.end_announced) == ("2027Q4", "2027Q1")
        assert _quarterly(cut, name) == pytest.approx(_quarterly(base, name), rel=1e-9)
        # A given rate keeps its budget as a cap; a spread budget shrinks to the shorter window.
        assert ins.budget_eur == was.budget_eur if rate_given else ins.budget_eur < was.budget_eur
    assert cut.instrument("hub_noord") == base.instrument("hub_noord")  # ended in 2021: untouched
    later = lv.apply(base, lv.Levers(fieldlabs=(1, 0, 0, 0, 0), end_year=2026), {}, 4, base.seed)
    assert later.instrument("dashboard_fieldlabs_noord").end == "2026Q4"


def test_levers_on_the_counterfactual_itself_compare_against_it():
    none = load_scenario(REPO / "scenarios" / "no_policy.yaml")
    s = lv.apply(none, lv.Levers(training_meur_per_year=3), {}, 2, 1)
    assert Path(s.counterfactual).name == "no_policy.yaml"
    fl = load_scenario(REPO / "scenarios" / "fieldlab_expansion_north.yaml")
    assert Path(lv.apply(fl, lv.Levers(), {}, 2, 1, against_base=True).counterfactual).name == \
        "fieldlab_expansion_north.yaml"


# --- compute: the same numbers as the command line's ensemble ------------------------------------


@pytest.fixture(scope="module")
def runner():
    r = Runner(workers=2)
    yield r
    r.pool().shutdown(cancel_futures=True)


def test_runner_matches_run_ensemble_and_reuses_the_counterfactual(runner):
    s = small(replications=3, seed=5)
    first = compute(s, runner)
    expected = run_ensemble(ensemble_spec(s, load_counterfactual(s)))
    pd.testing.assert_frame_equal(first.summary, summary_frame(expected))
    edited = lv.apply(s, lv.Levers(fieldlabs=(3, 0, 0, 0, 0)), {}, 3, 5)
    second = compute(edited, runner)
    assert (first.new_runs, second.new_runs) == (6, 3)  # the counterfactual came from the cache
    pd.testing.assert_frame_equal(second.summary, summary_frame(
        run_ensemble(ensemble_spec(edited, load_counterfactual(edited)))))
    assert not second.summary.equals(first.summary)


def test_a_stale_computation_stops_and_returns_nothing(runner):
    s = small(replications=6, seed=11)
    assert compute(s, runner, is_current=lambda: False) is None


def test_single_run_page_steps_replication_r_of_the_ensemble():
    from smartregion.viz.single_run import ScenarioRun, transitions

    s = small(replications=3, seed=3)
    model = ScenarioRun(s, replication=2)
    model.step()
    moved = transitions(model)
    assert sum(moved.values()) == int((model.stage_before != model.firms_state.stage).sum()) > 0
    while model.running:
        model.step()
    _, arms = run_replication(ReplicationTask(2, replication_seeds(s.seed, 3)[2], ensemble_spec(s).arms))
    np.testing.assert_array_equal(model.result().metrics, arms["policy"].metrics)


def test_dashboard_command_refuses_a_bad_or_busy_port_in_one_line(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.syspath_prepend(str(REPO))  # run.py sits at the root, outside the package
    from run import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        for port, says in (("0", "--port 0: not a port; allowed: 1 to 65535"),
                           (str(busy.getsockname()[1]), "cannot listen there")):
            assert main(["dashboard", "--port", port]) == 2
            err = capsys.readouterr().err
            assert says in err and len(err.strip().splitlines()) == 1


# --- the real page in a real browser -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must have Debian's chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); the browser tests need it")
    from smartregion.viz.assets import ensure

    ensure()
    port = _free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"dashboard-test-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)], cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            assert proc.poll() is None, f"the dashboard exited with {proc.returncode}: see {log_path}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            proc.terminate()
            pytest.fail(f"the dashboard did not listen on port {port} within 90 s: see {log_path}")
        yield f"http://127.0.0.1:{port}/"
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 2200}, accept_downloads=True)
        pg.set_default_timeout(90_000)
        pg.failed = []  # requests the page could not load (this machine has no CDN to fall back on)
        pg.on("requestfailed", lambda r: pg.failed.append(r.url))
        pg.on("response", lambda r: r.status >= 400 and pg.failed.append(f"{r.status} {r.url}"))
        pg.goto(server)
        wait_idle(pg)
        yield pg
        browser.close()


def shot(pg, name: str, locator=None) -> None:
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        (locator or pg).screenshot(path=str(Path(folder) / f"dashboard_{name}.png"))


def status(pg) -> str:
    return pg.locator("[data-testid=status]").inner_text()


def wanted(pg) -> str:
    return pg.locator("[data-testid=status]").get_attribute("data-wanted")


def wait_idle(pg, before: str | None = None, timeout: float = 120) -> None:
    """Until the page shows the results of the scenario its controls describe (a new one, if
    `before` is the scenario wanted before a change) and computes nothing."""
    deadline = time.time() + timeout
    box = pg.locator("[data-testid=status]")
    while (wanted(pg) == before or box.get_attribute("data-shown") != wanted(pg)
           or "Computing" in status(pg)):
        assert time.time() < deadline, f"no results after {timeout} s: {status(pg)}"
        time.sleep(0.02)


def headline_texts(pg) -> dict[str, str]:
    cards = pg.locator("[data-testid=headline] [data-metric]")
    return {c.get_attribute("data-metric"): c.locator(".sr-value").inner_text() for c in cards.all()}


def nudge(pg, lever: str, key: str = "ArrowRight") -> None:
    thumb = pg.locator(f"[data-lever={lever}] [role=slider]")
    thumb.focus()
    pg.keyboard.press(key)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, from /proc/net/tcp (no traffic sent)."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            out.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return out


def test_server_listens_on_loopback_only(server):
    assert listening_addresses(int(server.rsplit(":", 1)[1].strip("/"))) == {"127.0.0.1"}


def test_page_loads_with_charts_map_and_table(page):
    assert page.failed == []
    assert "replications x 2 arms" in status(page) and "population scale 1" in status(page)
    assert set(headline_texts(page)) >= {"net_jobs", "net_adopters", "reshored_jobs", "cost_per_net_job_eur"}
    charts = page.locator("[data-testid=chart]")
    assert charts.count() == 4
    for chart in charts.all():  # policy and counterfactual (or created, lost, net): a mean line over a band
        assert chart.locator("[data-series] polyline").count() >= 2
        assert chart.locator("[data-series] polygon").count() == chart.locator("[data-series] polyline").count()
        assert chart.bounding_box()["height"] > 200
    tiles = page.locator("[data-testid=tile-map] [data-province]")
    assert tiles.count() == 12
    fills = {t.locator("rect").get_attribute("fill") for t in tiles.all()}
    assert len(fills) > 3  # coloured by value, not one colour
    rows = page.locator("[data-testid=province-table] tbody tr")
    assert rows.count() == 13 and rows.last.get_attribute("data-province") == "NL"
    shot(page, "explorer")


def test_a_slider_recomputes_in_the_background_and_changes_the_numbers(page):
    before, scenario = headline_texts(page), wanted(page)
    map_before = page.locator("[data-testid=tile-map]").inner_html()
    t0 = time.perf_counter()
    nudge(page, "fieldlabs_noord")
    wait_idle(page, scenario)
    latency = time.perf_counter() - t0
    after = headline_texts(page)
    assert after != before
    assert page.locator("[data-testid=tile-map]").inner_html() != map_before
    assert page.get_by_text("New fieldlabs, Noord (GR, FR, DR): 1").is_visible()
    print(f"\nslider -> redrawn numbers: {latency:.2f} s ({status(page).strip()})")

    # An uncertain parameter reruns both arms (seconds at full population); meanwhile the page
    # answers: the map's quarter slider moves while the status still says Computing.
    scenario = wanted(page)
    t0 = time.perf_counter()
    nudge(page, "bass_q")
    page.locator("[data-testid=status]", has_text="Computing").wait_for()
    nudge(page, "map_quarter", "ArrowLeft")
    page.get_by_text("Quarter: 2030Q3").wait_for(timeout=5_000)
    assert "Computing" in status(page), "the computation ended before the page could be shown to answer"
    wait_idle(page, scenario)
    latency = time.perf_counter() - t0
    assert headline_texts(page) != after
    print(f"parameter -> redrawn numbers: {latency:.2f} s ({status(page).strip()})")


def test_bad_yaml_shows_one_readable_line_and_the_page_stays_usable(page):
    page.get_by_text("Upload or paste a scenario YAML").click()
    box = page.get_by_label("Paste YAML")
    box.fill("name: typo\npolicies:\n  - {type: fieldlabz, start: 2026Q1, end: 2030Q4, budget_eur: 1}\n")
    page.get_by_role("button", name="Use pasted YAML").click()
    error = page.locator(".sr-load-error")
    error.wait_for()
    text = error.inner_text().strip()
    assert text.startswith("pasted YAML: policies[0].type (line 3): unknown instrument type 'fieldlabz'")
    assert "allowed: fieldlab," in text and "\n" not in text
    shot(page, "bad_yaml", page.locator(".v-card", has=error))
    # A YAML that would run code is refused the same way, and nothing runs.
    marker = Path(os.environ.get("TMPDIR", "/tmp")) / f"dashboard-pwned-{os.getpid()}"
    box.fill(f'!!python/object/apply:os.system ["touch {marker}"]\n')
    page.get_by_role("button", name="Use pasted YAML").click()
    page.locator(".sr-load-error", has_text="is not allowed").wait_for()
    assert not marker.exists()
    # Still usable: the previous scenario is on screen and a lever still recomputes.
    before, scenario = headline_texts(page), wanted(page)
    nudge(page, "training_meur_per_year")
    wait_idle(page, scenario)
    assert page.get_by_text("Training budget (EUR M a year): 1").is_visible()
    assert headline_texts(page) != before
    # A valid paste replaces the scenario.
    box.fill("name: pasted_expansion\nextends: baseline\npolicies:\n  - {name: extra, type: fieldlab, "
             "provinces: [LI], count: 2, start: 2026Q1, end: 2030Q4, budget_eur: 6_000_000}\n")
    scenario = wanted(page)
    page.get_by_role("button", name="Use pasted YAML").click()
    wait_idle(page, scenario)
    assert page.get_by_text("Using uploaded: pasted YAML").is_visible()
    assert page.locator(".sr-load-error").count() == 0
    assert "pasted_expansion against no_policy" in page.locator(".sr-title").inner_text()


def test_exported_yaml_reproduces_the_shown_numbers_through_run_py(page, tmp_path):
    scenario = wanted(page)
    nudge(page, "fieldlabs_zuid")
    wait_idle(page, scenario)
    shown = headline_texts(page)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Scenario (YAML)").click()
    exported = tmp_path / dl.value.suggested_filename
    dl.value.save_as(exported)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Summary per province (CSV)").click()
    page_csv = pd.read_csv(io.BytesIO(Path(dl.value.path()).read_bytes()))
    doc = yaml.safe_load(exported.read_text())
    assert any(p["name"] == "dashboard_fieldlabs_zuid" for p in doc["policies"])
    out = tmp_path / "rerun"
    done = subprocess.run([sys.executable, "run.py", "run", str(exported), "--out", str(out), "--seed",
                           str(doc["seed"]), "--replications", str(doc["replications"]), "--no-progress"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out / "summary.csv")
    pd.testing.assert_frame_equal(cli, page_csv, check_exact=False, rtol=1e-12)
    nl = cli[cli["province"] == "NL"].set_index("metric")
    units = {"net_jobs": "jobs", "net_adopters": "firms", "reshored_jobs": "jobs",
             "cost_per_net_job_eur": "EUR/job", "extra_public_spend_eur": "EUR"}
    for metric, unit in units.items():
        assert shown[metric] == fmt_number(nl.loc[metric, "difference"], unit), metric


def test_shipped_scenario_map_metric_and_single_run_view(page):
    scenario = wanted(page)
    page.get_by_label("Shipped scenario").click(force=True)  # Vuetify lays its field over the input
    page.get_by_role("option", name="fieldlab_expansion_north").click()
    wait_idle(page, scenario)
    assert "fieldlab_expansion_north against baseline" in page.locator(".sr-title").inner_text()
    assert "4 from the cache" in status(page)  # its counterfactual, baseline, was computed at page load
    page.get_by_label("Map metric").click(force=True)
    page.get_by_role("option", name="Adoption rate").click()
    page.locator("[data-testid=tile-map]", has_text="Adoption rate (%)").wait_for()
    values = [float(t.get_attribute("data-value")) for t in page.locator("[data-testid=tile-map] [data-province]")
              .all()]
    assert all(0 < v < 100 for v in values) and len(set(values)) == 12
    shot(page, "map_table", page.locator("[data-testid=map-table]"))

    page.get_by_role("tab", name="Single run").click()
    step = page.get_by_role("button", name="Step")
    step.wait_for()
    # Mesa's "Render Interval" steps the model several quarters per click: 1 -> 11.
    page.locator(".v-input", has_text="Render Interval").locator("[role=slider]").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    for n in (11, 22, 33):
        step.click()
        page.get_by_text(f"Step: {n}", exact=True).wait_for()
    page.get_by_text("Stage changes this quarter:").wait_for()
    assert page.locator("table.sr-table tr").count() > 1  # the firms (Mesa agents) that changed
    shot(page, "single_run")
    assert page.failed == []
    page.get_by_role("tab", name="Explorer").click()
    page.locator("[data-testid=headline]").wait_for()
