"""What the numbers are in, and what `--scale` does to them: one rule for every output.

A run at population scale s simulates s times the Dutch firms (budgets and fieldlab capacities
scale with them, model/policies.py). **Every output reports the whole economy**: counts of
firms, jobs, people and euros are the simulated ones divided by s, so a run at scale 0.1 is a
cheaper, noisier estimate of the same quantity as a run at scale 1, and its numbers can be put
next to CBS figures, a budget line or another run at any scale. Shares, per-worker figures and
the number of fieldlabs (set by the scenario, not by s) are left as they are.

Why this rule and not "the simulated firms": calibration targets, sensitivity and EMA outcomes
were already compared with Dutch totals, and a policymaker reading "net jobs" reads a number for
the Netherlands; a count that silently changes with a technical setting is a trap. The price is
that a scaled-up count need not be a whole number.

The rule is applied once, where a run's results are handed out (SmartIndustryModel.result);
inside a run every mechanism works on the simulated firms.
"""

from __future__ import annotations

import numpy as np

# Metric -> unit, for every metric the model records (model.model.METRICS) and the summary's
# derived rows (model.results). Counts are for the whole economy (rule above).
UNITS = {
    "firms": "firms", "aware": "firms", "experimenting": "firms", "adopters": "firms",
    "adoption_rate": "share of firms", "adoption_rate_10plus": "share of firms with 10+ workers",
    "fieldlabs_active": "fieldlabs", "fieldlab_firms": "firms (cumulative)",
    "employment": "jobs", "employment_routine": "jobs", "employment_mid": "jobs", "employment_technical": "jobs",
    "jobs_created": "jobs (cumulative)", "jobs_lost": "jobs (cumulative)", "reshored_jobs": "jobs (cumulative)",
    "labour_productivity": "kEUR value added per worker", "value_added_meur": "EUR million per year",
    "technical_vacancies": "open posts", "technical_pool": "job seekers", "trainees": "people (cumulative)",
    "public_spend_eur": "EUR (cumulative)",
    "net_jobs": "jobs", "net_adopters": "firms", "extra_public_spend_eur": "EUR (cumulative)",
    "cost_per_net_job_eur": "EUR per net job",
    # the labour market, consortia and job-change classes (issue 11)
    "job_seekers_routine": "people", "job_seekers_mid": "people", "in_training": "people",
    "out_of_work": "people", "hires_from_pools": "hires (cumulative)", "hires_from_firms": "hires (cumulative)",
    "separations": "separations (cumulative)", "pool_entries": "people (cumulative)",
    "pool_exits": "people (cumulative)", "redundant_jobs": "jobs", "adopters_more_jobs": "firms",
    "adopters_same_jobs": "firms", "adopters_fewer_jobs": "firms", "fieldlab_members": "firms (members now)",
    "net_jobs_workers": "jobs", "cost_per_net_adopter_eur": "EUR per net adopter", "public_savings_eur": "EUR",
    "adoption_rate_spread": "share of firms (sd over provinces)",
    "net_jobs_per_1000_spread": "net jobs per 1,000 jobs (sd over provinces)",
}
# Not counts: unchanged by the population scale.
SCALE_FREE = frozenset({"adoption_rate", "adoption_rate_10plus", "fieldlabs_active", "labour_productivity",
                        "cost_per_net_job_eur"})
# One sentence for every output that shows counts (terminal, report, files' readers).
STATEMENT = "counts are for all Dutch manufacturing firms (simulated firms / population scale)"


def describe(scale: float) -> str:
    """The rule as a reader of one output needs it: what the counts are, and the scale."""
    if scale == 1.0:
        return "counts for all Dutch manufacturing firms"
    return f"counts for all Dutch manufacturing firms (simulated at scale {scale:g}, scaled up)"


def to_full(values: np.ndarray, metrics, scale: float) -> np.ndarray:
    """values[..., metric] of a simulation at `scale` as whole-economy values (a new array)."""
    count = np.array([m not in SCALE_FREE for m in metrics])
    return np.where(count, values / scale, values)
