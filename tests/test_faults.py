"""Faults during a run: the machine misbehaves while a correct run is going.

Every fault is real: a SIGKILL of the real main process or of a real worker process (found
through /proc), a real small file system (tmpfs, mounted by the test as root) that fills up or
is remounted read-only, a staging directory removed from under the run, part files truncated
or with a byte flipped, two real processes writing into one --out. Each test ends with the
output byte-identical to an undisturbed run (resumed where a fault stopped it), or with a
clean refusal: one line on stderr, no traceback, nothing half-written where the output goes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import _tree_cpu, communicate_guarded, proc_stats, run_guarded, same_picture

REPO = Path(__file__).resolve().parent.parent
N = 4
SMALL = ("--scale", "0.05", "--replications", str(N), "--seed", "11", "--no-progress")
SCENARIO = "scenarios/fieldlab_expansion_north.yaml"
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def command(out: Path, *extra: str, workers: int = 2) -> list[str]:
    return [sys.executable, str(REPO / "run.py"), "run", SCENARIO, "--out", str(out), *SMALL, "--workers",
            str(workers), *extra]


def run(out: Path, *extra: str, workers: int = 2) -> subprocess.CompletedProcess:
    return run_guarded(command(out, *extra, workers=workers), cwd=REPO, env=ENV)


def start(out: Path, *extra: str, workers: int = 2) -> subprocess.Popen:
    return subprocess.Popen(command(out, *extra, workers=workers), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, env=ENV)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    try:
        _, err = communicate_guarded(proc, idle=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, err


def wait_for(condition, proc: subprocess.Popen | None = None, timeout: float = 240) -> None:
    """Poll `condition` until it holds; give up when the run used no CPU for `timeout` seconds
    (a hang), not after a fixed time (a loaded machine is slow, not stuck)."""
    last, used = time.monotonic(), -1.0
    while not condition():
        assert proc is None or proc.poll() is None, "the run ended before the point the test waits for"
        now = time.monotonic()
        if proc is not None and now - last > 1:
            cpu = _tree_cpu(proc.pid)
            if cpu != used:  # a finished worker leaves the sum: any change is progress
                used, last = cpu, now
        assert now - last < timeout, "timed out waiting"
        time.sleep(0.005)


def staging(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def parts(out: Path) -> list[str]:
    d = staging(out) / "parts"
    try:
        return sorted(p.name for p in d.iterdir() if p.name.startswith("rep-"))
    except OSError:
        return []


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a dead child not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    """Live child processes of `pid`, from /proc."""
    return [p for p, (state, parent, _) in proc_stats().items() if parent == pid and state != "Z"]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified(out: Path) -> dict[str, str]:
    """{file: sha256} of a complete result whose manifest lists exactly the files present."""
    files = json.loads((out / "manifest.json").read_text())["files"]
    present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert present == sorted(files)
    assert all(sha256(out / name) == digest for name, digest in files.items())
    return files


def one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    print(f"user sees: {lines[0]}")  # shown with pytest -rA: the lines quoted in docs/HARDENING.md
    return lines[0]


def resume_from(line: str) -> list[str]:
    """The command the message gives to continue, runnable here."""
    m = re.search(r"continue with: (.*?); or free their space with: rm -r (\S+)$", line)
    assert m, line
    argv = shlex.split(m.group(1))
    assert argv[:2] == ["python", "run.py"] and argv[-1] == "--resume", argv
    return [sys.executable, str(REPO / "run.py"), *argv[2:]]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reference") / "out"
    r = run(out)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr  # no warnings or other noise on a normal run
    REFERENCE_DIR.append(out)
    return verified(out)


REFERENCE_DIR: list[Path] = []


def same_as_reference(out: Path, reference: dict[str, str]) -> None:
    """Every data file byte-identical to an undisturbed run's; report.png the same picture
    (conftest.same_picture)."""
    files = verified(out)
    assert {k: v for k, v in files.items() if k != "report.png"} == {
        k: v for k, v in reference.items() if k != "report.png"}
    assert same_picture(REFERENCE_DIR[0] / "report.png", out / "report.png")


# --------------------------------------------------------------------------------------------
# 0, 1: worker processes
# --------------------------------------------------------------------------------------------

def test_killing_the_main_process_leaves_no_worker_and_resume_completes(reference, tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    try:
        wait_for(lambda: len(children(proc.pid)) >= 2 and parts(out), proc)
        workers = children(proc.pid)
        assert not any("resource_tracker" in cmdline(w) for w in workers)  # nothing that could print a KeyError
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if alive(w)], "worker processes outlived their run"
    finally:
        finish(proc)
    # the dead run's lock went with it: --resume continues at once
    r = run(out, "--resume")
    assert r.returncode == 0, r.stderr
    same_as_reference(out, reference)


def test_a_killed_worker_is_replaced_and_the_result_is_identical(reference, tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    # as soon as the pool is up: later, the victim might already have nothing left to do
    wait_for(lambda: len(children(proc.pid)) >= 2, proc)
    victim = children(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    code, err = finish(proc)
    assert code == 0, err
    assert one_line(err).startswith("note: a worker process died; "), err
    same_as_reference(out, reference)


def test_a_killed_dask_worker_and_resource_tracker(reference, tmp_path):
    """A LocalCluster worker killed: Dask's nanny starts another and the scheduler reruns its
    tasks. Its resource tracker killed too: the relaunched tracker's KeyError tracebacks (one
    per semaphore released afterwards) do not reach the terminal."""
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    proc = start(out, "--scheduler", "local")
    wait_for(lambda: parts(out), proc)  # the cluster is up and working (a kill during its start-up: below)
    workers = dask_workers(proc)
    tracker = [w for w in children(proc.pid) if "resource_tracker" in cmdline(w)]
    assert len(workers) == 2 and len(tracker) == 1
    os.kill(workers[0], signal.SIGKILL)
    os.kill(tracker[0], signal.SIGKILL)
    code, err = finish(proc)
    assert code == 0, err
    # the note, unless the cluster closed before its nanny restarted the victim; nothing else
    assert err.strip() in ("", "note: a Dask worker process died; the local cluster started a new one and runs its "
                               "tasks again"), err
    same_as_reference(out, reference)


def dask_workers(proc: subprocess.Popen) -> list[int]:
    """A LocalCluster's worker processes (spawned by their nannies, which live in the run).
    A worker renames itself "dask worker [address]" once it runs, if setproctitle is installed
    (mutmut, of the [mutation] extra, brings it)."""
    return [w for w in children(proc.pid) if "spawn_main" in cmdline(w) or cmdline(w).startswith("dask worker")]


def test_a_local_cluster_leaves_dasks_default_port_to_whoever_holds_it(reference, tmp_path):
    """Another program (or another run's cluster) on Dask's default port 8787: `--scheduler
    local` serves its few HTTP routes on a free loopback port instead, and says nothing about
    it. Before, Dask warned on stderr ("Port 8787 is already in use"): two test files starting
    local clusters at once in the suite's two processes met there."""
    pytest.importorskip("distributed")
    import socket

    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:  # already held by someone else: the condition under test holds anyway
        pass
    try:
        code, err = finish(start(tmp_path / "out", "--scheduler", "local"))
    finally:
        holder.close()
    assert code == 0 and err.strip() == "", err
    same_as_reference(tmp_path / "out", reference)


def test_a_dask_worker_killed_while_the_cluster_starts(reference, tmp_path):
    """A worker killed before it joins the scheduler (it waits in a preload until it is killed,
    tests/dask_slow_start.py): the run finishes with the reference's files and at most one
    line. Usually the nanny fails, LocalCluster closes and raises, and the run starts the
    cluster again, saying so. In CI once (and probably in 1 of 33 runs here, whose message was
    not kept) the run said nothing: the cluster started with a replaced worker, which serves the
    user as well."""
    pytest.importorskip("distributed")
    out, marker = tmp_path / "out", tmp_path / "slow_worker_pid"
    env = {**ENV, "SMARTREGION_SLOW_START": str(marker),
           "DASK_DISTRIBUTED__WORKER__PRELOAD": repr([str(REPO / "tests" / "dask_slow_start.py")])}
    proc = subprocess.Popen(command(out, "--scheduler", "local"), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    wait_for(marker.exists, proc)
    os.kill(int(marker.read_text()), signal.SIGKILL)
    code, err = finish(proc)
    assert code == 0, err
    assert err.strip() in ("", "note: a Dask worker process died while the local cluster started; starting it "
                               "again"), err
    same_as_reference(out, reference)


def test_workers_that_keep_dying_end_in_one_line_and_the_given_command_resumes(reference, tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    wait_for(lambda: parts(out), proc)
    killed = set()
    while proc.poll() is None:  # every worker the run starts, as soon as it appears
        for w in children(proc.pid):
            if w not in killed:
                os.kill(w, signal.SIGKILL)
                killed.add(w)
        time.sleep(0.01)
    code, err = finish(proc)
    *notes, line = err.splitlines()  # a note each time workers were replaced, then one line
    print(f"user sees: {err}")
    assert notes and all(n.startswith("note: a worker process died; ") for n in notes), err
    assert code == 1 and line.startswith("error: ") and "Traceback" not in err, err
    assert "a worker process died 3 times while running replication" in line, line
    kept = len(parts(out))
    assert f"{kept} finished replication(s) kept in {out}.partial" in line and 1 <= kept < N, line
    assert not out.exists()
    r = run_guarded(resume_from(line), cwd=REPO, env=ENV)
    assert r.returncode == 0, r.stderr
    assert f"resuming: {kept} of {N}" in r.stderr
    same_as_reference(out, reference)


# --------------------------------------------------------------------------------------------
# 2, 5: a small, full, read-only or vanished output location
# --------------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 24 MB (tmpfs), mounted for the test and removed after it."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True,
                       text=True, check=False)
    if r.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI: {r.stderr.strip()}")
        pytest.skip(f"needs root to mount a small file system: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Take all but about `leave` bytes of the free space, as another program would (the run
    keeps writing meanwhile, so: fill to the brim, then give `leave` back)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
        fh.truncate(max(fh.tell() - leave, 0))
    return filler


def test_a_run_that_cannot_fit_is_refused_before_it_starts(small_disk):
    out = small_disk / "out"
    r = run(out, "--replications", "40")
    line = one_line(r.stderr)
    assert r.returncode == 2, r.stderr
    assert re.search(r"needs about [\d.,]+ MB of disk \(40 replication\(s\).*has [\d.,]+ MB free", line), line
    assert str(small_disk) in line and "--tables parquet" in line
    assert list(small_disk.iterdir()) == []


PRECHECKED = {  # the other commands that write an output, each small and quick (scale 0.02)
    "compare": ["compare", "scenarios/baseline.yaml", "scenarios/skills_offensive.yaml", "--scale", "0.02",
                "--replications", "2", "--workers", "1", "--no-progress"],
    "sensitivity": ["sensitivity", "scenarios/baseline.yaml", "--method", "sobol", "--n", "2", "--parameters",
                    "business_stealing,separation_rate", "--scale", "0.02", "--workers", "1"],
}


@pytest.mark.parametrize("name", PRECHECKED)
def test_compare_and_sensitivity_refuse_a_disk_too_full_before_they_start(small_disk, name):
    """Refused at once with one line on a nearly full disk; on the same disk with room, the
    output written is at least the size the refusal said it needs (the estimate is a low end)."""
    out = small_disk / "out"
    filler = fill(small_disk, 40_000)
    argv = [sys.executable, str(REPO / "run.py"), *PRECHECKED[name], "--out", str(out)]
    r = run_guarded(argv, cwd=REPO, env=ENV)
    line = one_line(r.stderr)
    assert r.returncode == 2, r.stderr
    m = re.search(rf"^error: --out {out}: needs about ([\d.,]+) MB of disk \(.+\), but the file system holding "
                  rf"{small_disk} has ([\d.,]+) MB free; allowed: an --out with more free space$", line)
    assert m, line
    needed, free = (float(g.replace(",", "")) for g in m.groups())
    assert free < needed
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # nothing written, no staging directory
    filler.unlink()
    r = run_guarded(argv, cwd=REPO, env=ENV)
    assert r.returncode == 0, r.stderr
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) >= needed * 1e6


def test_a_disk_that_fills_during_the_run(reference, small_disk):
    out = small_disk / "out"
    proc = start(out)
    wait_for(lambda: parts(out), proc)
    filler = fill(small_disk, 50_000)
    code, err = finish(proc)
    line = one_line(err)
    assert code == 1, err
    assert f"the disk holding {out}.partial is full (No space left on device" in line, line
    kept = parts(out)
    assert 1 <= len(kept) < N and f"{len(kept)} finished replication(s) kept" in line, line
    held = sum(p.stat().st_size for p in staging(out).rglob("*") if p.is_file())
    assert re.search(rf"\({held / 1e6:,.1f} MB\)", line), (held, line)  # the space they hold
    assert f"rm -r {out}.partial" in line
    # only finished parts are kept: no half-written table or part
    assert sorted(p.name for p in staging(out).iterdir()) == ["parts"]
    assert all((staging(out) / "parts" / p / "sha256.json").is_file() for p in kept)
    assert not out.exists()
    filler.unlink()  # the user frees space and continues
    r = run_guarded(resume_from(line), cwd=REPO, env=ENV)
    assert r.returncode == 0, r.stderr
    same_as_reference(out, reference)


def test_an_output_location_that_turns_read_only(reference, small_disk):
    out = small_disk / "out"
    proc = start(out)
    try:
        wait_for(lambda: parts(out), proc)
        # A remount to read-only is refused (exit 32, busy) while the run has a file open for
        # writing on it: try again until it takes, as an administrator's script would.
        deadline = time.monotonic() + 60
        while subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True).returncode:
            assert proc.poll() is None and time.monotonic() < deadline, "the file system never became read-only"
            time.sleep(0.005)
        code, err = finish(proc)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    line = one_line(err)
    assert code == 1, err
    assert f"cannot write into {out}.partial any more (Read-only file system" in line, line
    assert not out.exists()  # nothing reported or renamed as complete
    r = run_guarded(resume_from(line), cwd=REPO, env=ENV)
    assert r.returncode == 0, r.stderr
    same_as_reference(out, reference)


