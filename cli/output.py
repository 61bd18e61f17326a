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
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from smartregion.model.scenario import SCENARIO_DIR, Scenario, to_yaml
from smartregion.model.results import breakdown_table, spend_table, timeseries_table

from .common import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
PARTS = "parts"
IDENTITY = "run.json"  # inside parts/: what the finished parts belong to
TABLES = {"timeseries": timeseries_table, "breakdown": breakdown_table, "spend": spend_table}


class StagedDir:
    """`with StagedDir(out, ...) as stage:` write into `stage`; on normal exit it becomes `out`.

    `identity` (JSON-able) describes the run; `resume=True` reuses a staging directory only if
    the identity stored there is the same (`resume=None`: the command cannot resume). With
    `force`, an existing output directory is replaced at the very end (never a file, nor a
    directory without a manifest: a typo in --out must not delete someone's work).

    The staging directory is locked (flock on the directory itself) for as long as the run
    lives, so a second run into the same --out refuses instead of resuming, replacing or
    removing it; the kernel drops the lock when the process dies, so a killed run's directory
    is free for --resume at once. A fault while running (a full disk, a read-only or removed
    location, workers that keep dying) ends as one line (cli/faults.py) saying what happened,
    what was kept and how to continue or clean up. `resume_command` is the command line that
    continues this run."""

    def __init__(self, out: str, *, force: bool = False, resume: bool | None = None, identity: dict | None = None,
                 resume_command: str | None = None):
        self.shown = out
        self.resumable = resume is not None  # None: the command has no --resume
        self.target = Path(out).expanduser().resolve()
        self.staging = self.target.with_name(self.target.name + ".partial")
        self.force, self.resume, self.identity = force, bool(resume), identity or {}
        self.resume_command = resume_command
        self.created_parents: list[Path] = []
        self.lock: int | None = None  # descriptor of the locked staging directory

    def __enter__(self) -> Path:
        identity_file = self.staging / PARTS / IDENTITY
        if self.staging.exists():
            self._lock(self.staging)
            self._check_target()  # after the lock: a run that just finished has renamed its staging
            if self.resume and identity_file.is_file():
                stored = json.loads(identity_file.read_text())
                if stored != self.identity:
                    raise self._refuse(f"{self.shown}.partial holds another run ({_describe(stored)}) than this "
                                       f"command asks for ({_describe(self.identity)}); allowed: --resume with the "
                                       "same scenario, seed, replications and scale, or --force to start over")
                return self.staging
            if not (self.force or self.resume):
                how = "--resume to continue it, --force" if self.resumable else "--force"
                raise self._refuse(f"{self.shown}.partial exists (an interrupted run); allowed: {how} to discard it")
            shutil.rmtree(self.staging)
            self._unlock()
        else:
            self._check_target()
        self._make_parents()
        # Built under a private name, locked, then renamed into place: another run never sees
        # a staging directory that is not yet locked.
        fresh = self.staging.with_name(f".{self.staging.name}.new-{os.getpid()}")
        try:
            (fresh / PARTS).mkdir(parents=True)
            self._lock(fresh)
            (fresh / PARTS / IDENTITY).write_text(json.dumps(self.identity, indent=1, sort_keys=True))
            fresh.rename(self.staging)
        except OSError as e:
            self._unlock()
            shutil.rmtree(fresh, ignore_errors=True)
            self._remove_parents()
            if self.staging.exists():  # another run created it in the meantime
                raise UserError(f"--out {self.shown}: another run started writing into {self.shown}.partial at the "
                                "same moment; allowed: one run per output directory") from None
            raise UserError(f"--out {self.shown}: cannot create {self.staging} ({e.strerror}); allowed: a "
                            "writable location with free space") from None
        return self.staging

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc is None:
                try:
                    self._check_still_ours()
                    self._commit()
                    return False
                except OSError as e:  # the location went away or read-only at the very end
                    exc = e
            self._after(exc)
            return False
        finally:
            self._unlock()

    def _after(self, exc: BaseException) -> None:
        """What to keep after `exc`, and for a fault of the machine the one line that says so."""
        from .faults import RunFailed, what_happened

        if isinstance(exc, UserError):
            self._discard()
            return
        what = what_happened(exc, self)
        if what is None:  # a bug (its traceback follows) or an interruption
            done = PartStore(self.staging / PARTS).done() if self.still_ours() else []
            if self.resumable and done:
                print(f"{len(done)} finished replication(s) kept in {self.shown}.partial; run the same command "
                      "with --resume to continue", file=sys.stderr)
            else:
                self._discard()
            return
        raise RunFailed(f"{what}; {self._leftovers()}") from None

    def _leftovers(self) -> str:
        """Keep the finished parts if the run can be resumed from them, else remove all; say which."""
        parts = PartStore(self.staging / PARTS)
        done = parts.done() if self.still_ours() else []
        if self.resumable and done:
            self.keep_parts_only()
            where = shlex.quote(f"{self.shown}.partial")
            return (f"{len(done)} finished replication(s) kept in {self.shown}.partial "
                    f"({_mb(disk_usage(self.staging))}); continue with: {self.resume_command or '--resume'}; "
                    f"or free their space with: rm -r {where}")
        ours = self.still_ours()
        self._discard()
        if ours and self.staging.exists():
            return f"{self.shown}.partial could not be removed ({_mb(disk_usage(self.staging))}); remove it with: " \
                   f"rm -r {shlex.quote(str(self.shown) + '.partial')}"
        return f"nothing was kept and {self.shown} was not written"

    def _refuse(self, message: str) -> UserError:
        self._unlock()
        return UserError(message)

    def _lock(self, directory: Path) -> None:
        import fcntl

        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(f"--out {self.shown}: another run is writing into {self.shown}.partial right now; "
                            "allowed: wait for it to finish, or another --out") from None
        self.lock = fd

    def _unlock(self) -> None:
        if self.lock is not None:
            os.close(self.lock)  # closing the last descriptor releases the flock
            self.lock = None

    def still_ours(self) -> bool:
        """The staging directory is still the one this run locked (not removed, not replaced)."""
        if self.lock is None:
            return False
        try:
            mine, there = os.fstat(self.lock), os.stat(self.staging)
        except OSError:
            return False
        return mine.st_nlink > 0 and (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)

    def _check_still_ours(self) -> None:
        if not self.still_ours():
            from .faults import StagingLost

            raise StagingLost(self.staging)

    def _discard(self) -> None:
        if self.still_ours():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_parents()

    def keep_parts_only(self) -> None:
        """After a fault: drop everything but the finished parts (half-written tables would only
        hold space; --resume writes them again)."""
        if not self.still_ours():
            return
        for p in self.staging.iterdir():
            if p.name == PARTS:
                for tmp in p.glob(".rep-*.tmp"):
                    shutil.rmtree(tmp, ignore_errors=True)
            elif p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                try:
                    p.unlink()
                except OSError:
                    pass

    def _check_target(self) -> None:
        t = self.target
        if not t.exists():
            return
        if not self.force:
            raise self._refuse(f"--out {self.shown} already exists; allowed: a new directory, or --force to replace it")
        if not t.is_dir() or not (t / MANIFEST).is_file():
            raise self._refuse(f"--out {self.shown} exists and is not a smartregion output directory (no {MANIFEST});"
                               " allowed with --force: only an earlier output directory; pick another --out")

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


