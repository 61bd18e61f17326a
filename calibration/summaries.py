"""Summary statistics: what a calibration target compares, computed from one simulation.

A target names a `statistic` (below) with its arguments (region, quarter, sector, ...). One
simulation of the calibration scenario yields every target's statistic at once
(`simulate`), so ABC, recovery and the fit plots all see the same numbers.

Counts (firms, jobs) are for the whole economy whatever the population `scale` (model/units.py),
so a run at scale 0.25 is compared with the Dutch figure directly; the extra sampling noise and any bias of small
populations are documented in docs/CALIBRATION.md.

CBS robot use (2018) is a PROXY for the model's "adopted smart technology": robots are one of
several smart technologies, so the statistics `robot_proxy_*` read the model's adoption stage,
and the targets that use them carry wide tolerances.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from smartregion.model import data
from smartregion.model.model import RunResult, SmartIndustryModel
from smartregion.model.regions import ADOPTED, NATIONAL, PROVINCES, SECTOR_INDEX
from smartregion.model.timeline import format_quarter, parse_quarter

@dataclass(frozen=True)
class Statistic:
    """One kind of simulated figure: its unit, the arguments it takes besides `quarter`, and
    whether it reads the firm arrays at the end of that quarter (firm-level) or the run's
    recorded metrics after the run."""

    unit: str
    args: tuple[str, ...]
    firm_level: bool
    fn: Callable[[_Run, dict], float]
    description: str


@dataclass
class _Run:
    """What a statistic may look at: the model (firm arrays, resolved parameters), once the
    run is over its recorded metrics (counts for the whole economy) and, for effect statistics,
    the recorded metrics of the counterfactual arm run with the same seed."""

    model: SmartIndustryModel
    result: RunResult | None = None
    counterfactual: RunResult | None = None

    def metric(self, metric: str, region: str, quarter: str) -> float:
        return self.result.value(metric, region, self.result.quarters.index(quarter))

    def growth_pct(self, region: str, since: str, quarter: str) -> float:
        """Annualised growth of labour productivity (value added per worker), percent per year."""
        a = self.metric("labour_productivity", region, since)
        b = self.metric("labour_productivity", region, quarter)
        years = (parse_quarter(quarter) - parse_quarter(since)) / 4
        return 100.0 * ((b / a) ** (1 / years) - 1)


@functools.cache
def _employed_persons(region: str) -> float:
    """CBS employed persons 2015 (persons): the denominator of the industry employment share."""
    df = data.load("province_figures.csv")
    emp = df[df["indicator"] == "employed_persons"].set_index("province")["value"].astype(float) * 1000
    return float(emp[list(PROVINCES)].sum() if region == NATIONAL else emp[region])


def _robot_proxy(run: _Run, a: dict) -> float:
    """Percent of firms with >= 10 workers (2014 headcount) in the adoption stage.

    Optional `sector` (a model sector key) and `employees` [lo, hi] (inclusive, 2014 headcount)
    narrow the group, as CBS's breakdowns by branch and by size do."""
    pop, f = run.model.pop, run.model.firms_state
    emp = pop.employees
    sel = emp >= 10
    if "sector" in a:
        sel &= pop.sector == SECTOR_INDEX[a["sector"]]
    if "employees" in a:
        lo, hi = a["employees"]
        sel &= (emp >= lo) & (emp <= hi)
    if a.get("region", NATIONAL) != NATIONAL:
        sel &= pop.province == PROVINCES.index(a["region"])
    n = sel.sum()
    return 100.0 * (f.stage[sel] == ADOPTED).sum() / n if n else float("nan")


def _robot_ratio(run: _Run, a: dict) -> float:
    """Adoption share among firms with `employees` over that among firms with `relative_to`
    employees (the size gradient, which CBS gives only for all sectors together)."""
    top = _robot_proxy(run, {"employees": a["employees"]})
    bottom = _robot_proxy(run, {"employees": a["relative_to"]})
    return top / bottom if bottom > 0 else float("nan")


def _region(a: dict) -> str:
    return a.get("region", NATIONAL)


def _growth_sign_agreement(run: _Run, a: dict) -> float:
    """Share of the provinces in `above` whose productivity growth exceeds NL's, and of those in
    `below` whose growth falls short of it (a ranking stated in words, as ING states it)."""
    nl = run.growth_pct(NATIONAL, a["since"], a["quarter"])
    hits = [run.growth_pct(p, a["since"], a["quarter"]) > nl for p in a.get("above", ())]
    hits += [run.growth_pct(p, a["since"], a["quarter"]) < nl for p in a.get("below", ())]
    return sum(hits) / len(hits) if hits else float("nan")


