"""`run.py calibrate`: ABC-SMC against a targets file, then the posterior, the fitted scenario
file and the fit check, all written to one output directory:

    abc.db                  pyabc's database: the checkpoint a rerun resumes from
    calibration.json        settings (a rerun must match them), generations, runtime, and the model
                            that made it: source hash and behaviour fingerprint (provenance.py)
    generations.csv         epsilon, runs and acceptance rate per generation
    posterior.csv           last generation: parameter columns, weight, distance
    posterior_summary.csv   per parameter: prior range, default, mean, median, 90% interval
    posterior.png           weighted posterior histograms over the prior ranges
    fitted.yaml             scenario file: the calibration scenario with the posterior medians
    fit.csv, fit.png        every target against default, prior and posterior predictions
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from smartregion.model.ensemble import Executor
from smartregion.model.scenario import REPO_ROOT

from . import abc, fit, provenance
from . import posterior as posterior_mod
from .settings import AbcSettings
from .targets import TargetSet

SETTINGS_FILE = "calibration.json"
# Settings that fix the ABC path: a rerun with other values would not continue the same run.
_PATH_SETTINGS = ("targets_sha256", "estimate", "scale", "population_size", "seed")


class CalibrationError(ValueError):
    """An output directory that cannot hold this calibration (one line, what is allowed)."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    _write_text(path, df.to_csv(index=False, float_format="%.6g"))


def _prepare(out: Path, settings: dict) -> dict | None:
    """Create `out`, or check that it holds a calibration with the same settings (returned)."""
    previous = None
    if out.exists():
        if not out.is_dir():
            raise CalibrationError(f"{out}: is a file; allowed: a new or empty directory, or the directory of "
                                   "an interrupted calibration to resume")
        if (out / SETTINGS_FILE).exists():
            previous = json.loads((out / SETTINGS_FILE).read_text())
            differ = [k for k in _PATH_SETTINGS if previous.get("settings", {}).get(k) != settings[k]]
            if differ:
                raise CalibrationError(f"{out}: holds a calibration with other {', '.join(differ)}; allowed: the "
                                       "same targets file and --scale/--population/--seed to resume, or a new --out")
        elif any(out.iterdir()):
            raise CalibrationError(f"{out}: exists and is not a calibration directory; allowed: a new or empty "
                                   "directory")
    out.mkdir(parents=True, exist_ok=True)
    return previous


@contextlib.contextmanager
def _exclusive(out: Path):
    """Hold an exclusive lock on the directory `out` itself while calibrating: two processes
    appending generations to one abc.db would interleave them. (flock on the directory, so no
    lock file is left behind; the lock ends with the process, however it ends.)"""
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CalibrationError(f"{out}: another process is calibrating into it; allowed: wait for it to "
                                   "finish (or stop it), or use another --out") from None
        yield
    finally:
        os.close(fd)


def _relative(target: str | Path, start: Path) -> str:
    return Path(os.path.relpath(Path(target).resolve(), start.resolve())).as_posix()


