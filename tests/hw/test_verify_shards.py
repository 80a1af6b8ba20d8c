"""Co-simulation cut into shards (local processes or a Dask cluster) gives the verify.json
of one process: every image compared, image 0's latency, the interval of the first
images, the stalled run too."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest
from netgen import random_folds, random_levels, random_network

from e3ne.design.generate import generate
from e3ne.dse.cycles import estimate
from e3ne.errors import ConfigError
from e3ne.flow import verify
from e3ne.flow.shards import shard_sizes, simulate
from e3ne.jobs import run_verify

SEED = 8  # a small network with a residual block (fork, skip buffer, join)
IMAGES = verify.INTERVAL_WINDOW + 16  # more than the interval window: the first shard grows


def test_shards_are_even_and_the_first_covers_the_interval_window() -> None:
    assert shard_sizes(1000, 2, 64) == [500, 500]
    assert shard_sizes(1000, 3, 64) == [334, 333, 333]
    assert shard_sizes(80, 2, 64) == [64, 16]
    assert shard_sizes(80, 3, 64) == [64, 8, 8]
    assert shard_sizes(66, 8, 64) == [64, 1, 1]
    assert shard_sizes(5, 4, 64) == [5]
    assert shard_sizes(3, 1, 64) == [3]
    for n, k in [(1000, 7), (81, 5), (200, 2)]:
        sizes = shard_sizes(n, k, 64)
        assert sum(sizes) == n and len(sizes) <= k and sizes[0] >= min(n, 64)
    with pytest.raises(ConfigError, match="--workers 0"):
        shard_sizes(10, 0, 64)


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    net = random_network(SEED, windows=True, residual=True)
    folds = random_folds(net, SEED)
    d = tmp_path_factory.mktemp("shards") / "d"
    net.save(d)
    generate(net, folds, d)
    return d, estimate(net, folds)


def _doc(d: Path, **kw: object) -> str:
    run_verify(d, images=IMAGES, dataset="random", stalls=True, **kw)
    return (d / "verify.json").read_text()


@pytest.mark.rtl
def test_local_and_dask_shards_give_one_process_verify_json(design: tuple[Path, object]
                                                            ) -> None:
    from distributed import LocalCluster

    d, model = design
    one = _doc(d, workers=1)
    doc = json.loads(one)
    assert doc["mismatches"] == 0, doc
    assert doc["images"] == IMAGES and len(doc["runs"]) == 2
    assert doc["latency_cycles"] == model.latency
    assert _doc(d, workers=3) == one  # shards of 64, 8 and 8 images
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert _doc(d, scheduler=cluster.scheduler_address) == one


@pytest.mark.rtl
def test_a_shard_of_the_first_images_times_like_the_long_run(design: tuple[Path, object]
                                                             ) -> None:
    """The bench's stalls do not depend on the images that follow, so the first images'
    cycles (latency and interval), stalled or not, are those of a longer run."""
    d, _ = design
    from e3ne.ir import Network

    net = Network.load(d)
    q0 = random_levels(net, IMAGES, SEED)
    for stalls in (False, True):
        long = verify.run(d, q0, stalls=stalls, progress=False)
        short = verify.run(d, q0[:verify.INTERVAL_WINDOW], stalls=stalls, progress=False)
        assert long.mismatches == short.mismatches == 0
        assert (short.latency_cycles, short.interval_cycles) == \
            (long.latency_cycles, long.interval_cycles)


def test_trace_needs_one_process(design: tuple[Path, object]) -> None:
    d, _ = design
    with pytest.raises(ConfigError, match="--trace runs in one process"):
        run_verify(d, images=IMAGES, dataset="random", trace=True, workers=2)


def test_a_crashed_simulator_is_reported_and_gets_the_stack_it_may(tmp_path: Path) -> None:
    """A simulator killed by a signal (a Verilator model overflowing its stack died of
    SIGSEGV with nothing printed) fails with the signal named; simulators start with the
    stack limit raised to the hard limit."""
    exe = tmp_path / "simv"
    exe.write_text("#!/bin/sh\nulimit -s > stack.txt\nkill -SEGV $$\n")
    exe.chmod(0o755)
    run = simulate(exe, tmp_path, tmp_path / "work", "00\n", 1, False)
    assert "PASS" not in run.log and "FAIL the simulator was killed by signal 11" in run.log
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    got = (tmp_path / "stack.txt").read_text().strip()
    assert got == ("unlimited" if hard == resource.RLIM_INFINITY else str(hard // 1024))
