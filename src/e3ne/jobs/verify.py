"""Step ``verify``: co-simulate a design directory against the golden model."""

from __future__ import annotations

from pathlib import Path

from e3ne.flow.verify import verification_images as verify_images
from e3ne.ir import Network
from e3ne.jobs.convert import log


def run_verify(design_dir: str | Path, images: int = 100, dataset: str | None = None,
               stalls: bool = False, trace: bool = False, workers: int | None = None,
               scheduler: str | None = None, activity: bool = False) -> dict:
    """Co-simulate and compare; write DIR/verify.json. ``workers`` / ``scheduler``: shard
    the images over local simulator processes or a Dask cluster (same verify.json).
    ``activity``: also DIR/activity.saif, the switching activity of the plain run."""
    from e3ne.flow import verify

    net = Network.load(design_dir)
    q0 = verify_images(net, images, dataset)
    kw = {"trace": trace, "workers": workers, "scheduler": scheduler}
    results = [verify.run(design_dir, q0, activity=activity, **kw)]  # plain: the activity
    if stalls:
        results.append(verify.run(design_dir, q0, stalls=True, **kw))
    doc = verify.write_report(design_dir, results)
    if doc["mismatches"] and trace:
        for r in results:
            if r.first_mismatch:
                log(f"first mismatch: {r.first_mismatch}")
    return doc