def _adopter_job_effect(run: _Run, a: dict) -> float:
    """Share of adopters among firms with >= 10 workers (2014 headcount) whose adoption changed
    their jobs in `direction` (more: jobs created exceed routine jobs lost; fewer: the reverse).

    CBS asks every robot user (denominator: all users) whether robots changed its number of
    jobs; firms that adopted before 2014 have no recorded change in the model and count as
    'no effect' (an assumption: their change lies before the window)."""
    f = run.model.firms_state
    adopters = (run.model.pop.employees >= 10) & (f.stage == ADOPTED)
    n = adopters.sum()
    net = (f.created - f.lost)[adopters]
    hit = net >= 0.5 if a["direction"] == "more" else net <= -0.5
    return float(hit.sum() / n) if n else float("nan")


def _fieldlab_adoption_gap(run: _Run, a: dict) -> float:
    """Adoption (percent) among firms that took part in a fieldlab minus among comparable firms
    that did not: non-participants are reweighted to the participants' mix of sector x size
    class, as an evaluation with a matched comparison group would (Dialogic 2021, section 5.2)."""
    pop, f = run.model.pop, run.model.firms_state
    took_part = f.fieldlab_experience
    if not took_part.any():
        return float("nan")
    adopted = f.stage == ADOPTED
    cell = pop.sector.astype(np.intp) * (int(pop.size_class.max()) + 1) + pop.size_class
    n_cells = int(cell.max()) + 1
    part_n = np.bincount(cell[took_part], minlength=n_cells)
    other_n = np.bincount(cell[~took_part], minlength=n_cells)
    other_rate = np.bincount(cell[~took_part], weights=adopted[~took_part], minlength=n_cells) / np.maximum(other_n, 1)
    matched = part_n * (other_n > 0)  # participant cells that have comparison firms
    if not matched.any():
        return float("nan")
    part_adopters = np.bincount(cell[took_part], weights=adopted[took_part], minlength=n_cells)
    return 100.0 * (part_adopters[matched > 0].sum() - (matched * other_rate).sum()) / matched.sum()


def _policy_adoption_effect(run: _Run, a: dict) -> float:
    """Adoption among firms with 10+ workers, policy arm minus counterfactual arm (same seed),
    percentage points: what the programme caused, not the level it reached."""
    i = run.result.quarters.index(a["quarter"])
    region = _region(a)
    return 100.0 * (run.result.value("adoption_rate_10plus", region, i)
                    - run.counterfactual.value("adoption_rate_10plus", region, i))


STATISTICS: dict[str, Statistic] = {
    "fieldlab_firms": Statistic(
        "firms", ("region",), False,
        lambda run, a: run.metric("fieldlab_firms", _region(a), a["quarter"]),
        "Firms that took part in a fieldlab since 2014 (cumulative), per full population."),
    "fieldlabs_active": Statistic(
        "fieldlabs", ("region",), False,
        lambda run, a: run.metric("fieldlabs_active", _region(a), a["quarter"]),
        "Fieldlabs open in the quarter (historical and scenario fieldlabs together)."),
    "robot_proxy_pct": Statistic(
        "percent of firms with >=10 workers", ("region", "sector", "employees"), True, _robot_proxy,
        "Adopters among firms with 10+ workers, percent (proxy for CBS robot use)."),
    "robot_proxy_size_ratio": Statistic(
        "ratio", ("employees", "relative_to"), True, _robot_ratio,
        "Adoption share of one size band over another (proxy for CBS robot use by size)."),
    "industry_employment_share_pct": Statistic(
        "percent of employed persons", ("region",), False,
        lambda run, a: 100.0 * run.metric("employment", _region(a), a["quarter"]) / _employed_persons(_region(a)),
        "Modelled manufacturing employment over CBS employed persons 2015 (province_figures.csv)."),
    "labour_productivity": Statistic(
        "kEUR per worker", ("region",), False,
        lambda run, a: run.metric("labour_productivity", _region(a), a["quarter"]),
        "Value added per worker in manufacturing."),
    "productivity_growth_gap_pp": Statistic(
        "percentage points per year", ("region", "since", "versus"), False,
        lambda run, a: run.growth_pct(a["region"], a["since"], a["quarter"])
        - run.growth_pct(a.get("versus", NATIONAL), a["since"], a["quarter"]),
        "Annualised labour productivity growth of `region` minus that of `versus` (default NL)."),
    "productivity_growth_pct": Statistic(
        "percent per year", ("region", "since"), False,
        lambda run, a: run.growth_pct(_region(a), a["since"], a["quarter"]),
        "Annualised growth of labour productivity (value added per worker), percent per year."),
    "productivity_growth_sign_agreement": Statistic(
        "share of named provinces", ("above", "below", "since"), False, _growth_sign_agreement,
        "Share of the provinces named `above` (`below`) whose productivity growth since `since` is "
        "above (below) NL's."),
    "adopter_job_effect_share": Statistic(
        "share of adopters with >=10 workers", ("direction",), True, _adopter_job_effect,
        "Share of adopters (10+ workers) whose adoption created more jobs than it cost "
        "(direction: more) or the reverse (fewer)."),
    "fieldlab_adoption_gap_pp": Statistic(
        "percentage points", (), True, _fieldlab_adoption_gap,
        "Adoption among fieldlab participants minus among non-participants of the same sector and "
        "size class, percentage points."),
    "policy_adoption_effect_pp": Statistic(
        "percentage points", ("region",), False, _policy_adoption_effect,
        "Adoption among firms with 10+ workers, policy arm minus counterfactual arm (same seed)."),
    "adoption_growth_contribution_pp": Statistic(
        "percentage points per year", ("region", "since"), False,
        lambda run, a: run.growth_pct(_region(a), a["since"], a["quarter"])
        - 100.0 * run.model.params["productivity_trend"],
        "Annualised productivity growth minus the exogenous trend: what adoption, spillovers and "
        "reshoring add."),
}


