"""Run one co-simulation as several: the images are cut into contiguous shards, each
streamed by its own simulator process, here (a thread per shard waits on its process) or
on a Dask distributed cluster (each task receives the simulator and the design's memory
images, so the workers need no shared file system, only e3ne installed).

Every shard starts from reset, so an image's outputs, and the cycles of the images of the
first shard, are those of one long run; ``verify`` measures the interval within the first
shard, which this module makes long enough.
"""

from __future__ import annotations

import hashlib
import io
import resource
import subprocess
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from e3ne.errors import ConfigError


@dataclass(frozen=True)
class ShardRun:
    """What one simulator process printed and wrote."""

    log: str  # stdout + stderr: PASS/FAIL and the IMG timing lines
    out: str  # out.txt: one "<tlast> <tdata>" line per output beat


def shard_sizes(n: int, workers: int, first_at_least: int) -> list[int]:
    """Cut ``n`` images into at most ``workers`` contiguous shards as even as possible, the
    first holding at least ``min(n, first_at_least)`` images."""
    if workers < 1:
        raise ConfigError(f"--workers {workers}: expected at least 1")
    k = min(workers, n)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    head = min(n, first_at_least)
    if sizes[0] >= head:
        return sizes
    rest = n - head
    k = min(k - 1, rest)
    return [head] + ([rest // k + (1 if i < rest % k else 0) for i in range(k)] if k else [])


def _command(exe: Path, in_hex: Path, out: Path, n: int, stalls: bool,
             trace_dir: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [str(exe), f"+IN={in_hex}", f"+OUT={out}", f"+N={n}",
            f"+TRACE_DIR={trace_dir}"] + (["+STALLS"] if stalls else []) + list(extra)


def raise_stack_limit() -> None:
    """Let simulators started from here use as much stack as the system allows: a large
    design's Verilator model (--timing) can overflow the usual 8 MB and die of SIGSEGV
    (random network seed 1077 did, silently). Set once in this process, which the
    simulator processes inherit (no preexec_fn: the shards start from threads)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


def simulate(exe: Path, rtl_dir: Path, work: Path, in_hex: str, n: int,
             stalls: bool, extra: tuple[str, ...] = ()) -> ShardRun:
    """Stream ``n`` images (``in_hex``: their s_axis beats) through the simulator ``exe``
    in ``work``; run inside ``rtl_dir`` so the design's $readmemh file names resolve as
    they will in Vivado. A simulator killed by a signal says so in the log."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "in.hex").write_text(in_hex)
    out = work / "out.txt"
    out.unlink(missing_ok=True)  # an earlier run's: verify counts the images in it
    raise_stack_limit()
    proc = subprocess.run(_command(exe.resolve(), (work / "in.hex").resolve(), out.resolve(),
                                   n, stalls, work.resolve(), extra),
                          cwd=rtl_dir, capture_output=True, text=True, check=False)
    log = proc.stdout + proc.stderr
    if proc.returncode < 0:
        log += f"\nFAIL the simulator was killed by signal {-proc.returncode}"
    return ShardRun(log, out.read_text() if out.is_file() else "")


def run_local(exe: Path, rtl_dir: Path, work: Path, shards: list[tuple[str, int]],
              stalls: bool, extra: tuple[str, ...] = ()) -> list[ShardRun]:
    """One simulator process per shard, all at once (the work is in the processes; the
    threads only wait for them). One shard runs in ``work`` itself."""
    if len(shards) == 1:
        return [simulate(exe, rtl_dir, work, shards[0][0], shards[0][1], stalls, extra)]
    with ThreadPoolExecutor(len(shards)) as pool:
        jobs = [pool.submit(simulate, exe, rtl_dir, work / f"shard{i}", text, n, stalls)
                for i, (text, n) in enumerate(shards)]
        return [j.result() for j in jobs]


def bundle(exe: Path, rtl_dir: Path) -> bytes:
    """The simulator and the design's rtl/ directory (memory images) as one gzipped tar,
    deterministic, for workers that do not share this file system."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        def add(path: Path, name: str) -> None:
            info = tar.gettarinfo(str(path), name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with path.open("rb") as f:
                tar.addfile(info, f)
        add(exe, "simv")
        for p in sorted(rtl_dir.rglob("*")):
            if p.is_file():
                add(p, f"rtl/{p.relative_to(rtl_dir).as_posix()}")
    return buf.getvalue()


def simulate_bundle(data: bytes, in_hex: str, n: int, stalls: bool) -> ShardRun:
    """A Dask task: unpack ``bundle``'s bytes in a scratch directory and simulate there."""
    with tempfile.TemporaryDirectory(prefix="e3ne-shard-") as tmp:
        root = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(root, filter="data")
        exe = root / "simv"
        exe.chmod(0o755)
        return simulate(exe, root / "rtl", root / "work", in_hex, n, stalls)


def _client(scheduler: str):  # noqa: ANN202 (distributed is an optional dependency)
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--scheduler needs Dask's distributed package: "
                          "pip install 'e3ne[cluster]'") from None
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, ValueError) as err:
        raise ConfigError(f"--scheduler {scheduler}: cannot reach a Dask scheduler "
                          f"there ({err})") from None


def cluster_threads(scheduler: str) -> int:
    """Worker threads of the Dask cluster at ``scheduler``: the default shard count."""
    with _client(scheduler) as client:
        return max(1, sum(client.nthreads().values()))


def run_dask(scheduler: str, exe: Path, rtl_dir: Path, shards: list[tuple[str, int]],
             stalls: bool) -> list[ShardRun]:
    """One task per shard on the Dask cluster at ``scheduler`` (``tcp://host:port``)."""
    data = bundle(exe, rtl_dir)
    key = hashlib.sha256(data).hexdigest()[:16]
    with _client(scheduler) as client:
        shared = client.scatter(data, broadcast=True, hash=False)
        jobs = [client.submit(simulate_bundle, shared, text, n, stalls,
                              key=f"e3ne-verify-{key}-{int(stalls)}-{i}", pure=False)
                for i, (text, n) in enumerate(shards)]
        return client.gather(jobs)


__all__ = ["ShardRun", "bundle", "cluster_threads", "run_dask", "run_local", "shard_sizes",
           "simulate", "simulate_bundle"]
