"""The dashboard: its scenario edits and compute path without a browser, then the real page.

The browser tests start `python run.py dashboard` (a real Solara server at full population)
and drive it with Playwright in Debian's headless chromium. Without /usr/bin/chromium they
are skipped, except under CI=true, where that is a failure. DASHBOARD_SCREENSHOTS=DIR saves
the screenshots there (docs/ holds the ones the README shows).
"""

from __future__ import annotations

import contextlib
import io
import re
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
from smartregion.viz.compute import compute
from smartregion.viz.views import fmt_number

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SMALL_SCALE = 0.1  # the non-browser tests use a tenth of the firms
BROWSER_REPLICATIONS = 4  # the page's default (20) costs 60 runs at full population on its first load


def small(name: str = "baseline", **changes):
    d = load_scenario(REPO / "scenarios" / f"{name}.yaml").resolved_dict()
    d["population"]["scale"] = SMALL_SCALE
    d.update(changes)
    return scenario_from_dict(d)


# --- levers: slider positions as scenario edits -------------------------------------------------


def test_levers_round_trip_through_yaml_as_named_instruments(tmp_path):
    base = load_scenario(REPO / "scenarios" / "baseline.yaml")
    lev = (lv.Levers(subsidy_rate=0.3, subsidy_meur_per_year=5, subsidy_provinces=("LI",),
                     training_meur_per_year=10, training_provinces=("GR", "DR"), training_years=(2027, 2028))
           .with_fieldlabs("LI", 2).with_capacity("LI", 9).with_fieldlabs("GR", 1).with_outreach("zuid", 1.5))
    s = lv.apply(base, lev, {"bass_q": 0.5, "knowledge_spillover": 0.1, "productivity_gain": 0.15}, 6, 99)
    names = [p.name for p in s.policies]
    assert s.name == "baseline_dashboard" and s.seed == 99 and s.replications == 6
    assert s.parameters == {"bass_q": 0.5}  # the two sliders left at their values are no overrides
    assert {"dashboard_fieldlabs_LI", "dashboard_fieldlabs_GR", "dashboard_outreach_zuid", "dashboard_subsidy",
            "dashboard_training"} <= set(names)
    assert sum(n.startswith("dashboard_outreach_") for n in names) == 1  # one hub region only
    limburg = s.instrument("dashboard_fieldlabs_LI")  # a Limburg advisor adds fieldlabs in Limburg alone
    assert (limburg.count, limburg.capacity_per_year, limburg.start, limburg.end) == (2, 9, lv.LEVER_START, "2030Q4")
    assert list(limburg.provinces) == ["LI"]
    assert limburg.budget_eur == 2 * lv.FIELDLAB_EUR_PER_YEAR * 5  # 2026Q1-2030Q4: five years
    training = s.instrument("dashboard_training")
    assert (training.start, training.end, sorted(training.provinces)) == ("2027Q1", "2028Q4", ["DR", "GR"])
    assert training.budget_eur == 10e6 * 2
    assert list(s.instrument("dashboard_subsidy").provinces) == ["LI"]
    exported = tmp_path / "exported.yaml"
    exported.write_text(to_yaml(s))
    assert load_scenario(exported).content_hash() == s.content_hash()  # what `run.py run` reads
    assert lv.apply(base, lv.Levers(), {"bass_q": 0.38}, 20, base.seed).content_hash() == base.content_hash()
    # A rate without a budget, or a budget without a rate, adds nothing (the page links them).
    assert lv.lever_instruments(lv.Levers(subsidy_rate=0.3), "2030Q4") == []
    assert lv.lever_instruments(lv.Levers(subsidy_meur_per_year=3), "2030Q4") == []


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
        # (baseline.yaml gives the EDIHs a rate; its fieldlabs spread their budget over
        # fieldlab-quarters so that every fieldlab costs the same.)
        if was.eur_per_quarter is not None:
            assert ins.budget_eur == was.budget_eur
        else:
            assert ins.budget_eur < was.budget_eur
    assert (base.instrument("edih_noord").eur_per_quarter is not None) == rate_given
    assert cut.instrument("hub_noord") == base.instrument("hub_noord")  # ended in 2021: untouched
    later = lv.apply(base, lv.Levers(end_year=2026).with_fieldlabs("GR", 1), {}, 4, base.seed)
    assert later.instrument("dashboard_fieldlabs_GR").end == "2026Q4"


def test_levers_on_the_counterfactual_itself_compare_against_it():
    none = load_scenario(REPO / "scenarios" / "no_policy.yaml")
    s = lv.apply(none, lv.Levers(training_meur_per_year=3), {}, 2, 1)
    assert Path(s.counterfactual).name == "no_policy.yaml"
    fl = load_scenario(REPO / "scenarios" / "fieldlab_expansion_north.yaml")
    assert Path(lv.apply(fl, lv.Levers(), {}, 2, 1, against_base=True).counterfactual).name == \
        "fieldlab_expansion_north.yaml"


# --- compute: the same numbers as the command line's ensemble ------------------------------------


