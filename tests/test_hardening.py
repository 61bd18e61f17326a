"""Bad input never crashes: generated scenario documents, valid and broken, and the real CLI.

Hypothesis builds scenario documents from the real vocabulary (keys, instrument types, province
and sector codes, quarters, budgets) and breaks them in the ways people do: a misspelt key, a
value of the wrong kind, a quarter out of range, a patch of a parent instrument that does not
exist, raw text with YAML syntax errors or control characters. The property: reading either
gives a Scenario or raises ScenarioError whose text is one line naming the file and what is
allowed; never another exception. Valid ones also round-trip through to_yaml and run.

The CLI cases run `python run.py run` in a subprocess: exit code 2, one stderr line, no
traceback, no output or staging directory left behind.
"""

from __future__ import annotations

import math
import os
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smartregion.model.ensemble import ensemble_spec, run_replication
from smartregion.model.params import PARAMS
from smartregion.model.policies import INSTRUMENT_TYPES
from smartregion.model.regions import HUBS, PROVINCES, SECTORS, SIZE_CLASSES
from smartregion.model.scenario import (
    INSTRUMENT_MODELS,
    MAX_FILE_BYTES,
    Population,
    Scenario,
    ScenarioError,
    load_counterfactual,
    load_scenario,
    scenario_from_yaml_text,
    to_yaml,
)
from smartregion.model.timeline import format_quarter, parse_quarter

REPO = Path(__file__).resolve().parent.parent
FILE = "gen.yaml"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASELINE = load_scenario("baseline")
BASELINE_NAMES = [p.name for p in BASELINE.policies]
TOP_KEYS = ["name", "description", "extends", "counterfactual", "horizon", "seed", "replications", "parameters",
            "population", "policies"]
PARAM_NAMES = list(BASELINE.parameter_values())


def check_outcome(read) -> Scenario | None:
    """Run `read()`: a Scenario, or a ScenarioError that is one readable line. Any other
    exception fails the test (Hypothesis then shrinks the document that caused it)."""
    try:
        return read()
    except ScenarioError as e:
        msg = str(e)
        assert msg.startswith(e.file) and e.file, msg
        assert "\n" not in msg and "\r" not in msg and msg.isprintable(), repr(msg)
        assert "allowed" in msg or "write it like" in msg, msg  # every message says what would be accepted
        assert len(msg) < 2000, msg
        assert "Traceback" not in msg and "pydantic" not in msg.lower(), msg
        return None


# --------------------------------------------------------------------------------------------
# Strategies: values from the real vocabulary, and junk
# --------------------------------------------------------------------------------------------

