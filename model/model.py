"""SmartIndustryModel: the Mesa model. Arrays hold the state, agents are views onto them.

One quarter (`step`) runs the steps of `SmartIndustryModel.plan()` in order
(`print(model.describe_plan())` lists them with what each reads and writes):
  0. policy context: fieldlabs open (running costs paid), hubs spend on outreach, adopters'
     visibility (hub boost), peer exposure (updated for the firms that changed), ecosystem
     support (decaying after a stop), shortage;
  1. awareness  2. experimenting  3. adoption  4. productivity  5. competition  6. reshoring
  7. labour  8. job change of adopters N years on  9. record every output metric.
See model/mechanisms/ for the equations and docs/ODD.md for the full description.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import mesa
import numba
import numpy as np
from mesa import DataCollector
from mesa.agent import AgentSet

from . import params as params_mod
from .agents import FieldlabAgent, FirmAgent, HubAgent
from .instruments import Policy, hub_contact_cost
from .mechanisms import adoption, awareness, competition, experimenting, labour, productivity, reshoring
from .mechanisms.productivity import realised
from .network import PeerShare
from .population import Population, population_for
from .record import N_SUMS, cell_sums, margins
from .regions import ADOPTED, AWARE, EXPERIMENTING, HUBS, PROVINCES, SECTORS, SIZE_CLASSES
from .state import FirmState, RegionState, employees_of
from .streams import Streams, replication_seeds
from .timeline import format_quarter, parse_quarter
from .units import SCALE_FREE, to_full

METRICS = (
    "firms", "aware", "experimenting", "adopters", "adoption_rate", "adoption_rate_10plus", "fieldlabs_active",
    "fieldlab_firms", "employment", "employment_routine", "employment_mid", "employment_technical",
    "jobs_created", "jobs_lost", "reshored_jobs", "labour_productivity", "value_added_meur",
    "technical_vacancies", "technical_pool", "trainees", "public_spend_eur",
    # the labour market (mechanisms/labour.py); technical_pool above = technical job seekers
    "job_seekers_routine", "job_seekers_mid", "in_training", "out_of_work", "hires_from_pools",
    "hires_from_firms", "separations", "pool_entries", "pool_exits", "redundant_jobs",
    # adopters whose employment JOB_CHANGE_YEARS after adoption is above / within / below
    # JOB_CHANGE_SAME of what it was when they adopted (firms that adopted from the start on)
    "adopters_more_jobs", "adopters_same_jobs", "adopters_fewer_jobs",
    "fieldlab_members",  # member firms of fieldlab consortia now (fieldlab_firms: ever involved)
)
JOB_CHANGE_YEARS = 4  # Koch et al. (2021) measure adopters' effects within four years
JOB_CHANGE_SAME = 0.025  # "about the same": within 2.5% of the size at adoption (survey answer bands)
METRIC_INDEX = {m: i for i, m in enumerate(METRICS)}
BREAKDOWN_METRICS = ("firms", "adopters", "employment", "jobs_created", "jobs_lost", "reshored_jobs",
                     "adopters_more_jobs", "adopters_same_jobs", "adopters_fewer_jobs")
BREAKDOWN_GROUPS = tuple(("sector", s) for s in SECTORS) + tuple(("size", s) for s in SIZE_CLASSES)
REGIONS_OUT = PROVINCES + ("NL",)
ARMS = ("policy", "counterfactual")  # an ensemble runs a scenario and its counterfactual
N_PROV = len(PROVINCES)
# Summed per (province, sector, size class) cell every quarter, in this order (see _record);
# value_added_meur is summed in kEUR and converted after.
_CELL_SUMS = ("firms", "aware", "experimenting", "adopters", "fieldlab_firms", "employment", "employment_routine",
              "employment_mid", "employment_technical", "jobs_created", "jobs_lost", "reshored_jobs",
              "value_added_meur", "technical_vacancies", "redundant_jobs", "adopters_more_jobs",
              "adopters_same_jobs", "adopters_fewer_jobs", "fieldlab_members")
assert len(_CELL_SUMS) == N_SUMS  # model/record.py sums them in this order
# Columns and rows model/record.py fills (see margins()).
_SUM_COLUMNS = np.array([METRIC_INDEX[m] for m in _CELL_SUMS])
_RECORD_COLUMNS = np.array([METRIC_INDEX[m] for m in (
    "value_added_meur", "adoption_rate", "adopters", "firms", "adoption_rate_10plus", "fieldlabs_active",
    "labour_productivity", "employment", "technical_pool", "trainees", "job_seekers_routine", "job_seekers_mid",
    "in_training", "out_of_work", "hires_from_pools", "hires_from_firms", "separations", "pool_entries", "pool_exits",
    "public_spend_eur")])
_BREAKDOWN_ROWS = np.array([_CELL_SUMS.index(m) for m in BREAKDOWN_METRICS])


@numba.njit(cache=True)
def _midpoint(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """now + (now - before) / 2, within 0..1: exposure at the middle of the quarter (one pass)."""
    out = np.empty_like(now)
    for i in range(len(now)):
        mid = (now[i] - before[i]) * 0.5 + now[i]
        out[i] = min(max(mid, 0.0), 1.0)
    return out


@dataclass(frozen=True)
class _Hubs:
    """Hub outreach instruments of a run: their index among the policy's instruments and the
    figures that stay fixed for the run (provinces served, planned EUR a quarter, EUR per firm
    contact, visibility boost), one row each."""

    policy: Policy
    index: list[int]
    provinces: np.ndarray
    planned: np.ndarray
    contact_cost: np.ndarray
    visibility_boost: np.ndarray
    _of_running: dict = field(default_factory=dict, compare=False, repr=False)

    def instruments(self, rows: list[int]) -> list:
        return [self.policy.instruments[self.index[k]] for k in rows]

    def running(self, rows: tuple[int, ...]) -> _RunningHubs:
        """The fixed figures of the hubs `rows` (those running: the same set quarter after
        quarter), selected once per set."""
        if rows not in self._of_running:
            r = list(rows)
            covers = self.provinces[r]
            boost = np.maximum(np.zeros(N_PROV), np.where(covers, self.visibility_boost[r, None], -np.inf).max(axis=0))
            self._of_running[rows] = _RunningHubs(self.instruments(r), covers, self.planned[r, None],
                                                  self.contact_cost[r, None], boost)
        return self._of_running[rows]


class _RunningHubs(NamedTuple):
    """_Hubs' rows of the running hubs, as columns for [hub, province] arithmetic, and the
    visibility boost per province they give together (the largest)."""

    instruments: list
    covers: np.ndarray
    planned: np.ndarray
    contact_cost: np.ndarray
    boost: np.ndarray


@dataclass
class RunResult:
    """What one run returns: arrays indexed [quarter, region(12 provinces + NL), metric]."""

    quarters: list[str]
    metrics: np.ndarray
    breakdown: np.ndarray  # [quarter, group, BREAKDOWN_METRICS] national
    spend: np.ndarray  # [quarter, instrument, province] EUR in that quarter
    instruments: list[str]
    employment_start: np.ndarray  # [13] employees before the first quarter

    def value(self, metric: str, region: str = "NL", quarter: int = -1) -> float:
        return float(self.metrics[quarter, REGIONS_OUT.index(region), METRIC_INDEX[metric]])

    def series(self, metric: str, region: str = "NL") -> np.ndarray:
        return self.metrics[:, REGIONS_OUT.index(region), METRIC_INDEX[metric]]


class SmartIndustryModel(mesa.Model):
    """Smart Industry adoption by Dutch manufacturing firms, one step per quarter.

    `SmartIndustryModel(scenario, replication=r)` builds the policy arm of a resolved scenario
    (smartregion.load_scenario) exactly as replication r of `smartregion run` does (r = 0 by
    default; same seed, same population, same numbers).

    Args:
        params: parameter overrides by name (model/params.py); unknown names are errors. Or a
            resolved Scenario, whose settings then replace policies, start, end, scale and network.
        policies: validated instrument specs (model/policies.py).
        start, end: horizon as quarter labels, inclusive.
        scale: population scale (1 = the Dutch population of about 27,400 firms); budgets and
            fieldlab capacities scale with it.
        network: "peers" (sparse peer network) or "well_mixed" (everyone sees everyone).
        seed: an int or a replication SeedSequence (model/streams.py); arms that share it share
            the population and every random draw.
        population: a population built earlier from the same seed (saves set-up time when two
            arms share it); must match seed, scale, network and the population parameters.
        immediate_adoption: aware firms adopt at once (the Bass limit).
        replication: with a Scenario and no seed, the replication whose seed to use (default 0).
    """

    def __init__(self, params: dict | None = None, policies=(), start: str = "2014Q1", end: str = "2030Q4",
                 scale: float = 1.0, network: str = "peers", seed=None, population: Population | None = None,
                 immediate_adoption: bool = False, replication: int = 0):
        if hasattr(params, "horizon") and hasattr(params, "policies"):  # a Scenario (model/scenario)
            s = params
            params, policies, start, end = dict(s.parameters), s.policies, s.horizon.start, s.horizon.end
            scale, network = s.population.scale, s.population.network
            seed = replication_seeds(s.seed, replication + 1)[replication] if seed is None else seed
        self.streams = Streams(seed)
        super().__init__(rng=int(self.streams["mesa"].integers(2**31)))
        # Read-only: values derived from parameters at set-up (below) must stay true for the run.
        self.params = MappingProxyType(params_mod.resolve(params))
        self.first_quarter = parse_quarter(start)
        self.n_steps = parse_quarter(end) - self.first_quarter + 1
        if self.n_steps < 1:
            raise ValueError(f"end {end} is before start {start}")
        self.quarters = [format_quarter(self.first_quarter + k) for k in range(self.n_steps)]
        self.immediate_adoption = immediate_adoption
        self.scale = scale
        self.pop = population or population_for(self.streams["population"], self.params, scale, network)
        self.n = self.pop.n
        self.degree = (np.diff(self.pop.peers.indptr).astype(float) if self.pop.peers is not None  # 0/1 links
                       else np.full(self.n, float(self.n)))
        self.firms_per_province = np.maximum(np.bincount(self.pop.province, minlength=N_PROV), 1)
        self._province = self.pop.province.astype(np.intp)  # bincount's index type: no cast per call
        self._cell_shape = (N_PROV, len(SECTORS), len(SIZE_CLASSES))
        self._cell = np.ravel_multi_index((self.pop.province, self.pop.sector, self.pop.size_class), self._cell_shape)
        self.firms_state = FirmState.initial(self.pop)
        # Per-firm chance a quarter that an aware firm looks for a trial (experimenting.py).
        self.seek_probability = 1 - np.exp(-self.params["experiment_rate"] * self.pop.readiness)
        p = self.params
        self.regions = RegionState.initial(
            np.vstack([self._by_province(x) for x in self.firms_state.skills()]), p["seeker_share"],
            p["tech_pool_share"], p["seeker_exit_rate"], p["tech_pool_outflow"], int(p["training_lag_quarters"]))
        self.labour_params = labour.LabourParams.from_params(p)
        self.ecosystem = np.zeros(N_PROV)  # support a province keeps from its hubs and fieldlabs (decays)
        self.policy = Policy(list(policies), self.first_quarter, self.n_steps, scale, self.params)
        self.t = 0  # step index of the quarter being simulated
        self._eligible: dict[int, np.ndarray] = {}  # see eligible_firms

        # Productivity: base such that 2014 productivity equals the drawn value (earlier
        # adopters' gains and spillovers are already in the data).
        self.visibility = self.pop.visibility.copy()
        # visible adopters among peers; peers' realised gains (spillover)
        self.peer_exposure = PeerShare(self.pop.peers, self.degree,
                                       self.visibility * (self.firms_state.stage == ADOPTED))
        self.new_adopters = np.zeros(0, dtype=np.intp)  # since the last policy context (the adoption step adds)
        # Firms that adopted in each step so far, ascending: flatnonzero(adopted_t == step), since a
        # firm adopts at most once (only experimenting or aware firms adopt, adopters never leave).
        self._adopted_in: list[np.ndarray] = []
        self.own_gain = self.pop.gain * self.firms_state.ramp
        # Firms whose state only some mechanisms touch, kept as index lists instead of found by
        # a pass over all firms every quarter (a test checks them against those passes):
        # adopters still ramping up (productivity.py; adoption adds, a full ramp removes), and
        # firms with production abroad that have not reshored (reshoring.py removes).
        self.ramping = np.flatnonzero((self.firms_state.stage == ADOPTED) & (self.firms_state.ramp < 1))
        self.may_reshore = np.flatnonzero((self.firms_state.offshored_share > 0) & ~self.firms_state.reshored)
        self.peer_gain = PeerShare(self.pop.peers, self.degree, self.own_gain)
        self.multiplier = realised(self.own_gain, self.peer_gain.share(), self.params["knowledge_spillover"])
        self.multiplier0 = self.multiplier.copy()
        self.firms_state.prod_base = self.pop.productivity / self.multiplier
        self._employment_start = self._by_region(self.firms_state.employees)

        self._metrics = np.zeros((self.n_steps, N_PROV + 1, len(METRICS)))
        self._breakdown = np.zeros((self.n_steps, len(BREAKDOWN_GROUPS), len(BREAKDOWN_METRICS)))
        self._ever_in_fieldlab = np.zeros(self.n, dtype=bool)
        self._boost: np.ndarray | None = None  # hub visibility boost per province behind self.visibility
        self.datacollector = DataCollector(model_reporters={
            m: (lambda mod, m=m: mod.result_row(m)) for m in
            ("adoption_rate", "adopters", "employment", "jobs_created", "jobs_lost", "reshored_jobs",
             "labour_productivity", "fieldlab_firms", "public_spend_eur")})
        self.running = True

    # Forking (model/fork.py) continues a run's state as another arm: it copies every attribute
    # set here or while stepping, shares the population and parameters, and leaves out cached
    # properties. So state goes in plain attributes, and anything derived from the policy (by
    # instrument) in a cached property or in self._eligible, which the new arm computes afresh.

    # --- Mesa views -----------------------------------------------------------------------------
    # Agents are created on first use. Batch runs never pay for 27,000 Python objects they do not
    # look at, and a model without agents can be freed: Mesa 3.3 keeps every model that created
    # an agent alive for the life of the process (Agent._ids, mesa issue #3179), which leaked
    # every run of an ensemble in its worker.
    @functools.cached_property
    def firms(self) -> AgentSet:
        """All firms as Mesa agents (views onto the arrays)."""
        return AgentSet([FirmAgent(self, i) for i in range(self.n)], random=self.random)

    @functools.cached_property
    def fieldlab_agents(self) -> AgentSet:
        return AgentSet([FieldlabAgent(self, i) for i in range(self.policy.fieldlabs.n)], random=self.random)

    @functools.cached_property
    def hub_agents(self) -> AgentSet:
        return AgentSet([HubAgent(self, i) for i, _ in self.policy.of_kind("hub_outreach")], random=self.random)

    # --- the quarter ----------------------------------------------------------------------------
    def step(self) -> None:
        if self.t >= self.n_steps:
            self.running = False
            return
        for _, call, _ in self.plan():
            call()
        self.datacollector.collect(self)
        self.t += 1
        self.running = self.t < self.n_steps

    def plan(self) -> list[tuple[str, object, str]]:
        """The quarter, in order: (name, call, what it reads -> writes). Each mechanism gets only
        the arrays and parameters it uses, so tests can run one on a few hand-made firms."""
        f, reg, prov = self.firms_state, self.regions, self.pop.province
        steps = [("policy context", self._policy_context, "policy, stages, visibility -> exposure, ecosystem, "
                  "shortage, hub contacts, open fieldlabs, spending"),
                 ("awareness", self._awareness, "stage, exposure, hub contacts, completions -> stage")]
        if not self.immediate_adoption:
            steps.append(("experimenting", self._experimenting, "stage, readiness, fieldlabs -> stage, "
                          "fieldlab/pilot experience"))
        steps += [
            ("adoption", self._adoption, "stage, employees, productivity, exposure, ecosystem, "
             "shortage, subsidies -> stage, redundant routine jobs, technical posts, spending"),
            ("productivity", self._productivity, "ramp, technical posts -> productivity, mid-level hires, "
             "adopters' output gain"),
            ("competition", self._competition, "adopters' output gain, output, sector, stage -> redundant jobs "
             "at non-adopters"),
            ("reshoring", self._reshoring, "cost ratio, productivity -> hires, reshored jobs, spending"),
            ("labour", lambda: labour.step(f, reg, prov, self.labour_params, self._visible_per_firm(),
                                           labour.buy_courses(self)),
             "redundant jobs, technical posts, job seekers, training budgets -> separations, hires, poaching, "
             "pools, trainees"),
            ("job change", self._job_change, "employees, size at adoption -> job-change class of adopters"),
            ("record", self._record, "everything -> output metrics")]
        return steps

    def describe_plan(self) -> str:
        return "\n".join(f"{k}. {name}: {io}" for k, (name, _, io) in enumerate(self.plan()))

    def _awareness(self) -> None:
        p = self.params
        awareness.step(self.firms_state.stage, self.streams.key("awareness", self.first_quarter + self.t),
                       self.pop.province, self.exposure_mid, self.hub_contact_prob, self.regions.completions / self.firms_per_province,
                       p["bass_p"], p["bass_q"], p["training_awareness_spillover"])

    def _experimenting(self) -> None:
        p, pop = self.params, self.pop
        experimenting.step(self.firms_state, self.policy.fieldlabs, self.open_fieldlabs, pop.province, pop.sector,
                           pop.readiness, self.seek_probability,
                           experimenting.keys(self.streams, self.first_quarter + self.t),
                           p["fieldlab_member_turnover"], p["fieldlab_reach_neighbours"] >= 0.5, p["own_pilot_share"])

    def _adoption(self) -> None:
        p, pop, t = self.params, self.pop, self.t
        subsidies = adoption.Subsidies.offered(self.policy, t, p["payback_years"], p["subsidy_outlook_discount"] >= 0.5,
                                               self._subsidy_eligible)
        new, payer, invest = adoption.step(
            self.firms_state, pop.gain, pop.province, self.exposure, self.ecosystem, self.shortage, subsidies,
            adoption.keys(self.streams, self.first_quarter + t), t, self._adoption_params,
            self.immediate_adoption)
        adoption.pay(self.policy, t, new, payer, invest, pop.province)
        self.ramping = np.concatenate((self.ramping, new))  # new adopters were not ramping before
        self.new_adopters = np.concatenate((self.new_adopters, new))
        self._adopted_in.append(new)  # for _job_change

    @functools.cached_property
    def _hub_contact_cost(self) -> dict[int, float]:
        """EUR per firm contact of each hub instrument (fixed for the run: computed once)."""
        p = self.params
        return {i: hub_contact_cost(p["hub_cost_per_contact_eur"], p["hub_scale_elasticity"], self.firms_per_province,
                                    ins.provinces, len(HUBS)) for i, ins in self.policy.of_kind("hub_outreach")}

    @functools.cached_property
    def _hubs(self) -> _Hubs:
        """The hub instruments' fixed figures as arrays, one row per hub (for _policy_context)."""
        of_kind = self.policy.of_kind("hub_outreach")
        rows = [(i, ins.provinces, self.policy.planned_quarterly(ins), self._hub_contact_cost[i],
                 ins.spec.visibility_boost) for i, ins in of_kind]
        return _Hubs(self.policy, [i for i, *_ in rows],
                     np.array([r[1] for r in rows], dtype=bool).reshape(len(rows), N_PROV),
                     np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float),
                     np.array([r[4] for r in rows], dtype=float))

    @functools.cached_property
    def _adoption_params(self) -> adoption.AdoptionParams:
        return adoption.AdoptionParams.from_params(self.params)  # params are fixed for the run

    @functools.cached_property
    def _reshoring_params(self) -> reshoring.ReshoringParams:
        return reshoring.ReshoringParams.from_params(self.params)

    @functools.cached_property
    def _subsidy_eligible(self) -> np.ndarray:
        """[adoption subsidy, firm]: who each adoption subsidy may reach."""
        rows = [self.eligible_firms(i) for i, _ in self.policy.of_kind("adoption_subsidy")]
        return np.array(rows, dtype=bool).reshape(len(rows), self.n)

    def _reshoring(self) -> None:
        pop, t = self.pop, self.t
        self.may_reshore, firms, jobs, payer = reshoring.step(
            self.firms_state, self.regions, self.may_reshore, self._employees_2014, pop.cost_ratio, self.multiplier0,
            self.multiplier, pop.province, reshoring.Support.offered(self.policy, t, self._support_eligible),
            self.streams.key("reshoring", self.first_quarter + t), t, self._reshoring_params)
        reshoring.pay(self.policy, t, firms, payer, jobs, pop.province)

    @functools.cached_property
    def _support_eligible(self) -> np.ndarray:
        """[reshoring support, firm]: who each reshoring support instrument may reach."""
        rows = [self.eligible_firms(i) for i, _ in self.policy.of_kind("reshoring_support")]
        return np.array(rows, dtype=bool).reshape(len(rows), self.n)

    @functools.cached_property
    def _employees_2014(self) -> np.ndarray:
        return self.pop.employees

    def _productivity(self) -> None:
        p, pop = self.params, self.pop
        self._gainers = self.ramping
        self.ramping, self._output_gain = productivity.step(
            self.firms_state, self.regions, self.ramping, self.own_gain, self.peer_gain, self.multiplier, pop.gain,
            pop.province, pop.sector, productivity.trend_by_sector(p["productivity_trend"], self._sector_trend, self.t),
            p["ramp_quarters"], p["expansion_jobs"], p["knowledge_spillover"])

    @functools.cached_property
    def _sector_trend(self) -> np.ndarray:
        """Each branch's trend factor (the population holds it per firm)."""
        factor = np.ones(len(SECTORS))
        factor[self.pop.sector] = self.pop.trend_factor
        return factor

    def _competition(self) -> None:
        f = self.firms_state
        competition.step(f, self.pop.sector, len(SECTORS), self._gainers, self._output_gain,
                         self.params["business_stealing"])

    def _visible_per_firm(self) -> np.ndarray:
        return labour.visible_adopters_per_firm(self.firms_state.stage, self.visibility, self._province,
                                                self.firms_per_province)

    def _job_change(self) -> None:
        """Classify adopters JOB_CHANGE_YEARS after their adoption: more, about the same, fewer jobs."""
        f, then = self.firms_state, self.t - 4 * JOB_CHANGE_YEARS
        if then < 0:  # adopted_t < 0 marks firms that adopted before the start or never
            return
        idx = self._adopted_in[then]  # = np.flatnonzero(f.adopted_t == then), without a pass over all firms
        change = employees_of(f, idx) / np.maximum(f.size_at_adoption[idx], 1e-12) - 1
        f.change_class[idx] = np.where(change > JOB_CHANGE_SAME, 1, np.where(change < -JOB_CHANGE_SAME, 3, 2))

    def run(self) -> RunResult:
        while self.running:
            self.step()
        return self.result()

    def release(self) -> None:
        """Let the model be freed as soon as the last reference to it goes. Mesa's Model keeps
        bound methods of the model on the model (`step` wraps the user's step), a reference
        cycle that only a full garbage collection frees; in a worker that runs replication
        after replication, dead models (a GiB each at a million firms) would pile up until then,
        and a full collection per run costs about 70 ms. The model cannot step afterwards."""
        for name in ("step", "_user_step"):
            vars(self).pop(name, None)

    def _policy_context(self) -> None:
        f, p, pop, t = self.firms_state, self.params, self.pop, self.t
        self.open_fieldlabs = self.policy.open_fieldlabs(t)
        payback_q = 4 * p["payback_years"]
        look = lambda ins: ins.outlook(t, payback_q) if p["subsidy_outlook_discount"] >= 0.5 else 1.0
        # Stages and vacancies have not changed since last quarter's record.
        unaware_p = self._last_quarter("firms") - self._last_quarter("aware")
        miss = np.ones(N_PROV)  # probability that no hub converts an unaware firm
        boost = np.zeros(N_PROV)
        # What hubs and fieldlabs built stays after they stop and decays (capital_depreciation).
        eco = self.ecosystem * (1 - p["capital_depreciation"])
        running = tuple(k for k, (_, ins) in enumerate(self.policy.of_kind("hub_outreach")) if ins.running(t))
        if running:
            # All running hubs at once, row by row the same float operations as one hub at a
            # time: elementwise arithmetic, maxima (exact in any order), and the sums and
            # products below taken per row in hub order (numpy reduces a contiguous row as one
            # array, and axis 0 row after row).
            hubs = self._hubs
            run = hubs.running(running)
            eco = np.maximum(eco, np.where(run.covers, np.array([look(ins) for ins in run.instruments])[:, None],
                                           -np.inf).max(axis=0))
            weights = np.where(run.covers, unaware_p + 1e-9, 0.0)
            want = run.planned * weights / weights.sum(axis=1, keepdims=True)
            share = np.array([self.policy.spend(t, hubs.index[k], w) for k, w in zip(running, want)])
            contacts = want * share[:, None] / run.contact_cost
            # Contacts land on unaware firms at random, some twice: the share reached saturates
            # (1 - e^-contacts/unaware) and rises with budget and falls with cost per contact.
            reach = 1 - np.exp(-np.divide(contacts, unaware_p, out=np.full(contacts.shape, np.inf), where=unaware_p > 0))
            miss = np.multiply.reduce(1 - p["hub_contact_awareness"] * reach, axis=0)
            boost = run.boost
        fl = self.policy.fieldlabs
        is_open = np.zeros(fl.n, dtype=bool)
        is_open[self.open_fieldlabs] = True
        for i, rows in self.policy.fieldlabs_of:  # one outlook per instrument, not per fieldlab
            where = fl.province[rows[is_open[rows]]]
            if len(where):
                eco[where] = np.maximum(eco[where], look(self.policy.instruments[i]))
        self.hub_contact_prob = 1 - miss
        self.ecosystem = eco
        # Exposure grows during the quarter; the awareness hazard uses its midpoint value,
        # extrapolated from last quarter's change (second order in the step: see docs/ODD.md).
        # `before` weights last quarter's adopters by this quarter's visibility: while no hub
        # changes its boost, that is last quarter's exposure itself, and the weight changes
        # only for last quarter's new adopters.
        new = self.new_adopters
        if self._boost is None or not np.array_equal(boost, self._boost):
            self._boost = boost
            self.visibility = pop.visibility + boost[pop.province] * (1 - pop.visibility)
            adopted_before = f.stage == ADOPTED
            adopted_before[new] = False
            before = self.peer_exposure(self.visibility * adopted_before)
        else:
            before = self.exposure
        self.peer_exposure.set(new, self.visibility[new])
        self.new_adopters = new[:0]
        self.exposure = self.peer_exposure.share()
        self.exposure_mid = _midpoint(self.exposure, before)
        vac_p = self._last_quarter("technical_vacancies")
        total = vac_p + self.regions.tech_pool
        self.shortage = np.divide(vac_p, total, out=np.zeros(N_PROV), where=total > 0)

    # --- outputs --------------------------------------------------------------------------------
    def _by_province(self, w) -> np.ndarray:
        return np.bincount(self._province, weights=w, minlength=N_PROV)

    def eligible_firms(self, i: int) -> np.ndarray:
        """Which firms instrument i may reach (bool per firm; fixed for the run, so computed once)."""
        if i not in self._eligible:
            pop = self.pop
            self._eligible[i] = self.policy.instruments[i].eligible(pop.province, pop.sector, pop.size_class)
        return self._eligible[i]

    def _last_quarter(self, metric: str) -> np.ndarray:
        """A metric per province as recorded at the end of last quarter (the state now)."""
        if self.t > 0:
            return self._metrics[self.t - 1, :N_PROV, METRIC_INDEX[metric]]
        f = self.firms_state
        return self._by_province({"firms": np.ones(self.n), "aware": f.stage >= AWARE,
                                  "technical_vacancies": f.vacancies}[metric])

    def _by_region(self, w) -> np.ndarray:
        by = self._by_province(w)
        return np.append(by, by.sum())

    def _record(self) -> None:
        """Every output metric of quarter t. Firm-level quantities are summed once per
        (province, sector, size class) cell in one pass over the firms; provinces, NL, sectors
        and size classes are margins of those cells (compiled: model/record.py)."""
        f, t, reg = self.firms_state, self.t, self.regions
        n_cells = self._cell_shape[0] * self._cell_shape[1] * self._cell_shape[2]
        grid = cell_sums(self._cell, n_cells, f.stage, self._ever_in_fieldlab, f.fieldlab_experience, f.routine, f.mid,
                         f.technical, f.created, f.lost, f.reshored_jobs, f.productivity, f.vacancies, f.redundant,
                         f.change_class, f.member, AWARE, EXPERIMENTING, ADOPTED)
        margins(grid.reshape((len(_CELL_SUMS),) + self._cell_shape), self._metrics[t], self._breakdown[t], _SUM_COLUMNS,
                _RECORD_COLUMNS, _BREAKDOWN_ROWS, self.policy.fieldlabs.province[self.open_fieldlabs], reg.seekers,
                reg.trained, reg.pipeline, reg.hires, reg.poached, reg.separations, reg.entries, reg.exits,
                self.policy.spent, t)

    def result_row(self, metric: str, region: str = "NL") -> float:
        v = float(self._metrics[max(self.t, 0), REGIONS_OUT.index(region), METRIC_INDEX[metric]])
        return v if metric in SCALE_FREE else v / self.scale  # whole economy, like result()

    def result(self) -> RunResult:
        """The recorded quarters, counts for the whole economy (model/units.py: the one rule)."""
        done, s = self.t, self.scale
        return RunResult(quarters=self.quarters[:done], metrics=to_full(self._metrics[:done], METRICS, s),
                         breakdown=to_full(self._breakdown[:done], BREAKDOWN_METRICS, s),
                         spend=self.policy.spent[:done] / s, instruments=[ins.name for ins in self.policy.instruments],
                         employment_start=self._employment_start / s)