def test_runner_matches_run_ensemble_and_reuses_the_counterfactual(runner):
    s = small(replications=3, seed=5)
    first = compute(s, runner)
    expected = run_ensemble(ensemble_spec(s, load_counterfactual(s)))
    pd.testing.assert_frame_equal(first.summary, summary_frame(expected))
    edited = lv.apply(s, lv.Levers().with_fieldlabs("GR", 3), {}, 3, 5)
    second = compute(edited, runner)
    assert (first.new_runs, second.new_runs) == (6, 3)  # the counterfactual came from the cache
    pd.testing.assert_frame_equal(second.summary, summary_frame(
        run_ensemble(ensemble_spec(edited, load_counterfactual(edited)))))
    assert not second.summary.equals(first.summary)


def test_a_stale_computation_stops_and_returns_nothing(runner):
    s = small(replications=6, seed=11)
    assert compute(s, runner, is_current=lambda: False) is None


def test_the_levers_view_is_the_scenario_against_itself_without_levers(runner):
    """Three arms at once give the same numbers as `run.py run` of each comparison on its own."""
    s = small(replications=3, seed=8)
    lev = lv.Levers().with_fieldlabs("OV", 2)
    edited, plain = lv.apply(s, lev, {}, 3, 8), lv.apply(s, lv.Levers(), {}, 3, 8)
    c = compute(edited, runner, plain=plain)
    assert c.view("levers").comparison == "levers" and c.view("scenario").comparison == "scenario"
    against_plain = scenario_from_dict({**edited.resolved_dict(), "counterfactual": "baseline"})
    against_plain = against_plain.model_copy(update={"population": s.population})
    cf = load_counterfactual(against_plain)
    pd.testing.assert_frame_equal(c.view("levers").summary, summary_frame(
        run_ensemble(ensemble_spec(against_plain, cf))))
    pd.testing.assert_frame_equal(c.view("scenario").summary, summary_frame(
        run_ensemble(ensemble_spec(edited, load_counterfactual(edited)))))
    # No levers: nothing to add, so the page falls back to the scenario against no policy.
    none = compute(plain, runner, plain=plain)
    assert not none.available("levers") and none.view("levers").comparison == "scenario"


def test_the_pages_summary_csv_is_the_command_lines_with_calibrated_parameters(tmp_path, monkeypatch, runner):
    """The page's summary CSV has summary.csv's columns, `parameters` and `parameter_share`
    included, and its values, on the shipped posterior (the browser test runs registry defaults)."""
    from smartregion.calibration.parameterisation import apply, choose
    from smartregion.viz.compute import Outcome
    from smartregion.viz.explorer import summary_csv

    monkeypatch.setenv("SMARTREGION_PARAMETERS", "calibrated")
    par = choose()
    s = small(replications=6, seed=5)  # 3 pairs of replications share a draw: the least with a share
    # The shared runner's cache holds this scenario's runs on the registry defaults (seed 5,
    # above): the calibrated ones must not be handed those (their key holds the posterior).
    results, _ = runner.run(apply(ensemble_spec(s, load_counterfactual(s)), par))
    page = pd.read_csv(io.StringIO(summary_csv(Outcome(s, results, 0.0, 0), par)))
    (tmp_path / "s.yaml").write_text(to_yaml(s))
    done = subprocess.run([sys.executable, "run.py", "run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"),
                           "--parameters", "calibrated", "--no-progress"], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert list(page.columns) == list(cli.columns) and page["parameter_share"].notna().any()
    assert page["parameters"].iloc[0].startswith("parameters: calibrated")
    pd.testing.assert_frame_equal(cli, page, check_exact=False, rtol=1e-12)


def test_the_compare_tab_runs_the_parameterisation_of_the_page(monkeypatch):
    """Calibrated by default, as `run.py compare` and the explorer: every arm draws from the
    posterior (the tab ran the registry defaults, and the shared result cache, whose key does
    not hold the draw, mixed its runs with the explorer's calibrated ones)."""
    from smartregion.calibration.parameterisation import Parameterisation, choose
    from smartregion.viz.compare_view import arms, compare_spec

    monkeypatch.setenv("SMARTREGION_PARAMETERS", "calibrated")
    ok, _, cf = arms(["baseline", "skills_offensive"], 2, 3)
    calibrated = compare_spec(ok, cf, 3, 2, choose())
    assert set(calibrated.arms) == {"baseline", "skills_offensive", "counterfactual"}
    assert all(a.draw_parameters is not None for a in calibrated.arms.values())
    assert all(a.draw_parameters is None for a in compare_spec(ok, cf, 3, 2, Parameterisation("defaults")).arms.values())


def test_the_report_png_is_drawn_in_the_pages_language(runner):
    """Every word drawn on the report (titles, axis and tick labels, legends, cards, notes) is
    in the page's language; the PNG's Description chunk is read from the drawn figure."""
    from smartregion.viz.explorer import title_of
    from smartregion.viz.report_png import report_png
    from smartregion.viz.views import decomposition_html

    o = compute(small(replications=3, seed=5), runner)
    drawn = {}
    for lang in ("nl", "en"):
        sentence = re.sub(r"<[^>]+>", "", decomposition_html(o, "NL", "subject_plain", lang))
        png = report_png(o, title_of(o, "baseline", "no_policy", lang), sentence, "", "python run.py run x.yaml",
                         "NL", lang)
        drawn[lang] = png_text(png)
        assert drawn[lang]["Language"] == lang
    nl, en = drawn["nl"]["Description"], drawn["en"]["Description"]
    assert english_in(nl) == [], english_in(nl)
    assert "Smart Industry, voortgezet" in nl and "Extra banen sinds 2014 (Nederland)" in nl
    assert "jaar" in nl.split("\n") and "Opnieuw draaien met dezelfde getallen: python run.py run x.yaml" in nl
    assert "Extra jobs since 2014 (the Netherlands)" in en and "year" in en.split("\n")
    assert english_in(en)  # the same walk finds the English report's words