def test_a_staging_directory_removed_during_the_run(tmp_path):
    out = tmp_path / "out"
    proc = start(out)
    wait_for(lambda: parts(out), proc)
    while staging(out).exists():  # the run may be writing into it meanwhile
        shutil.rmtree(staging(out), ignore_errors=True)
    code, err = finish(proc)
    line = one_line(err)
    assert code == 1, err
    assert f"{out}.partial was removed during the run" in line and "nothing was kept" in line, line
    assert not out.exists() and not staging(out).exists()  # neither a result nor a recreated staging dir


# --------------------------------------------------------------------------------------------
# 3: damaged parts
# --------------------------------------------------------------------------------------------

def test_truncated_and_corrupted_parts_are_recomputed_not_read(reference, tmp_path):
    out = tmp_path / "out"
    proc = start(out, workers=1)
    wait_for(lambda: len(parts(out)) >= 2, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    finish(proc)
    first, second = (staging(out) / "parts" / p for p in parts(out)[:2])
    truncated = first / "timeseries.parquet"
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])  # power lost mid-write
    flipped = second / "breakdown.parquet"
    data = bytearray(flipped.read_bytes())
    data[len(data) // 3] ^= 0x01  # one bit rotted in the middle of the data
    flipped.write_bytes(bytes(data))
    r = run(out, "--resume", workers=1)
    assert r.returncode == 0, r.stderr
    print(f"user sees: {r.stderr}")
    for part, name in ((first, "timeseries.parquet"), (second, "breakdown.parquet")):
        index = int(part.name[4:])
        assert f"replication {index}'s part in {out}.partial is damaged ({name} does not match its checksum): " \
               "computed again" in r.stderr, r.stderr
    same_as_reference(out, reference)  # a part read despite its damage would change the tables' bytes


# --------------------------------------------------------------------------------------------
# 4: two runs into one --out
# --------------------------------------------------------------------------------------------

def test_a_second_run_into_the_same_out_refuses_and_damages_nothing(reference, tmp_path):
    out = tmp_path / "out"
    first = start(out, workers=1)
    wait_for(lambda: (staging(out) / "parts" / "run.json").is_file(), first)
    others = [start(out, *flags, workers=1) for flags in ((), ("--resume",), ("--force",))]
    for other in others:
        code, err = finish(other)
        line = one_line(err)
        assert code == 2, err
        assert f"another run is writing into {out}.partial right now" in line, line
    code, err = finish(first)
    assert code == 0, err
    same_as_reference(out, reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_part_damaged_after_the_resume_check_is_never_read(tmp_path):
    """In-process: the bytes of a part are checked against its checksum again as they are read
    into the output tables (a part that rots during the run)."""
    from smartregion.cli.output import DamagedPart, PartStore
    from smartregion.model.ensemble import ensemble_spec, run_replication
    from smartregion.model.scenario import Population, load_counterfactual, load_scenario

    s = load_scenario(REPO / SCENARIO)
    s = s.model_copy(update={"population": Population(scale=0.02, network=s.population.network)})
    index, arms = run_replication(ensemble_spec(s, load_counterfactual(s), replications=1).tasks()[0])
    store = PartStore(tmp_path)
    store.write(index, arms)
    assert store.damage(index) is None and store.read_arrow(index, "spend").num_rows > 0
    path = tmp_path / f"rep-{index:05d}" / "spend.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x80
    path.write_bytes(bytes(data))
    assert store.damage(index) == "spend.parquet does not match its checksum"
    with pytest.raises(DamagedPart, match="rep-00000/spend.parquet was damaged after it was written"):
        store.read_arrow(index, "spend")