junk = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), st.dates(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def near(word: str):
    """The word, or a typo of it (a letter dropped, doubled or changed case)."""
    return st.one_of(
        st.just(word),
        st.integers(0, max(len(word) - 1, 0)).map(lambda i: word[:i] + word[i + 1:]),
        st.integers(0, max(len(word) - 1, 0)).map(lambda i: word[:i] + word[i] * 2 + word[i + 1:]),
        st.just(word.upper()),
    )


quarter = st.builds(lambda y, q: f"{y}Q{q}", st.integers(2008, 2056), st.integers(1, 4))
good_quarter = st.builds(lambda y, q: f"{y}Q{q}", st.integers(2014, 2035), st.integers(1, 4))
codes = lambda allowed, extra=(): st.one_of(
    st.just("all"), st.lists(st.sampled_from(list(allowed) + list(extra)), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(list(allowed)).flatmap(near), min_size=1, max_size=3))
budget = st.one_of(st.floats(0, 2e9), st.integers(0, 10**9), st.floats(-1e6, 1e14), st.sampled_from([
    float("nan"), float("inf"), -1, 5e10, 5e10 + 1, "5M", "1_000_000", "1e6"]))
maybe = lambda s: st.one_of(s, junk)  # the right kind of value, mostly

FIELD_VALUES = {
    "provinces": codes(PROVINCES, HUBS), "sectors": codes(SECTORS), "themes": codes(SECTORS),
    "sizes": codes(SIZE_CLASSES), "start": quarter, "end": quarter, "end_announced": st.one_of(st.none(), quarter),
    "budget_eur": budget, "eur_per_quarter": st.one_of(st.none(), budget), "count": st.integers(-2, 250),
    "capacity_per_year": st.floats(-1, 600), "visibility_boost": st.floats(-0.5, 1.5), "rate": st.floats(-0.1, 1.2),
    "max_per_firm_eur": st.floats(0, 2e8), "cost_per_trainee_eur": st.floats(0, 2e7),
    "cost_reduction": st.floats(0, 0.7), "eur_per_job": st.floats(0, 2e7),
}


@st.composite
def instrument(draw, names):
    kind = draw(st.sampled_from(INSTRUMENT_TYPES).flatmap(near))
    fields = list(INSTRUMENT_MODELS.get(kind, INSTRUMENT_MODELS["fieldlab"]).model_fields)
    entry = {"name": draw(names), "type": kind}
    start = draw(good_quarter)
    entry.update(start=start, end=draw(st.sampled_from([start, "2030Q4", "2026Q4"])), budget_eur=draw(budget))
    for key in draw(st.lists(st.sampled_from([f for f in fields if f in FIELD_VALUES]), max_size=4, unique=True)):
        entry[key] = draw(maybe(FIELD_VALUES[key]))
    if draw(st.integers(0, 5)) == 0:  # a misspelt or missing key
        key = draw(st.sampled_from(sorted(entry)))
        value = entry.pop(key)
        if draw(st.booleans()):
            entry[draw(near(key))] = value
    return entry


patch = st.fixed_dictionaries({"name": st.sampled_from(BASELINE_NAMES).flatmap(near)}, optional={
    "end": quarter, "start": quarter, "end_announced": quarter, "budget_eur": budget, "remove": maybe(st.booleans()),
    "provinces": codes(PROVINCES, HUBS), "type": st.sampled_from(INSTRUMENT_TYPES)})


@st.composite
def document(draw):
    doc: dict = {}
    extends = draw(st.sampled_from([None, None, "baseline", "no_policy", "policy_discontinuity", "basline"]))
    if extends:
        doc["extends"] = extends
    names = st.one_of(st.none(), st.text(string.ascii_lowercase + "_", min_size=1, max_size=8))
    items = draw(st.lists(instrument(names), max_size=4))
    if extends:
        items += draw(st.lists(patch, max_size=3))
    if items or draw(st.booleans()):
        doc["policies"] = items
    doc["counterfactual"] = draw(st.sampled_from(["no_policy", "none", "baseline", "no_polcy"])) if items or \
        extends else "none"
    optional = {
        "name": maybe(st.text(string.ascii_letters + " _-", min_size=1, max_size=20)),
        "description": maybe(st.text(max_size=40)),
        "horizon": st.fixed_dictionaries({}, optional={"start": maybe(quarter), "end": maybe(quarter)}),
        "seed": maybe(st.integers(-5, 2**64)), "replications": maybe(st.integers(-1, 20_000)),
        "parameters": st.dictionaries(st.sampled_from(PARAM_NAMES).flatmap(near), maybe(st.floats(-1, 5)), max_size=3),
        "population": st.fixed_dictionaries({}, optional={"scale": maybe(st.floats(-1, 60)),
                                                         "network": st.sampled_from(["peers", "well_mixed", "peer"])}),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), max_size=5, unique=True)):
        doc[key] = draw(optional[key])
    if draw(st.integers(0, 6)) == 0:
        doc[draw(st.sampled_from(TOP_KEYS).flatmap(near))] = draw(junk)
    return doc