@pytest.mark.parametrize("spend, jobs, says, never", [
    (-830_287 * 10, 10, "saves EUR 8.3M of public money and adds 10 jobs", "-"),
    (5e6, -3, "adds no net jobs, so the cost per job is unbounded", "per net job"),
    (5e6, 0.2, "cost per job is unbounded", "per net job"),
    (-2e6, -4, "saves EUR 2.0M of public money and loses 4 jobs", "per net job"),
    (100, 12, "no extra public money", "per net job"),
    (3e6, 10, "EUR 300k per net job", "unbounded"),
])
def test_money_is_said_in_words_never_as_a_negative_cost_per_job(spend, jobs, says, never):
    from smartregion.viz.views import money_sentence

    text = money_sentence(spend, jobs, spend / jobs, 2e5, 4e5)
    assert says in text and never not in text.replace("90% band", "")


def test_fair_sharing_a_small_request_overtakes_a_large_one(runner):
    """Two requests at once: the small one (a lever move) finishes before the large one (50
    replications), however late it arrives; each gets the numbers it would get alone."""
    import threading

    big, little = small(replications=16, seed=21), small(replications=2, seed=22)  # seeds no other test uses
    finished, started = [], threading.Event()
    t = threading.Thread(target=lambda: finished.append(("big", compute(big, runner, on_first=lambda _: started.set()))))
    t.start()
    # The small request arrives while the large one holds both workers: once its first
    # replications are done (a fixed wait was not enough with the shared runner's warm workers:
    # the large request was done within it).
    assert started.wait(timeout=300) and t.is_alive(), "the large request was done before the small one came"
    alone = compute(little, runner)
    finished.append(("little", alone))
    t.join()
    assert [name for name, _ in finished] == ["little", "big"]
    assert (alone.new_runs, finished[1][1].new_runs) == (4, 32)  # neither came from the shared cache
    pd.testing.assert_frame_equal(alone.summary, summary_frame(run_ensemble(ensemble_spec(
        little, load_counterfactual(little)))))


def test_a_shared_link_restores_the_state_and_refuses_what_does_not_fit():
    from smartregion.viz import link

    lev = lv.Levers(training_meur_per_year=4.0, training_years=(2027, 2029)).with_fieldlabs("LI", 3)
    q = link.encode("fieldlab_expansion_north", lev, {"bass_q": 0.5}, 12, 7, "scenario")
    state, bad = link.decode(q, 50)
    assert bad == [] and state == {"scenario": "fieldlab_expansion_north", "levers": lev,
                                   "parameters": {"bass_q": 0.5}, "replications": 12, "seed": 7,
                                   "comparison": "scenario"}
    state, bad = link.decode("scenario=../etc/passwd&replications=500&levers=%7B%22x%22%3A1%7D&seed=-1"
                             "&levers=%7B%22fieldlabs%22%3A%5B1%5D%7D", 50)
    assert state == {} and sorted(bad) == ["levers", "replications", "scenario", "seed"]
    state, bad = link.decode("levers=%7B%22subsidy_rate%22%3A%22lots%22%7D", 50)  # {"subsidy_rate": "lots"}
    assert state == {} and bad == ["levers"]


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


def test_single_run_shows_a_firms_peers_fieldlab_members_hubs_and_the_run_without_policy():
    from smartregion.viz.single_run import ScenarioRun, fieldlabs_hubs_html, firm_html, twin_html, twin_of

    s = small(replications=2, seed=3)
    model = ScenarioRun(s, replication=1)
    twin = twin_of(model)
    for _ in range(24):
        model.step()
        twin.step()
    i = int(np.argmax(np.diff(model.pop.peers.indptr)))  # the best-connected firm
    text = firm_html(model, twin, i)
    assert f"Its {np.diff(model.pop.peers.indptr)[i]} peers" in text and "without policy:" in text
    _, arms = run_replication(ReplicationTask(1, replication_seeds(s.seed, 2)[1], ensemble_spec(
        s, load_counterfactual(s)).arms))
    # The twin is the counterfactual arm of the same replication, quarter by quarter.
    np.testing.assert_array_equal(twin.result().metrics[:24], arms["counterfactual"].metrics[:24])
    members = int((model.firms_state.fieldlab >= 0).sum())
    assert "Open fieldlabs:" in fieldlabs_hubs_html(model) and members > 0
    # Instruments are named in words, with their years; the scenario file's identifiers
    # (hub_noord) only on hover, so that the Dutch page has no English identifiers.
    dutch = fieldlabs_hubs_html(model, "nl")
    assert '<td title="hub_noord">Inzet van de hub 2018\u20132021</td><td>Groningen, Friesland, Drenthe</td>' in dutch
    shown = re.sub(r'title="[^"]*"', "", dutch)
    assert not [ins.name for ins in model.policy.instruments if ins.name in shown]
    assert "with policy" in twin_html(model, twin)


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


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must have Debian's chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); the browser tests need it")