def fitted_yaml(ts: TargetSet, summary: pd.DataFrame, out: Path, note: str) -> str:
    """A scenario file: the calibration scenario with the posterior medians as parameters."""
    s = ts.scenario
    doc = {"name": f"{s.name}_fitted",
           "description": f"{s.name} with the parameters estimated by run.py calibrate (posterior medians).",
           "extends": _relative(s.source_file, out)}
    if s.counterfactual:
        doc["counterfactual"] = _relative(s.counterfactual, out)
    doc["parameters"] = {r.parameter: float(f"{r.median:.4g}") for r in summary.itertuples()}
    header = (f"# Written by `run.py calibrate`; do not edit by hand (rerun the calibration instead).\n"
              f"# {note}\n"
              f"# Parameters: weighted posterior medians of the last ABC generation (posterior.csv here).\n"
              f"# Marginal medians are a point summary, not a joint best fit; for bands that carry the\n"
              f"# parameter uncertainty, draw from posterior.csv instead (docs/CALIBRATION.md).\n"
              f"# A scenario uses these values with `extends: <path to this file>`.\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def calibrate(ts: TargetSet, out: Path, settings: AbcSettings, executor: Executor | None = None,
              predictive_draws: int = 100, predictive_scale: float = 1.0,
              log: Callable[[str], None] = print) -> pd.DataFrame:
    """Run or resume the calibration and write every output; returns the fit table."""
    executor = executor or Executor()
    out = Path(out)
    path_settings = {"targets_sha256": _sha256(ts.path), "estimate": list(ts.estimate), "scale": settings.scale,
                     "population_size": settings.population_size, "seed": settings.seed}
    previous = _prepare(out, path_settings)
    with _exclusive(out):
        elapsed_before = previous.get("abc_seconds", 0.0) if previous else 0.0
        model = provenance.record()
        if previous and previous.get("model") and previous["model"].get("fingerprint") != model["fingerprint"]:
            raise CalibrationError(f"{out}: its generations were run by other model code (behaviour fingerprint "
                                   "differs); allowed: a new --out, or delete the directory to start again")
        record = {"targets_file": _relative(ts.path, REPO_ROOT), "scenario": ts.scenario.name,
                  "settings": {**path_settings, "budget": settings.budget, "generations": settings.generations},
                  "model": model, "linear_algebra": provenance.linear_algebra(), "status": "running"}
        _write_text(out / SETTINGS_FILE, json.dumps(record, indent=2))

        t0 = time.time()
        history = abc.run(ts, out, settings, executor, log=log)
        abc_seconds = elapsed_before + time.time() - t0
        gens = abc.generations(history)
        sample = abc.posterior_sample(history)
        post = posterior_mod.from_frame(sample, str(out / "posterior.csv"))
        summary = posterior_mod.summary(post)
        _write_csv(gens, out / "generations.csv")
        _write_csv(sample, out / "posterior.csv")
        _write_csv(summary, out / "posterior_summary.csv")
        fit.plot_posterior(post, summary, out / "posterior.png")

        log(f"predictive check: {predictive_draws} runs each for defaults, prior and posterior at scale "
            f"{predictive_scale}")
        t1 = time.time()
        default = fit.predictive(ts, [{}] * predictive_draws, predictive_scale, settings.seed, executor)
        prior = fit.predictive(ts, fit.prior_draws(ts, predictive_draws, settings.seed), predictive_scale,
                               settings.seed, executor)
        postp = fit.predictive(ts, fit.posterior_draws(post, predictive_draws, settings.seed), predictive_scale,
                               settings.seed, executor)
        table = fit.fit_table(ts, default, prior, postp)
        _write_csv(table, out / "fit.csv")
        runs = int(gens["runs"].sum())
        note = (f"ABC-SMC on {_relative(ts.path, REPO_ROOT)}: {len(gens)} generations, {runs} runs at scale "
                f"{settings.scale}, {settings.population_size} particles (effective {post.effective_size:.0f}), seed "
                f"{settings.seed}, final epsilon {gens['epsilon'].iloc[-1]:.3g}")
        title = (f"{ts.scenario.name}: fit to {len(ts.fit)} fit targets; {len(ts.holdout)} holdout and "
                 f"{len(ts.targets) - len(ts.fit) - len(ts.holdout)} check targets reported "
                 f"(predictions at scale {predictive_scale}, {predictive_draws} runs each)\n{note}")
        fit.plot_fit(table, out / "fit.png", title)
        _write_text(out / "fitted.yaml", fitted_yaml(ts, summary, out, note))
        fits, holdouts = table[table.role == "fit"], table[table.role == "holdout"]
        record.update({"status": "done", "abc_seconds": round(abc_seconds, 1),
                       "predictive_seconds": round(time.time() - t1, 1), "runs": runs, "generations": len(gens),
                       "final_epsilon": float(gens["epsilon"].iloc[-1]),
                       "posterior_effective_size": round(post.effective_size, 1),
                       "predictive": {"draws": predictive_draws, "scale": predictive_scale},
                       "fit_targets_within_tolerance": f"{int(fits.fits.sum())}/{len(fits)}",
                       "holdout_targets_within_tolerance": f"{int(holdouts.fits.sum())}/{len(holdouts)}"})
        _write_text(out / SETTINGS_FILE, json.dumps(record, indent=2))
        log(f"done: {record['fit_targets_within_tolerance']} fit targets within tolerance, "
            f"{record['holdout_targets_within_tolerance']} holdouts (out of sample); wrote {out}")
        return table
