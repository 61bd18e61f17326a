"""Output directories that appear whole or not at all, replication parts streamed to disk,
and the manifest that lets anyone rerun a result.

Everything is written into a staging directory next to the target (`DIR.partial`, so the
final rename stays on one file system and is atomic) and renamed into place at the end. An
interrupted run keeps its staging directory only if it holds finished replications, which
`--resume` then reuses; otherwise nothing is left behind.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from smartregion.model.scenario import SCENARIO_DIR, Scenario, to_yaml
from smartregion.model.results import breakdown_frame, spend_frame, timeseries_frame

from .common import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
PARTS = "parts"
IDENTITY = "run.json"  # inside parts/: what the finished parts belong to
TABLES = {"timeseries": timeseries_frame, "breakdown": breakdown_frame, "spend": spend_frame}


class StagedDir:
    """`with StagedDir(out, ...) as stage:` write into `stage`; on normal exit it becomes `out`.

    `identity` (JSON-able) describes the run; `resume=True` reuses a staging directory only if
    the identity stored there is the same (`resume=None`: the command cannot resume). With
    `force`, an existing output directory is replaced at the very end (never a file, nor a
    directory without a manifest: a typo in --out must not delete someone's work)."""

    def __init__(self, out: str, *, force: bool = False, resume: bool | None = None, identity: dict | None = None):
        self.shown = out
        self.resumable = resume is not None  # None: the command has no --resume
        self.target = Path(out).expanduser().resolve()
        self.staging = self.target.with_name(self.target.name + ".partial")
        self.force, self.resume, self.identity = force, bool(resume), identity or {}
        self.created_parents: list[Path] = []

    def __enter__(self) -> Path:
        self._check_target()
        identity_file = self.staging / PARTS / IDENTITY
        if self.staging.exists():
            if self.resume and identity_file.is_file():
                stored = json.loads(identity_file.read_text())
                if stored != self.identity:
                    raise UserError(f"{self.shown}.partial holds another run ({_describe(stored)}) than this "
                                    f"command asks for ({_describe(self.identity)}); allowed: --resume with the "
                                    "same scenario, seed, replications and scale, or --force to start over")
                return self.staging
            if not (self.force or self.resume):
                how = "--resume to continue it, --force" if self.resumable else "--force"
                raise UserError(f"{self.shown}.partial exists (an interrupted run); allowed: {how} to discard it")
            shutil.rmtree(self.staging)
        self._make_parents()
        try:
            (self.staging / PARTS).mkdir(parents=True)
        except OSError as e:
            self._remove_parents()
            raise UserError(f"--out {self.shown}: cannot create {self.staging} ({e.strerror}); allowed: a "
                            "writable location") from None
        # Whole or absent: a run killed while writing it must not leave a file --resume cannot read.
        tmp = identity_file.with_name(identity_file.name + ".tmp")
        tmp.write_text(json.dumps(self.identity, indent=1, sort_keys=True))
        tmp.rename(identity_file)
        return self.staging

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self._commit()
            return False
        parts = PartStore(self.staging / PARTS)
        if not issubclass(exc_type, UserError) and parts.done():
            n = len(parts.done())
            print(f"{n} finished replication(s) kept in {self.shown}.partial; run the same command with "
                  "--resume to continue", file=sys.stderr)
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._remove_parents()
        return False

    def _check_target(self) -> None:
        t = self.target
        if not t.exists():
            return
        if not self.force:
            raise UserError(f"--out {self.shown} already exists; allowed: a new directory, or --force to replace it")
        if not t.is_dir() or not (t / MANIFEST).is_file():
            raise UserError(f"--out {self.shown} exists and is not a smartregion output directory (no {MANIFEST}); "
                            "allowed with --force: only an earlier output directory; pick another --out")

    def _make_parents(self) -> None:
        missing = [p for p in self.staging.parents if not p.exists()]
        for p in reversed(missing):
            try:
                p.mkdir()
            except OSError as e:
                self._remove_parents()
                raise UserError(f"--out {self.shown}: cannot create {p} ({e.strerror}); allowed: a writable "
                                "location") from None
            self.created_parents.append(p)

    def _remove_parents(self) -> None:
        for p in reversed(self.created_parents):
            try:
                p.rmdir()
            except OSError:
                break  # not empty any more: someone else uses it
        self.created_parents = []

    def _commit(self) -> None:
        shutil.rmtree(self.staging / PARTS, ignore_errors=True)
        if self.target.exists() and _exchange(self.staging, self.target):  # --force, checked in _check_target
            shutil.rmtree(self.staging)  # now the earlier result
            return
        old = None
        if self.target.exists():  # no atomic exchange here: a moment without DIR
            old = self.target.with_name(f".{self.target.name}.replaced-{os.getpid()}")
            self.target.rename(old)
        self.staging.rename(self.target)
        if old is not None:
            shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE), so that a run killed
    while replacing an earlier result (--force) leaves either the old or the new one at DIR,
    never neither. False where the system or file system cannot (then two renames)."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _describe(identity: dict) -> str:
    keys = ("scenario", "seed", "replications", "scale")
    return ", ".join(f"{k} {identity.get(k)}" for k in keys) + f", hash {str(identity.get('scenario_hash'))[:12]}"