@contextlib.contextmanager
def serve():
    """A real `run.py dashboard` on a free port: (its URL, its process). The browser tests here
    and in test_hardening.py share one (conftest.py's `server` fixture); each module opens its
    own page on it."""
    need_chromium()
    from smartregion.viz.assets import ensure

    ensure()
    port = _free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"dashboard-test-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)], cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 90
            while time.time() < deadline:
                assert proc.poll() is None, f"the dashboard exited with {proc.returncode}: see {log_path}"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail(f"the dashboard did not listen on port {port} within 90 s: see {log_path}")
            yield f"http://127.0.0.1:{port}/", proc
        finally:
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
        # A shared link's query sets the replications and the language (the page opens in Dutch;
        # these tests read its English words); dev=1 shows Mesa's developer controls.
        pg.goto(server + f"?replications={BROWSER_REPLICATIONS}&lang=en&dev=1")
        wait_idle(pg)
        headline_shown(pg)
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
           or box.get_attribute("data-busy") != "0"):
        assert time.time() < deadline, f"no results after {timeout} s: {status(pg)}"
        time.sleep(0.02)


def headline_shown(pg) -> None:
    """Until the headline cards are on the page. They are a widget of their own and can arrive a
    moment after the status says the numbers are shown: seen when the numbers came at once from
    the server's result cache (the server is shared with test_hardening.py, conftest.py)."""
    pg.locator("[data-testid=headline] [data-metric]").first.wait_for()


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
    assert f"{BROWSER_REPLICATIONS} runs of each arm" in status(page)
    assert "every firm of the Netherlands" in status(page)
    assert set(headline_texts(page)) >= {"net_jobs", "net_adopters", "reshored_jobs", "cost_per_net_job_eur"}
    # No lever moved yet: the page says so and shows the scenario against no policy.
    assert page.get_by_text("Your levers add nothing yet").is_visible()
    assert page.locator("[data-testid=status]").get_attribute("data-comparison") == "scenario"
    # Too few runs for a stable band, and the page says so, with what the band carries.
    assert page.locator("[data-testid=indicative]").is_visible()
    assert page.get_by_text("They carry chance only").is_visible()
    charts = page.locator("[data-testid=chart]")
    assert charts.count() == 4
    for chart in charts.all():  # differences: a mean line over its band, a zero line
        assert chart.locator("[data-series] polyline").count() >= 1
        assert chart.locator("[data-series] polygon").count() == chart.locator("[data-series] polyline").count()
        assert chart.bounding_box()["height"] > 200
    assert page.locator("[data-testid=chart] [data-series=difference]").count() == 3
    tiles = page.locator("[data-testid=tile-map] [data-province]")
    assert tiles.count() == 12
    fills = {t.locator("rect").get_attribute("fill") for t in tiles.all()}
    assert len(fills) > 3  # coloured by value, not one colour
    rows = page.locator("[data-testid=province-table] tbody tr")
    assert rows.count() == 13 and rows.last.get_attribute("data-province") == "NL"


def test_a_slider_recomputes_in_the_background_and_changes_the_numbers(page):
    before, scenario = headline_texts(page), wanted(page)
    map_before = page.locator("[data-testid=tile-map]").inner_html()
    t0 = time.perf_counter()
    nudge(page, "fieldlabs")
    wait_idle(page, scenario)
    latency = time.perf_counter() - t0
    after = headline_texts(page)
    assert after != before
    assert page.locator("[data-testid=tile-map]").inner_html() != map_before
    assert page.get_by_text("New fieldlabs in Groningen: 1").is_visible()
    print(f"\nslider -> redrawn numbers: {latency:.2f} s ({status(page).strip()})")
    # By default the page shows what the lever adds on top of the scenario, in words too.
    assert page.locator("[data-testid=status]").get_attribute("data-comparison") == "levers"
    assert "What your levers add to “Smart Industry, continued”" in page.locator(".sr-title").inner_text()
    words = page.locator("[data-testid=decomposition]").inner_text()
    assert words.startswith("By 2030Q4, in the Netherlands, your levers ") and "lost to automation" in words
    assert "-EUR" not in words and "EUR -" not in words
    charts_before = page.locator(".sr-charts").inner_html()

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
    assert page.locator(".sr-charts").inner_html() != charts_before  # both arms moved; their difference too
    print(f"parameter -> redrawn numbers: {latency:.2f} s ({status(page).strip()})")
    # One click away: the scenario with the lever against no policy.
    page.locator(".sr-comparison [data-comparison=scenario]").click()
    page.locator(".sr-title", has_text="“Smart Industry, continued” with your levers against no policy"
                 ).wait_for()
    assert page.locator("[data-testid=status]").get_attribute("data-comparison") == "scenario"
    assert headline_texts(page)["net_jobs"] != after["net_jobs"]
    page.locator(".sr-comparison [data-comparison=levers]").click()
    page.locator(".sr-title", has_text="What your levers add").wait_for()