# Valid documents only: every value inside what validation allows, anywhere in that range
# (parameters at their hard bounds, budgets of zero, instruments outside the horizon).
VALID_FIELDS = {
    "provinces": st.one_of(st.just("all"), st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=4, unique=True),
                           st.sampled_from(sorted(HUBS))),
    "sectors": st.one_of(st.just("all"), st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True)),
    "themes": st.one_of(st.just("all"), st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True)),
    "sizes": st.one_of(st.just("all"), st.lists(st.sampled_from(SIZE_CLASSES), min_size=1, max_size=2, unique=True)),
    "eur_per_quarter": st.one_of(st.none(), st.floats(0, 5e7)), "count": st.integers(1, 200),
    "capacity_per_year": st.floats(0.1, 500), "visibility_boost": st.floats(0, 1), "rate": st.floats(0.01, 1),
    "max_per_firm_eur": st.floats(1, 1e8), "cost_per_trainee_eur": st.floats(1, 1e7),
    "cost_reduction": st.floats(0.01, 0.5), "eur_per_job": st.floats(1, 1e7),
}


def param_value(name: str):
    p = PARAMS[name]
    lo, hi = p.bounds
    return st.integers(math.ceil(lo), math.floor(hi)) if p.integer else st.floats(lo, hi)


@st.composite
def valid_instrument(draw, i: int):
    kind = draw(st.sampled_from(INSTRUMENT_TYPES))
    fields = INSTRUMENT_MODELS[kind].model_fields
    start = draw(st.integers(parse_quarter("2014Q1"), parse_quarter("2034Q4")))
    end = draw(st.integers(start, start + 40))
    entry = {"name": f"i{i}", "type": kind, "start": format_quarter(start), "end": format_quarter(end),
             "budget_eur": draw(st.one_of(st.just(0), st.floats(0, 2e9)))}
    if draw(st.booleans()):
        entry["end_announced"] = format_quarter(draw(st.integers(start, end)))
    required = [f for f, info in fields.items() if info.is_required() and f not in entry]  # rate of a subsidy
    for key in required + draw(st.lists(st.sampled_from([f for f in fields if f in VALID_FIELDS]), max_size=4,
                                        unique=True)):
        entry[key] = draw(VALID_FIELDS[key])
    return entry


@st.composite
def valid_document(draw):
    doc: dict = {}
    extends = draw(st.sampled_from([None, "baseline", "no_policy", "policy_discontinuity"]))
    if extends:
        doc["extends"] = extends
    n = draw(st.integers(0, 3))
    doc["policies"] = [draw(valid_instrument(i)) for i in range(n)]
    if extends == "baseline" and draw(st.booleans()):  # change or drop one of the parent's instruments
        name = draw(st.sampled_from(BASELINE_NAMES))
        doc["policies"].append(draw(st.sampled_from([{"name": name, "remove": True}, {"name": name, "end": "2030Q4"},
                                                     {"name": name, "budget_eur": 0}])))
    doc["counterfactual"] = "none" if not n and extends in (None, "no_policy") else "no_policy"
    start = draw(st.integers(parse_quarter("2014Q1"), parse_quarter("2040Q4")))
    doc["horizon"] = {"start": format_quarter(start), "end": format_quarter(draw(st.integers(start + 1, start + 24)))}
    doc["seed"] = draw(st.integers(0, 2**63 - 1))
    doc["parameters"] = draw(st.dictionaries(st.sampled_from(PARAM_NAMES), st.none(), max_size=3))
    doc["parameters"] = {k: draw(param_value(k)) for k in doc["parameters"]}
    doc["population"] = {"scale": draw(st.floats(0.001, 50)), "network": draw(st.sampled_from(["peers", "well_mixed"]))}
    return doc


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@FAST
@given(st.one_of(document(), valid_document()))
# Found by Hypothesis: names that load but broke the header comment of the resolved YAML.
@example({"name": "\x7f", "counterfactual": "none"})
@example({"name": "a\nb: 1", "counterfactual": "none"})
@example({"name": "\u2028\x85\ufeff", "counterfactual": "none"})
def test_generated_documents_load_or_give_one_clear_line(doc):
    s = check_outcome(lambda: scenario_from_yaml_text(dump(doc), FILE))
    if s is not None:  # valid: sane, and the resolved YAML reads back to the same scenario
        for inst in s.policies:
            assert inst.start <= inst.end and math.isfinite(inst.budget_eur)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "resolved.yaml"
            path.write_text(to_yaml(s), encoding="utf-8")
            assert load_scenario(path).content_hash() == s.content_hash()


