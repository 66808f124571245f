"""Segmentation time: every feature set under every distance, and against an earlier engine.

Run: ``python -m bench.bench_segment`` (this engine only) or
``python -m bench.bench_segment --before 0bc8ee5`` to time, in the same run and
interleaved, the engine of that commit (extracted with ``git archive`` into a
temporary folder and imported as ``kmcore_before``) on the same calls: L2 and
the mean update, the only setting it had.

The photo is scikit-learn's china.jpg (640 x 427, segmented at a working size
of about 120,000 pixels), k = 4, seed 0; each time is the best of ``--repeats``
calls.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import kmcore
from bench.common import ROOT

K = 4


def load_engine(rev: str, folder: Path):
    """The ``kmcore`` package of git revision ``rev``, imported as ``kmcore_before``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "kmcore"],
        check=True,
        capture_output=True,
    ).stdout
    tar = folder / "kmcore.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(folder, filter="data")
    init = folder / "kmcore" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "kmcore_before", init, submodule_search_locations=[str(init.parent)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["kmcore_before"] = module
    spec.loader.exec_module(module)
    return module


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="git revision whose engine to time beside this one")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    img = kmcore.sample_image("china")
    with tempfile.TemporaryDirectory() as tmp:
        old = load_engine(args.before, Path(tmp)) if args.before else None
        print(f"china {img.shape[1]} × {img.shape[0]}, k = {K}, best of {args.repeats} (s)\n")
        if old is not None:
            print(f"| features | {args.before} L2 | now L2 | ratio |")
            print("|---|---|---|---|")
            for feats in kmcore.FEATURES:
                t_old = t_new = float("inf")
                for _ in range(args.repeats):  # interleaved, so load changes hit both
                    t_old = min(
                        t_old,
                        best(
                            lambda f=feats: old.segment_image(img, K, features=f, random_state=0), 1
                        ),
                    )
                    t_new = min(
                        t_new,
                        best(
                            lambda f=feats: kmcore.segment_image(
                                img, K, features=f, random_state=0
                            ),
                            1,
                        ),
                    )
                print(f"| {feats} | {t_old:.2f} | {t_new:.2f} | {t_new / t_old:.2f} |")
            print()
        print("| features | update | L1 | L2 | L∞ |")
        print("|---|---|---|---|---|")
        for feats in kmcore.FEATURES:
            for update in kmcore.UPDATE_RULES:
                row = [
                    best(
                        lambda m=m, f=feats, u=update: kmcore.segment_image(
                            img, K, features=f, metric=m, update=u, random_state=0
                        ),
                        args.repeats,
                    )
                    for m in ("l1", "l2", "linf")
                ]
                print(f"| {feats} | {update} | " + " | ".join(f"{t:.2f}" for t in row) + " |")


if __name__ == "__main__":
    main()