# Statistics that compare the policy arm with its counterfactual (simulate runs both).
COUNTERFACTUAL_STATISTICS = ("policy_adoption_effect_pp",)


@dataclass(frozen=True)
class Request:
    """One statistic to compute: the target's name, statistic and arguments (incl. quarter)."""

    name: str
    statistic: str
    args: dict


@dataclass(frozen=True)
class SimulationSpec:
    """What one calibration simulation runs: the scenario's policies over its start to the last
    target quarter, at `scale`, and which statistics it returns."""

    policies: tuple
    start: str
    network: str
    scale: float
    requests: tuple[Request, ...]
    # Policies of the counterfactual arm, for effect statistics (COUNTERFACTUAL_STATISTICS);
    # None when no request needs one, so level-only fits run one model per particle.
    counterfactual: tuple | None = None

    @property
    def end(self) -> str:
        return format_quarter(max(parse_quarter(r.args["quarter"]) for r in self.requests))


# Population scale of the run that loads the model's compiled kernels (load_kernels).
KERNEL_LOAD_SCALE = 0.01


def load_kernels(spec: SimulationSpec, params: dict) -> None:
    """Run `spec` once at a tiny scale in this process, so that worker processes forked from it
    start with the model's compiled kernels loaded. A process loads them from numba's on-disk
    cache on its first run (0.45-0.7 s), and every generation of a calibration maps its particles
    on new worker processes (model/ensemble._pool_imap): without this, each of them paid it."""
    simulate(replace(spec, scale=KERNEL_LOAD_SCALE), params, 0)


def simulate(spec: SimulationSpec, params: dict, seed) -> dict[str, float]:
    """Run the model once and return {target name: simulated value}.

    `params` are overrides of the registry; `seed` an int or SeedSequence. Firm-level
    statistics are read from the firm arrays at the end of their quarter, while the run steps.
    """
    model = SmartIndustryModel(params=params, policies=spec.policies, start=spec.start, end=spec.end,
                               scale=spec.scale, network=spec.network, seed=seed)
    run = _Run(model)
    out: dict[str, float] = {}
    by_quarter: dict[str, list[Request]] = {}
    for r in spec.requests:
        if STATISTICS[r.statistic].firm_level:
            by_quarter.setdefault(r.args["quarter"], []).append(r)
    while model.running:
        quarter = model.quarters[model.t]
        model.step()
        for r in by_quarter.get(quarter, ()):
            out[r.name] = float(STATISTICS[r.statistic].fn(run, r.args))
    run.result = model.result()
    model.release()  # thousands of these run in one worker (SmartIndustryModel.release)
    if any(r.statistic in COUNTERFACTUAL_STATISTICS for r in spec.requests):
        if spec.counterfactual is None:
            raise ValueError("an effect statistic needs the counterfactual arm's policies "
                             "(SimulationSpec.counterfactual)")
        # same seed: the arms share every random stream (model/streams.py), so they differ only
        # by their policies
        cf = SmartIndustryModel(params=params, policies=spec.counterfactual, start=spec.start, end=spec.end,
                                scale=spec.scale, network=spec.network, seed=seed)
        run.counterfactual = cf.run()
        cf.release()
    for r in spec.requests:
        if r.name not in out:
            out[r.name] = float(STATISTICS[r.statistic].fn(run, r.args))
    return {r.name: out[r.name] for r in spec.requests}