@FAST
@given(document(), st.data())
def test_generated_documents_with_broken_text_give_one_clear_line(doc, data):
    """The YAML text itself broken: characters inserted, lines cut, indentation changed."""
    text = dump(doc)
    pos = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.one_of(
        st.sampled_from(["\t", ":", " - ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system ", "\x07",
                         "\x00", "\ufeff", '"', "'", "\n  ", "---\n", "%YAML 1.1\n", "? ", "<<: *a\n", "|\n", "\\"]),
        st.text(max_size=4)))
    cut = data.draw(st.integers(0, 3))
    broken = text[:pos] + insert + text[pos + cut:]
    check_outcome(lambda: scenario_from_yaml_text(broken, FILE))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_arbitrary_bytes_and_text_give_one_clear_line(raw):
    check_outcome(lambda: scenario_from_yaml_text(raw, FILE))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_document())
def test_valid_generated_scenarios_run(doc):
    """Whatever validates also runs: one replication against its counterfactual. The
    population is run at a fiftieth of the economy at most, to keep the test fast; the
    scenario's own scale is checked by validation (at most 50)."""
    s = check_outcome(lambda: scenario_from_yaml_text(dump(doc), FILE))
    assert s is not None, "a document built from allowed values only was refused"
    s = s.model_copy(update={"population": Population(scale=min(s.population.scale, 0.02),
                                                      network=s.population.network)})
    cf = load_counterfactual(s)
    index, arms = run_replication(ensemble_spec(s, cf, replications=1).tasks()[0])
    assert index == 0 and set(arms) == ({"policy", "counterfactual"} if cf else {"policy"})


# --------------------------------------------------------------------------------------------
# Hand-picked files through the real command line
# --------------------------------------------------------------------------------------------

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))

# One file per class of bad input through the real command line (each costs a Python start);
# test_scenario.py covers every class in-process with more variants.
CLI_CASES = {
    # class of bad input: (file content, what the one line must contain)
    "syntax": (b"extends: baseline\npolicies:\n  - name: x\n   type: training\n", "YAML syntax error"),
    "unknown key": (b"extends: baseline\nreplication: 5\n", "did you mean 'replications'"),
    "reversed dates": (b"extends: baseline\npolicies:\n  - {name: edih_oost, end: 2020Q4}\n", "is before start"),
    "absurd budget": (b"policies:\n  - {type: training, start: 2026Q1, end: 2027Q4, budget_eur: 5e13}\n",
                      "check the zeros"),
    "empty": (b"", "file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "too large": (b"# " + b"x" * MAX_FILE_BYTES + b"\n", "bytes"),
    "billion laughs": (BILLION_LAUGHS.encode(), "alias"),
    "python tag": (b'extends: baseline\nname: !!python/object/apply:os.system ["touch HACKED"]\n', "not allowed"),
    "horizon too long": (b"extends: baseline\nhorizon: {end: 2100Q4}\n", "2014Q1 to 2050Q4"),
}


def run_cli(*args, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "run.py"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})


def assert_refused(r: subprocess.CompletedProcess, out: Path, needle: str) -> None:
    lines = r.stderr.splitlines()
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert needle in lines[0], lines[0]
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()
    if out.parent.exists():
        assert [p.name for p in out.parent.iterdir() if p.name.startswith(out.name)] == []


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_file_through_the_cli_is_one_line_and_writes_nothing(case, tmp_path):
    content, needle = CLI_CASES[case]
    scenario = tmp_path / "bad.yaml"
    scenario.write_bytes(content)
    out = tmp_path / "results" / "out"
    r = run_cli("run", scenario, "--out", out, "--scale", "0.05", "--replications", "2", "--no-progress",
                cwd=tmp_path)
    assert_refused(r, out, needle)
    assert "bad.yaml" in r.stderr
    assert not (tmp_path / "results").exists()  # not even the parent it would have created
    assert not (tmp_path / "HACKED").exists()


