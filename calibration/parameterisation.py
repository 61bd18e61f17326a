"""Which parameters a run uses: calibrated by default.

Every run (command line, Python API, dashboard) draws the estimated parameters per pair of
replications from the shipped posterior (calibration/fitted/baseline/posterior.csv) unless the
user asks for the registry defaults:

- command line: `--parameters defaults` (or `--posterior FILE` for another posterior);
- scenario file: `parameterisation: defaults`;
- Python API: `sr.run(s, parameters="defaults")` or `posterior=PATH`;
- environment: SMARTREGION_PARAMETERS=defaults makes the defaults the default (the test suite
  sets it, so that tests that are not about the calibration do not depend on its freshness).

The posterior is refused, in one line naming the command that refreshes it, when the current
model code does not reproduce the model that made it (calibration/provenance.py).
`label()` is the one line that the terminal table, summary.csv, manifest.json and report.png
print, e.g. "parameters: calibrated posterior (calibration/fitted/baseline, 200 draws, model
fingerprint ok)".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from . import provenance

SHIPPED = provenance.ROOT / "calibration" / "fitted" / "baseline"
ENV = "SMARTREGION_PARAMETERS"
CHOICES = ("calibrated", "defaults")


class ParameterisationError(ValueError):
    """A parameterisation that cannot run; str() is one line saying why and what is allowed."""


@dataclass(frozen=True)
class Parameterisation:
    kind: str  # "calibrated" or "defaults"
    posterior: str | None = None  # absolute path of posterior.csv
    draws: int | None = None  # particles in the posterior
    status: str | None = None  # provenance words ("model fingerprint ok", ...)
    note: str | None = None  # one line for the user (e.g. source changed, fingerprint ok)

    @property
    def calibrated(self) -> bool:
        return self.kind == "calibrated"

    def label(self) -> str:
        if not self.calibrated:
            return "parameters: registry defaults (model/params.py), no parameter uncertainty"
        return f"parameters: calibrated posterior ({provenance._shown(Path(self.posterior).parent)}, {self.draws} " \
               f"draws, {self.status})"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "posterior": self.posterior, "draws": self.draws, "status": self.status,
                "label": self.label()}


def requested(flag: str | None, scenario=None, posterior: str | None = None) -> str:
    """calibrated or defaults: the flag, else the scenario's key when it asks for defaults, else the
    environment (SMARTREGION_PARAMETERS), else calibrated. A --posterior means calibrated."""
    if flag is not None and flag not in CHOICES:
        raise ParameterisationError(f"--parameters {flag}: unknown; allowed: {', '.join(CHOICES)}")
    if posterior is not None:
        if flag == "defaults":
            raise ParameterisationError("--parameters defaults and --posterior exclude each other; allowed: one")
        return "calibrated"
    if flag is not None:
        return flag
    if scenario is not None and getattr(scenario, "parameterisation", "calibrated") == "defaults":
        return "defaults"
    env = os.environ.get(ENV, "").strip().lower()
    if env and env not in CHOICES:
        raise ParameterisationError(f"environment {ENV}={env!r}: unknown; allowed: {', '.join(CHOICES)}")
    return env or "calibrated"


def choose(flag: str | None = None, scenario=None, posterior: str | Path | None = None) -> Parameterisation:
    """The parameterisation of a run, checked before anything runs (ParameterisationError)."""
    from .posterior import PosteriorError, load

    if requested(flag, scenario, None if posterior is None else str(posterior)) == "defaults":
        return Parameterisation("defaults")
    path = Path(posterior) if posterior is not None else SHIPPED / "posterior.csv"
    if path.is_dir():
        path = path / "posterior.csv"
    try:
        post = load(path)
    except PosteriorError as e:
        raise ParameterisationError(str(e)) from None
    status = provenance.check(path)
    if not status.ok:
        raise ParameterisationError(status.note)
    return Parameterisation("calibrated", str(path.resolve()), len(post.weights), status.words, status.note)


def apply(spec, par: Parameterisation):
    """The ensemble spec (model/ensemble.EnsembleSpec) with every arm drawing from the posterior
    (calibrated), or unchanged (defaults). model/ does not import calibration/: the draw is passed in."""
    if not par.calibrated:
        return spec
    from .posterior import PosteriorDraw

    draw = PosteriorDraw(par.posterior)
    return replace(spec, arms={k: replace(a, draw_parameters=draw) for k, a in spec.arms.items()})


def annotate_summary(summary, par: Parameterisation, pol, cf):
    """summary.csv with `parameter_share` (share of each band's variance that comes from the
    parameter draws, calibration/uncertainty.py; empty for registry defaults or without a
    counterfactual) and `parameters` (the label of what ran). `pol`, `cf`: end-of-horizon values
    [replication, region, metric] of the two arms."""
    from .uncertainty import headline_shares

    if par.calibrated and cf is not None:
        summary = summary.merge(headline_shares(pol, cf), on=["metric", "province"], how="left")
    else:
        summary = summary.assign(parameter_share=float("nan"))
    return summary.assign(parameters=par.label())
