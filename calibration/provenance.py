"""Which model made a posterior: a hash of its source and a fingerprint of its behaviour.

A posterior is only valid for the model code that produced it. `calibrate` records, in the
output's `calibration.json` under "model":

- `source_sha256`: sha256 over the model's source and input data (every .py, .csv, .yaml and
  .json file under model/, and calibration/data/*.csv), by path and content;
- `fingerprint`: sha256 of the recorded outputs (metrics, breakdown, spend) of one small fixed
  reference run (REFERENCE: the baseline's policies, registry defaults, population scale 0.02,
  a fixed seed), every number rounded to 9 significant digits so that a harmless change in the
  last bits of a float (another BLAS, another order of a sum) does not count as other behaviour.
  It costs one run of about 550 firms (well under a second after the speed work).

`check(posterior_dir)` compares them with the current code: the same source is trusted without
running anything; another source whose reference run gives the same fingerprint is accepted
with a note (comments, refactoring, speed work that keeps every number); another fingerprint is
refused, with the command that refreshes the posterior.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "calibration.json"
REFERENCE = {"scenario": "baseline", "parameters": "registry defaults", "scale": 0.02, "seed": 20140101,
             "significant_digits": 9}
# What refreshes the shipped posterior (docs/CALIBRATION.md, "Refit").
REFRESH = "python calibration/scripts/refit.py --out calibration/fitted/baseline --force"
_SOURCE_SUFFIXES = (".py", ".csv", ".yaml", ".json")


def source_hash() -> str:
    """sha256 over the model's source and input data files (path and bytes, in sorted order)."""
    files = [p for p in (ROOT / "model").rglob("*") if p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts]
    files += list((ROOT / "calibration" / "data").glob("*.csv"))
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.relative_to(ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def _rounded_bytes(a: np.ndarray, digits: int) -> bytes:
    flat = np.asarray(a, dtype=float).ravel()
    return ",".join(f"{v:.{digits}g}" for v in flat).encode()


@functools.cache
def _fingerprint(source: str) -> str:  # cached per source: one reference run per process and code
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.scenario import load_scenario
    from smartregion.model.scenario import SCENARIO_DIR

    s = load_scenario(SCENARIO_DIR / f"{REFERENCE['scenario']}.yaml")
    model = SmartIndustryModel(params={}, policies=s.policies, start=s.horizon.start, end=s.horizon.end,
                               scale=REFERENCE["scale"], network=s.population.network,
                               seed=np.random.SeedSequence(REFERENCE["seed"]))
    r = model.run()
    model.release()
    h = hashlib.sha256()
    h.update(json.dumps(REFERENCE, sort_keys=True).encode())
    for a in (r.metrics, r.breakdown, r.spend, r.employment_start):
        h.update(str(np.shape(a)).encode())
        h.update(_rounded_bytes(a, REFERENCE["significant_digits"]))
    return h.hexdigest()


def fingerprint() -> str:
    """The behaviour fingerprint of the current model code (see the module docstring)."""
    return _fingerprint(source_hash())


def record() -> dict:
    """What `calibrate` stores under "model" in calibration.json."""
    return {"source_sha256": source_hash(), "fingerprint": fingerprint(), "reference": dict(REFERENCE)}


def linear_algebra() -> dict:
    """The BLAS library and kernel that did pyabc's linear algebra (the perturbation kernel's
    covariance, its decomposition for each proposal, the transition densities), as
    `calibrate` stores it in calibration.json.

    The model itself uses no BLAS: its runs are bit-identical whatever the kernel. pyabc's
    algebra is not: OpenBLAS picks its kernel for the CPU at start-up, and kernels round
    differently in the last bits, which over 14 generations moved 7 of the shipped posterior's
    250 particles in their sixth significant digit (fit table and posterior summary unchanged).
    `reproduce_with` is the environment setting that makes another machine pick the same kernel
    (it needs a CPU with that kernel's instructions)."""
    from threadpoolctl import threadpool_info

    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            out = {"library": f"{lib.get('internal_api')} {lib.get('version')}", "kernel": lib.get("architecture")}
            if lib.get("internal_api") == "openblas" and lib.get("architecture"):
                out["reproduce_with"] = f"OPENBLAS_CORETYPE={lib['architecture']}"
            return out
    return {"library": "none found", "kernel": None}


@dataclass(frozen=True)
class Status:
    ok: bool  # the current code reproduces the posterior's model behaviour
    words: str  # "model fingerprint ok", "model source changed, fingerprint ok", or why not
    note: str | None = None  # one line to tell the user, or None


def directory_of(posterior: str | Path) -> Path:
    p = Path(posterior)
    return p if p.is_dir() else p.parent


def check(posterior: str | Path) -> Status:
    """Does the current model code reproduce the model that made this posterior (a posterior.csv
    or its calibration directory)?"""
    d = directory_of(posterior)
    try:
        rec = json.loads((d / SETTINGS_FILE).read_text(encoding="utf-8")).get("model")
    except (OSError, ValueError):
        rec = None
    where = _shown(d)
    if not isinstance(rec, dict) or "fingerprint" not in rec:
        return Status(False, "no model fingerprint recorded",
                      f"{where}: the posterior records no model fingerprint (made by older model code); refresh it "
                      f"with `{REFRESH}` (docs/CALIBRATION.md), or run with --parameters defaults")
    if rec.get("source_sha256") == source_hash():
        return Status(True, "model fingerprint ok")
    if rec["fingerprint"] == fingerprint():
        return Status(True, "model source changed, fingerprint ok",
                      f"{where}: the model source changed since this posterior was made, but its reference run "
                      "gives the same numbers (fingerprint ok)")
    return Status(False, "model fingerprint differs",
                  f"{where}: the posterior was made by other model code (the current code does not reproduce its "
                  f"reference run); refresh it with `{REFRESH}` (docs/CALIBRATION.md), or run with "
                  "--parameters defaults")


def restamp(posterior: str | Path) -> Status:
    """After a change of model source that keeps every number (refactoring, speed work), record
    the new source hash in the posterior's calibration.json so that runs trust it without a
    reference run or a note. Only when the current code reproduces the recorded fingerprint;
    the earlier hashes are kept under "restamped_from"."""
    status = check(posterior)
    if not status.ok or status.words == "model fingerprint ok":
        return status
    f = directory_of(posterior) / SETTINGS_FILE
    settings = json.loads(f.read_text(encoding="utf-8"))
    rec = settings["model"]
    rec.setdefault("restamped_from", []).append(rec["source_sha256"])
    rec["source_sha256"] = source_hash()
    f.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return Status(True, "model fingerprint ok", f"{_shown(f.parent)}: source hash updated (fingerprint ok)")


def _shown(d: Path) -> str:
    try:
        return d.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(d)