def test_every_word_exists_in_dutch_and_english_with_the_same_blanks():
    import string

    from smartregion.viz import words

    blanks = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}
    for key, (en, nl) in words.TEXTS.items():
        assert en.strip() or key.startswith("particle_"), key
        assert nl.strip() or key.startswith("particle_"), key
        assert blanks(en) == blanks(nl), key
    from smartregion.model.regions import SECTORS

    assert set(words.SECTOR_NAMES) == set(SECTORS)
    for table in (words.PARAMETER_NAMES, words.PARAMETER_HELP, words.UNIT_NAMES, words.STAGE_NAMES,
                  words.SECTOR_NAMES):
        assert all(en and nl for en, nl in table.values())
    shipped = {p.stem for p in (REPO / "scenarios").glob("*.yaml")}
    assert set(words.SCENARIO_NL) == set(words.SCENARIO_TITLES) == shipped
    assert all(en and nl and en != nl for en, nl in words.SCENARIO_TITLES.values())
    assert all(all(row) for row in words.GLOSSARY)
    assert words.fmt_number(-8_301_234, "EUR", lang="nl") == "€ -8,3 mln"
    assert words.fmt_number(322_400, "EUR/job", lang="nl") == "€ 322.000"
    assert words.fmt_number(1234.5, "jobs", lang="nl") == "+1.234"
    assert words.fmt_number(3.234, "kEUR/worker", lang="nl") == "+3,23"


# English words that have no place on the Dutch page (file names, units such as EUR in a
# command line are not on this list; nor is "of", which is Dutch too).
ENGLISH = ("the", "and", "with", "without", "jobs", "job", "firms", "firm", "spending", "levers", "lever",
           "policy", "runs of each", "Computing", "ready", "band includes", "cost per", "Glossary", "Upload",
           "Shipped", "Region", "Province", "Quarter", "Map metric", "Net", "Public", "Extra adopting",
           "productivity", "Training", "Subsidy", "Capacity", "Active", "Programme", "Reset", "Take it away",
           "Summary", "Report", "Link to", "Rerun", "Explorer", "Compare", "Single run", "difference", "created",
           "lost", "reshored", "saves", "unbounded", "adds", "remove", "Netherlands", "Uncertain", "Imitation",
           "spillover", "gain", "replications", "Colour", "range", "red", "blue", "Indicative", "Bands", "per worker",
           "a year", "every province", "what your", "against", "scenario with", "no policy", "recomputing",
           # the single-run tab's controls, a range slider's thumbs, a refused file's frame, the report PNG
           "Step", "Play", "Pause", "Replication", "Stage changes", "peers", "first year", "last year", "year",
           "Not loaded", "says", "stays", "Scenario reader", "Rerun with", "population scale", "Extra jobs",
           "continued", "North", "Hubs double", "Retraining", "Support for", "alone", "stops", "food", "textiles",
           "chemicals", "plastics", "metal", "electronics", "machinery", "transport equipment", "other manufacturing")