@pytest.mark.parametrize("flags, needle", [
    (("--replications", "10001"), "--replications"), (("--scale", "nan"), "--scale"),
])
def test_limits_on_the_command_line(flags, needle, tmp_path):
    out = tmp_path / "out"
    r = run_cli("run", "scenarios/baseline.yaml", "--out", out, "--no-progress", *flags)
    assert_refused(r, out, needle)


def test_a_path_the_os_refuses_is_one_line(tmp_path):
    out = tmp_path / "out"
    r = run_cli("run", "x" * 5000 + ".yaml", "--out", out, "--no-progress")
    assert_refused(r, out, "File name too long")


# --------------------------------------------------------------------------------------------
# The dashboard: bad uploads give one line, and every other session is still served
# --------------------------------------------------------------------------------------------
# The page fixture and the page helpers are tests/test_dashboard.py's (a real `run.py dashboard`
# driven by Playwright in Debian's chromium): this module gets its own page, on the server that
# test_dashboard.py uses too (conftest.py's `server`).
from test_dashboard import (BROWSER_REPLICATIONS, headline_shown, headline_texts, nudge, page, wait_idle,  # noqa: F401
                            wanted)


def drop_file(pg, path: Path) -> None:
    """Drop a file from disk on the upload zone as a person's drag would (Chrome DevTools
    protocol): the zone reads the file through the browser's File API, as in real use."""
    box = pg.locator(".solara-file-drop").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = pg.context.new_cdp_session(pg)
    data = {"items": [], "files": [str(path)], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
    cdp.detach()


def open_upload(pg) -> None:
    """Open the sidebar's upload panel (a click on its title toggles it)."""
    if not pg.locator(".solara-file-drop").is_visible():
        pg.get_by_text("Upload or paste a scenario YAML").click()
    pg.locator(".solara-file-drop").wait_for()


def upload_error(pg, path: Path, needle: str, seconds: float = 20) -> str:
    before = pg.locator(".sr-load-error").all_inner_texts()
    t0 = time.perf_counter()
    drop_file(pg, path)
    error = pg.locator(".sr-load-error", has_text=needle)
    error.wait_for(timeout=seconds * 1000)
    # The reader's own line, inside the page's words around it (viz/explorer.py ReaderError)
    text = error.locator(".sr-reader-line").inner_text().strip()
    assert error.inner_text().strip() != (before[0].strip() if before else None) and "\n" not in text
    assert text.startswith(path.name + ":"), text
    print(f"\n{path.name}: {time.perf_counter() - t0:.2f} s: {text}")
    return text


def test_dashboard_refuses_oversized_and_malicious_uploads_and_keeps_serving(page, server, tmp_path):  # noqa: F811
    open_upload(page)
    shown = wanted(page)
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:
        fh.truncate(2_000_000_000)  # 2 GB (sparse): only the first MAX_FILE_BYTES + 1 are ever read
    upload_error(page, huge, f"more than {MAX_FILE_BYTES:,} bytes")
    (tmp_path / "laughs.yaml").write_text(BILLION_LAUGHS)
    upload_error(page, tmp_path / "laughs.yaml", "alias")
    marker = tmp_path / "pwned"
    (tmp_path / "tag.yaml").write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    upload_error(page, tmp_path / "tag.yaml", "is not allowed")
    (tmp_path / "image.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    upload_error(page, tmp_path / "image.yaml", "binary file")
    (tmp_path / "escape.yaml").write_text("extends: ../../etc/passwd\n")
    upload_error(page, tmp_path / "escape.yaml", "allowed for uploaded scenarios")
    assert not marker.exists()
    assert wanted(page) == shown  # the scenario on screen did not change
    # A second user opens the page meanwhile: served, and computes on a lever move.
    other = page.context.browser.new_context().new_page()
    other.set_default_timeout(90_000)
    # A seed no other test asks for, so that on the shared server (conftest.py) this session's
    # numbers and its lever move are computed, not found in the result cache; and the browser
    # tests' replications (the page's default, 20 at full population, cost seconds more).
    other.goto(server + f"?replications={BROWSER_REPLICATIONS}&seed=515")
    wait_idle(other)
    headline_shown(other)  # the numbers before the lever move, not an empty page
    assert other.locator(".sr-load-error").count() == 0  # errors belong to the session that caused them
    before, scenario = headline_texts(other), wanted(other)
    nudge(other, "outreach_zuid")
    wait_idle(other, scenario, timeout=60)
    assert headline_texts(other) != before
    other.context.close()
    # and the first session still works too
    scenario = wanted(page)
    nudge(page, "outreach_zuid")
    wait_idle(page, scenario, timeout=60)


def test_dashboard_refuses_an_upload_too_large_to_compute_for_everyone(page):  # noqa: F811
    """An upload at population scale 50 (allowed for run.py, 1.35 million firms) would occupy
    the worker pool that every session shares for many minutes: measured, another session's
    lever move then stayed at 'Computing' for over 20 s instead of about 2 s. The dashboard
    must refuse it in one line rather than start it."""
    open_upload(page)
    box = page.get_by_label("Paste YAML")
    box.fill("name: huge\nextends: baseline\npopulation: {scale: 50}\n")
    shown = wanted(page)
    page.get_by_role("button", name="Use pasted YAML").click()
    error = page.locator(".sr-load-error", has_text="population.scale")
    try:
        error.wait_for(timeout=10_000)
    finally:
        assert wanted(page) == shown, "the dashboard started computing a scale-50 scenario for one upload"
    assert "allowed: at most" in error.inner_text()


# --------------------------------------------------------------------------------------------
# Calibration targets: the other YAML a user writes by hand
# --------------------------------------------------------------------------------------------

TARGETS = (REPO / "calibration" / "targets.yaml").read_text()
TARGET_CASES = {
    # class: (change to the shipped targets.yaml, what the one line must contain)
    "estimate entry not text": (("  - fieldlab_capacity\n", "  - [fieldlab_capacity]\n"), "estimate[0]"),
    "estimate entry a mapping": (("  - fieldlab_capacity\n", "  - {a: 1}\n"), "estimate[0]"),
    "key written twice": (("scenario: baseline\n", "scenario: baseline\nscenario: no_policy\n"), "twice"),
    "python tag": (("scenario: baseline\n", "scenario: !!python/object/apply:os.system [echo hi]\n"), "tag"),
    "wrong value, with its line": (("tolerance: 20%", "tolerance: lots"), "(line "),
}


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_bad_targets_file_is_one_line(case, tmp_path):
    from smartregion.calibration.targets import TargetsError, load_targets

    (old, new), needle = TARGET_CASES[case]
    assert old in TARGETS
    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS.replace(old, new, 1))
    with pytest.raises(TargetsError) as info:
        load_targets(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and "\n" not in msg and needle in msg and "allowed" in msg, msg


def test_targets_path_the_os_refuses_is_one_line():
    from smartregion.calibration.targets import TargetsError, load_targets

    with pytest.raises(TargetsError):
        load_targets("x" * 5000 + ".yaml")


def test_billion_laughs_in_targets_through_the_cli(tmp_path):
    """Anchors defined inside an allowed key, used where one parameter name is expected: the
    nested lists must not be expanded (a message showing the value would expand 9^9 strings)."""
    chain = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
        f"&{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "laughs.yaml"
    path.write_text("scenario: baseline\ntargets: [" + ", ".join(chain) + "]\nestimate: [*i]\n")
    out = tmp_path / "out"
    r = run_cli("calibrate", path, "--out", out)
    assert_refused(r, out, "laughs.yaml")