CHECKSUMS = "sha256.json"  # inside each part: the sha256 of each of its files


class DamagedPart(OSError):
    """A part whose bytes no longer match the checksums written with it."""


class PartStore:
    """One directory per finished replication (`rep-00007/`) with its tidy tables as Parquet
    and the sha256 of each (`sha256.json`).

    A part is written under a temporary name and renamed when complete, so a killed run never
    leaves a half-written part that a resume would trust; the checksums catch what a rename
    cannot (a machine that lost power before the data reached the disk, a damaged disk): a
    damaged part is recomputed on --resume, and its bytes are checked again before they are
    read into the output."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def write(self, index: int, arms: dict) -> None:
        tmp = self.dir / f".rep-{index:05d}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()  # not parents=True: a staging directory removed under us is not silently made again
        try:
            sums = {}
            for name, table in TABLES.items():
                pq.write_table(table(index, arms), tmp / f"{name}.parquet")
                sums[f"{name}.parquet"] = sha256(tmp / f"{name}.parquet")
            (tmp / CHECKSUMS).write_text(json.dumps(sums, indent=1, sort_keys=True))
            tmp.rename(self.dir / f"rep-{index:05d}")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # a full disk gets its space back
            raise

    def done(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        return sorted(int(p.name[4:]) for p in self.dir.glob("rep-*") if p.is_dir())

    def damage(self, index: int) -> str | None:
        """What is wrong with a part on disk (None: every file matches its checksum)."""
        part = self.dir / f"rep-{index:05d}"
        try:
            sums = json.loads((part / CHECKSUMS).read_text())
        except (OSError, ValueError):
            return f"no readable {CHECKSUMS}"
        if not isinstance(sums, dict) or sorted(sums) != sorted(f"{t}.parquet" for t in TABLES):
            return f"{CHECKSUMS} does not list its tables"
        for name, digest in sorted(sums.items()):
            try:
                if sha256(part / name) != digest:
                    return f"{name} does not match its checksum"
            except OSError as e:
                return f"{name}: {e.strerror}"
        return None

    def discard_damaged(self) -> list[tuple[int, str]]:
        """Remove damaged parts and leftovers of parts being written, so that they are
        recomputed; returns (replication, what was wrong) for each damaged part."""
        for tmp in self.dir.glob(".rep-*.tmp"):
            shutil.rmtree(tmp, ignore_errors=True)
        damaged = [(i, why) for i in self.done() if (why := self.damage(i)) is not None]
        for i, _ in damaged:
            shutil.rmtree(self.dir / f"rep-{i:05d}")
        return damaged

    def read_arrow(self, index: int, table: str) -> pa.Table:
        """A part's table, from bytes that were checked against its checksum first."""
        part = self.dir / f"rep-{index:05d}"
        name = f"{table}.parquet"
        data = (part / name).read_bytes()
        try:
            expected = json.loads((part / CHECKSUMS).read_text())[name]
        except (OSError, ValueError, KeyError):
            expected = None
        if hashlib.sha256(data).hexdigest() != expected:
            raise DamagedPart(f"part {part.name}/{name} was damaged after it was written")
        # ParquetFile.read, not read_table: the same table, without the dataset layer's set-up
        # (half the CPU time for a time series part).
        return pq.ParquetFile(pa.BufferReader(data)).read()

    def size(self) -> int:
        return disk_usage(self.dir)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def disk_usage(path: Path) -> int:
    """Bytes held by the files under `path` (0 if it is gone)."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


# Bytes per arm and simulated quarter of one replication, measured on baseline (2 arms, 68
# quarters) at scales 0.05 and 0.2: the tables as CSV 18.5-18.9 kB, as Parquet (a part, or the
# final tables) 1.6-1.9 kB. The estimate uses the low ends: a refusal must be clearly right.
CSV_BYTES_PER_ARM_QUARTER = 18_000
PARQUET_BYTES_PER_ARM_QUARTER = 1_600
OTHER_BYTES = 1_000_000  # report.png, summary.csv, manifest, scenario files


def space_needed(replications: int, arms: int, quarters: int, fmt: str, parts_done: int = 0) -> tuple[int, int]:
    """(bytes the finished output takes, bytes the parts still to be written take) at the
    peak of a run: just before the rename, parts and tables are both on disk."""
    per_table = CSV_BYTES_PER_ARM_QUARTER if fmt == "csv" else PARQUET_BYTES_PER_ARM_QUARTER
    tables = replications * arms * quarters * per_table + OTHER_BYTES
    parts = (replications - parts_done) * arms * quarters * PARQUET_BYTES_PER_ARM_QUARTER
    return tables, parts


def check_free_space(out: str, tables: int, parts: int, replications: int) -> None:
    """Refuse, before anything is written, a run whose output clearly cannot fit."""
    staging = Path(out).expanduser().resolve()
    where = next(p for p in (staging, *staging.parents) if p.exists())
    free = shutil.disk_usage(where).free
    if free < tables + parts:
        raise UserError(f"--out {out}: needs about {_mb(tables + parts)} of disk ({replications} replication(s): "
                        f"{_mb(tables)} of output and {_mb(parts)} of parts while running), but the file system "
                        f"holding {where} has {_mb(free)} free; allowed: an --out with more free space, fewer "
                        "--replications, or --tables parquet (about a tenth of the size)")


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