def visible_text(pg) -> str:
    """What a reader sees or hears: the page's text, the words inside its charts and map (SVG)
    and the accessible names of its controls, less the parts marked as English on purpose
    (lang="en": a scenario reader's own line, the language switch)."""
    return pg.evaluate("""() => {
        let text = document.body.innerText + ' \\n ' + Array.from(
            document.querySelectorAll('svg text, svg title')).map(t => t.textContent).join(' \\n ') + ' \\n ' +
            Array.from(document.querySelectorAll('[aria-label]')).map(e => e.getAttribute('aria-label')).join(' \\n ');
        document.querySelectorAll('[lang=en]').forEach(e => { text = text.split(e.innerText).join(' '); });
        return text; }""")


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG (viz/report_png.py writes every word it draws into one)."""
    from PIL import Image

    return dict(Image.open(io.BytesIO(png)).text)


def english_in(text: str) -> list[str]:
    text = " ".join(text.split())  # a name wrapped over two lines is still that name
    for name in ("run.py compare", "run.py run", "Region of Smart Factories"):  # commands, a programme's name
        text = text.replace(name, "")
    return sorted({w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})


def test_the_page_opens_in_dutch_with_no_english_left(page, server):
    """Dutch is the default (the main users are Dutch provincial advisors): the page, after a
    lever move (the computed sentences, the levers view, a year slider's two thumbs), a refused
    scenario, the compare and single-run tabs and the downloaded report have none of a list of
    English words; a click switches to English, and the shareable link carries the language."""
    pg = page.context.browser.new_page(viewport={"width": 1500, "height": 2200}, accept_downloads=True)
    pg.set_default_timeout(90_000)
    pg.goto(server + f"?replications={BROWSER_REPLICATIONS}")
    wait_idle(pg)
    pg.get_by_text("Beleidsknoppen").wait_for()
    assert pg.get_by_role("tab", name="Verkenner").is_visible()
    assert pg.get_by_text("Smart Industry, voortgezet").first.is_visible()  # not "baseline"
    scenario = wanted(pg)
    nudge(pg, "fieldlabs")  # the levers view: the decomposition and money sentences
    wait_idle(pg, scenario)
    pg.get_by_text("Woordenlijst").click()  # the glossary, opened
    pg.locator("[data-testid=glossary]").wait_for()
    years = pg.locator("[data-lever=fieldlab_years] [role=slider]")  # a range slider: two thumbs, named
    assert [t.get_attribute("aria-label") for t in years.all()] == [
        f"Actief van 2026 tot en met 2030 ({w} jaar)" for w in ("eerste", "laatste")]
    pg.get_by_text("Scenario-YAML uploaden of plakken").click()  # a refused scenario: its frame in Dutch
    pg.get_by_label("YAML plakken").fill("name: typo\nhorizon: {start: 2014Q1, end: 2030Q5}\n")
    pg.get_by_role("button", name="Geplakte YAML gebruiken").click()
    error = pg.locator(".sr-load-error")
    error.locator(".sr-reader-line").wait_for()  # the frame's words come a moment after the alert
    assert error.inner_text().startswith("Niet geladen; het vorige scenario blijft in gebruik.")
    assert error.locator(".sr-reader-line[lang=en]").inner_text().startswith("geplakte YAML: horizon.end")
    texts = {"levers view": visible_text(pg)}
    ticks = pg.evaluate("() => Array.from(document.querySelectorAll('[data-testid=chart] text')).map(t => t.textContent)")
    english_number = r"-?[1-9]\d{0,2}(,\d{3})+|-?\d+\.\d{1,2}|-?0\.\d+"  # 12,500, 2.5, 0.125: not 12.500, 2,5
    assert not [t for t in ticks if re.fullmatch(english_number, t)], ticks
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Rapport van deze weergave (PNG)").click()
    report = png_text(Path(dl.value.path()).read_bytes())
    assert report["Language"] == "nl" and "Extra banen sinds 2014" in report["Description"]
    texts["report PNG"] = report["Description"]
    pg.locator(".sr-comparison [data-comparison=scenario]").click()
    pg.locator(".sr-title", has_text="tegenover geen beleid").wait_for()
    pg.get_by_label("Kaart toont").click(force=True)
    pg.get_by_role("option", name="Invoeringsgraad").click()
    pg.locator("[data-testid=tile-map]", has_text="Invoeringsgraad").wait_for()
    texts["scenario view"] = visible_text(pg)
    pg.get_by_role("tab", name="Scenario's vergelijken").click()
    pg.locator("[data-testid=compare-status][data-ready='1']").wait_for(state="attached", timeout=300_000)
    texts["compare tab"] = visible_text(pg)
    assert "Vier extra fieldlabs in het Noorden" in texts["compare tab"]
    pg.get_by_role("tab", name="Eén run").click()  # the run's own controls, in Dutch
    step = pg.get_by_role("button", name="Stap", exact=True)
    for n in (1, 2):
        step.click()
        pg.get_by_text(f"Stap: {n}", exact=True).wait_for()
    pg.get_by_text("Fasewisselingen dit kwartaal:").wait_for()
    pg.locator("table.sr-table td", has_text="→").first.wait_for()  # the firms that changed, with their sector
    texts["single-run tab"] = visible_text(pg)
    shot(pg, "single_run_dutch")
    pg.get_by_role("button", name="Opnieuw").click()
    pg.get_by_text("Stap: 0", exact=True).wait_for()
    texts["single-run tab, reset"] = visible_text(pg)
    pg.get_by_role("tab", name="Verkenner").click()
    pg.locator("[data-testid=headline]").wait_for()
    for where, text in texts.items():
        found = english_in(text)
        assert not found, f"English on the Dutch page ({where}): {found}"
    assert "Netto banen" in texts["levers view"] and "Arbeidsproductiviteit" in texts["levers view"]
    assert "Publieke kosten per netto baan" in texts["levers view"]
    assert "Nieuwe fieldlabs in Groningen: 1" in texts["levers view"]
    assert re.search(r"Tot 2030K4 (leveren|kosten) uw knoppen in Nederland", texts["levers view"])
    with pg.expect_popup() as popup:  # the shareable link carries the language
        pg.locator("[data-testid=share-link]").click()
    assert "lang=" not in popup.value.url  # Dutch, the default
    popup.value.close()
    pg.locator(".sr-lang button[data-lang=en]").click()
    pg.get_by_text("Policy levers").wait_for()
    pg.locator("[data-testid=share-link][href*='lang=en']").wait_for()  # the link follows a moment later
    with pg.expect_popup() as popup:
        pg.locator("[data-testid=share-link]").click()
    assert "lang=en" in popup.value.url
    popup.value.close()
    pg.close()


def test_accessible_sliders_and_nothing_covers_the_table(page, server):
    """Slider names for screen readers, and the Solara badge gone from over the table, at the
    two screen sizes the docs show."""
    thumb = page.locator("[data-lever=training_meur_per_year] [role=slider]")
    assert thumb.get_attribute("aria-label").startswith("Training budget, EUR M a year: ")
    assert page.locator("[data-lever=bass_q]").get_attribute("title").startswith("bass_q")
    page.set_viewport_size({"width": 1024, "height": 720})  # the sidebar folds away behind the app bar's button
    nav = page.locator(".v-app-bar-nav-icon")
    nav.wait_for()
    assert nav.get_attribute("aria-label") == "Show or hide the controls"
    icon = page.evaluate("""() => getComputedStyle(document.querySelector('.v-app-bar-nav-icon .v-btn__content'),
                                                    '::before').content""")
    assert icon == '"\u2630"'  # three bars: the button shows what it is for
    for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080}):
        page.set_viewport_size(size)
        page.locator("[data-testid=province-table] tr[data-province=NL]").scroll_into_view_if_needed()
        badge = page.locator("a[href='https://solara.dev']")
        assert badge.count() == 0 or not badge.first.is_visible()
    page.set_viewport_size({"width": 1500, "height": 2200})


def test_a_shared_link_restores_scenario_levers_seed_and_replications(page, server):
    query = ("scenario=fieldlab_expansion_north&replications=3&seed=11&comparison=scenario&lang=en"
             "&levers=%7B%22fieldlabs%22%3A%5B0%2C0%2C0%2C0%2C0%2C0%2C0%2C0%2C0%2C0%2C0%2C2%5D%7D")
    other = page.context.browser.new_page(viewport={"width": 1280, "height": 720})
    other.set_default_timeout(90_000)
    other.goto(server + "?" + query)
    wait_idle(other, timeout=300)
    assert other.locator("[data-testid=status]").get_attribute("data-base") == "fieldlab_expansion_north"
    assert "3 runs of each arm" in status(other) and "seed 11" in status(other)
    assert other.locator("[data-testid=status]").get_attribute("data-comparison") == "scenario"
    other.locator(".v-select", has_text="Fieldlabs in province").click()
    other.get_by_role("option", name="Limburg", exact=True).click()
    other.get_by_text("New fieldlabs in Limburg: 2").wait_for()
    other.get_by_role("tab", name="Single run").click()  # Mesa's developer controls: hidden without dev=1
    other.get_by_role("button", name="Step").wait_for()
    other.locator(".v-label", has_text="Use Threads").wait_for(state="hidden")
    assert not other.locator(".v-label", has_text="Render Interval").is_visible()
    other.close()


def test_bad_yaml_shows_one_readable_line_and_the_page_stays_usable(page):
    page.get_by_text("Upload or paste a scenario YAML").click()
    box = page.get_by_label("Paste YAML")
    box.fill("name: typo\npolicies:\n  - {type: fieldlabz, start: 2026Q1, end: 2030Q4, budget_eur: 1}\n")
    page.get_by_role("button", name="Use pasted YAML").click()
    error = page.locator(".sr-load-error")
    error.locator(".sr-reader-line").wait_for()  # the frame's words come a moment after the alert
    assert error.inner_text().startswith("Not loaded; the scenario before it stays in use.")  # the page's frame
    text = error.locator(".sr-reader-line[lang=en]").inner_text().strip()  # the command line's own line
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
    assert page.get_by_text("Training budget, EUR M a year: 1").is_visible()
    assert headline_texts(page) != before
    # A valid paste replaces the scenario.
    box.fill("name: pasted_expansion\nextends: baseline\npolicies:\n  - {name: extra, type: fieldlab, "
             "provinces: [LI], count: 2, start: 2026Q1, end: 2030Q4, budget_eur: 6_000_000}\n")
    scenario = wanted(page)
    page.get_by_role("button", name="Use pasted YAML").click()
    wait_idle(page, scenario)
    assert page.get_by_text("Using uploaded: pasted YAML").is_visible()
    assert page.locator(".sr-load-error").count() == 0
    assert "“pasted_expansion” against no policy" in page.locator(".sr-title").inner_text()


def pick(pg, name: str, lang: str = "en") -> None:
    """Choose the shipped scenario of file `name` by its name on the page."""
    from smartregion.viz.words import scenario_title, tr

    if pg.locator("[data-testid=status]").get_attribute("data-base") == name:
        return
    scenario = wanted(pg)
    pg.get_by_label(tr("shipped_scenario", lang)).click(force=True)  # Vuetify lays its field over the input
    pg.get_by_role("option", name=scenario_title(name, lang), exact=True).click()
    wait_idle(pg, scenario)


def test_a_file_picker_and_a_good_file_clears_the_old_error(page, tmp_path):
    """Keyboard users choose a file instead of dragging one; after a bad file a good one
    replaces the scenario and the old error goes."""
    picker = page.locator(".sr-file-pick input[type=file]")
    if not page.locator(".sr-file-pick label").is_visible():
        page.get_by_text("Upload or paste a scenario YAML").click()
    page.get_by_label("Or choose a file…").wait_for(state="attached")  # a labelled control (seen: its label)
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text("name: bad\nhorizon: {start: 2014Q1, end: 2030Q5}\n")
    good.write_text("name: picked\nextends: baseline\n")  # the baseline's runs: all in the cache
    picker.set_input_files(str(bad))
    page.locator(".sr-load-error", has_text="bad.yaml: horizon.end").wait_for()
    scenario = wanted(page)
    picker.set_input_files(str(good))
    page.locator("[data-testid=status][data-base='uploaded: good.yaml']").wait_for()
    wait_idle(page, scenario)
    page.locator(".sr-load-error").wait_for(state="detached", timeout=15_000)  # the old error goes


def test_compare_tab_puts_scenarios_side_by_side_as_run_py_compare(page):
    page.get_by_role("tab", name="Compare scenarios").click()
    page.locator("[data-testid=compare-status][data-ready='1']").wait_for(state="attached", timeout=300_000)  # an empty marker div: attached, never 'visible'
    rows = page.locator("[data-testid=compare-table] tbody tr")
    # The marker and the table are separate widgets: the browser may set the one before it has
    # drawn the other (seen once the page's veil stopped costing the browser a repaint).
    rows.nth(1).wait_for(state="attached")
    assert rows.count() >= 2
    north = page.locator("[data-testid=compare-table] tr[data-scenario=fieldlab_expansion_north] td")
    assert north.count() == 4 + 12  # name, NL net jobs, spend, jobs per EUR M, then 12 provinces
    assert north.nth(3).inner_text() != "n/a"  # it spends more than no policy: a ratio
    shot(page, "compare")
    page.get_by_role("tab", name="Explorer").click()
    page.locator("[data-testid=headline]").wait_for()


def test_exported_yaml_reproduces_the_shown_numbers_through_run_py(page, tmp_path):
    """What the levers add (the default view) goes out as a file that compares the scenario
    with the levers against the scenario's own file."""
    pick(page, "baseline")
    scenario = wanted(page)
    nudge(page, "outreach_zuid")
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
    assert any(p["name"] == "dashboard_outreach_zuid" for p in doc["policies"])
    assert Path(doc["counterfactual"]).stem == "baseline"
    out = tmp_path / "rerun"
    done = subprocess.run([sys.executable, "run.py", "run", str(exported), "--out", str(out), "--seed",
                           str(doc["seed"]), "--replications", str(doc["replications"]), "--no-progress"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out / "summary.csv")
    # The same columns in the same order, which parameters ran and each band's parameter share
    # included, and the same values.
    assert list(page_csv.columns) == list(cli.columns)
    assert {"parameters", "parameter_share"} <= set(cli.columns)  # empty shares here: the suite runs the
    # registry defaults (tests/conftest.py); test_the_pages_summary_csv_... checks them calibrated
    pd.testing.assert_frame_equal(cli, page_csv, check_exact=False, rtol=1e-12)
    nl = cli[cli["province"] == "NL"].set_index("metric")
    units = {"net_jobs": "jobs", "net_adopters": "firms", "reshored_jobs": "jobs", "extra_public_spend_eur": "EUR"}
    for metric, unit in units.items():
        assert shown[metric] == fmt_number(nl.loc[metric, "difference"], unit), metric
    with page.expect_download() as dl:
        page.get_by_role("button", name="Report of this view (PNG)").click()
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # four charts and the settings, drawn
    drawn = png_text(png)
    assert drawn["Language"] == "en" and "Extra jobs since 2014" in drawn["Description"]
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        (Path(os.environ["DASHBOARD_SCREENSHOTS"]) / "dashboard_report.png").write_bytes(png)
    from smartregion.viz.explorer import cost_card_text  # a ratio, or "saves"/"unbounded" in words

    assert shown["cost_per_net_job_eur"] == cost_card_text(nl["difference"])


def test_shipped_scenario_map_metric_and_single_run_view(page):
    pick(page, "fieldlab_expansion_north")
    assert ("“Four extra fieldlabs in the North” against “Smart Industry, continued”"
            in page.locator(".sr-title").inner_text())
    new = int(re.search(r"in all, (\d+) new", status(page)).group(1))
    assert new <= 4  # its counterfactual, baseline, was computed at page load (the compare tab may have done the rest)
    page.get_by_label("Map metric").click(force=True)
    page.get_by_role("option", name="Adoption rate").click()
    page.locator("[data-testid=tile-map]", has_text="Adoption rate (%)").wait_for()
    values = [float(t.get_attribute("data-value")) for t in page.locator("[data-testid=tile-map] [data-province]")
              .all()]
    assert all(0 < v < 100 for v in values) and len(set(values)) == 12

    page.get_by_role("tab", name="Single run").click()
    step = page.get_by_role("button", name="Step")
    step.wait_for()
    # Mesa's "Render Interval" steps the model several quarters per click: 1 -> 11.
    interval = page.locator(".v-input", has_text="Render Interval").locator("[role=slider]")
    interval.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # The slider has taken the five presses in the browser; the server may get the last of them
    # after a click (CI once showed "Step: 5" for the first click): click until one click steps
    # 11 quarters, then every click must.
    page.wait_for_function("el => el.getAttribute('aria-valuenow') === '11'", arg=interval.element_handle())
    counter = page.get_by_text(re.compile(r"^Step: \d+$"))

    def click_step() -> int:
        before = counter.inner_text()
        step.click()
        page.wait_for_function("([el, t]) => el.textContent.trim() !== t", arg=[counter.element_handle(), before],
                               timeout=60_000)
        return int(counter.inner_text().split()[1]) - int(before.split()[1])

    steps = [click_step()]
    while steps[-1] != 11 and len(steps) < 4:
        steps.append(click_step())
    steps += [click_step(), click_step()]
    assert steps[-3:] == [11, 11, 11], steps
    page.get_by_text("Stage changes this quarter:").wait_for()
    assert page.locator("table.sr-table tr").count() > 1  # the firms (Mesa agents) that changed
    shot(page, "single_run")
    assert page.failed == []
    page.get_by_role("tab", name="Explorer").click()
    page.locator("[data-testid=headline]").wait_for()