class PartStore:
    """One directory per finished replication (`rep-00007/`) with its tidy tables as Parquet.

    A part is written under a temporary name and renamed when complete, so a killed run never
    leaves a half-written part that a resume would trust."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def write(self, index: int, arms: dict) -> None:
        tmp = self.dir / f".rep-{index:05d}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, frame in TABLES.items():
            frame({index: arms}).to_parquet(tmp / f"{name}.parquet", index=False)
        tmp.rename(self.dir / f"rep-{index:05d}")

    def done(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        return sorted(int(p.name[4:]) for p in self.dir.glob("rep-*") if p.is_dir())

    def read_arrow(self, index: int, table: str) -> pa.Table:
        return pq.read_table(self.dir / f"rep-{index:05d}" / f"{table}.parquet")


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """The schema a part is written to the output tables with: text columns (stored as codes
    into their labels) as plain text, and without pandas' metadata, so that every part has the
    same schema."""
    return pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                      for f in schema])


def model_code_hash() -> str:
    """sha256 over the model's source and data files: parts computed by other code or data must
    not be mixed into a resumed run."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for p in sorted([*(root / "model").rglob("*.py"), *(root / "calibration" / "data").glob("*.csv")]):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def environment() -> dict:
    """Versions of what produced a result: Python, the libraries, and the repository commit."""
    versions = {"python": platform.python_version()}
    for pkg in ("smartregion", "numpy", "pandas", "scipy", "mesa", "pydantic", "pyarrow", "matplotlib", "pyyaml"):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"versions": versions, "platform": platform.platform(), "git": _git()}


def _git() -> dict | None:
    def git(*args):
        return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout (an installed copy) or git missing


def write_manifest(stage: Path, manifest: dict) -> None:
    """manifest.json with the sha256 of every other file in the directory."""
    files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST and PARTS not in p.parts)
    manifest = {**manifest, "files": {p.relative_to(stage).as_posix(): sha256(p) for p in files}}
    (stage / MANIFEST).write_text(json.dumps(manifest, indent=2, allow_nan=False) + "\n")


def write_resolved(path: Path, scenario: Scenario, counterfactual: str | None) -> None:
    """The scenario as it ran, with its counterfactual reference replaced by `counterfactual`
    (a path relative to `path`, e.g. the counterfactual.yaml written next to it), so that the
    output directory can be rerun on another machine."""
    if counterfactual is None and scenario.counterfactual is not None:
        counterfactual = _portable_ref(scenario.counterfactual)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(scenario.model_copy(update={"counterfactual": counterfactual})))


def _portable_ref(p: str) -> str:
    """A shipped scenario by name (it resolves on any checkout), anything else as it is."""
    path = Path(p)
    return path.stem if path.parent == SCENARIO_DIR else p


def seed_sequences(spec) -> list[dict]:
    """Entropy and spawn key of every replication's SeedSequence, as run."""
    return [{"replication": t.index, "entropy": t.seed.entropy, "spawn_key": list(t.seed.spawn_key)}
            for t in spec.tasks()]
