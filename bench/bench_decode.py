"""What the upload worker costs: its start, and each file through it against in-process decoding.

Run: ``python -m bench.bench_decode``. Prints the worker's start-up time and memory (RSS once
ready, and the address-space cap), then for ordinary photos the time to open each one with
``kmcore.load_image`` in this process (the old path, the peer) and through
``kmcore.Decoder`` (a pipe to the worker and back), best of five, and their ratio.
"""

from __future__ import annotations

import time

import kmcore
from tests import hostile_files as H

from .upload_memory import rss_mb

FILES = {
    "JPEG 2560x1920": lambda: H.photo(2560, 1920),
    "JPEG 4000x3000": lambda: H.photo(4000, 3000),
    "progressive JPEG 4000x3000": lambda: H.photo(4000, 3000, "JPEG", progressive=True),
    "PNG 2000x1500": lambda: H.photo(2000, 1500, "PNG"),
    "WebP 2560x1920": lambda: H.photo(2560, 1920, "WEBP"),
}
PIXELS = 1_000_000
REPEAT = 5


def _best(fn) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    tiny = H.photo(32, 24)
    starts = []
    for _ in range(3):
        d = kmcore.Decoder()
        t = time.perf_counter()
        d.decode(tiny, max_pixels=PIXELS)
        starts.append(time.perf_counter() - t)
        rss = rss_mb(d.pid)
        d.close()
    print(
        f"worker start + first tiny file: best {min(starts) * 1000:.0f} ms of 3; "
        f"RSS when ready {rss:.0f} MB; cap {kmcore.Decoder().memory_mb} MB above that; "
        "idle: no process (it stops 60 s after its last file)"
    )
    d = kmcore.Decoder()
    d.decode(tiny, max_pixels=PIXELS)
    print(f"{'file':<28} {'bytes':>10} {'in process ms':>14} {'worker ms':>10} {'ratio':>6}")
    for name, make in FILES.items():
        data = make()
        local = _best(lambda data=data: kmcore.load_image(data, max_pixels=PIXELS))
        worker = _best(lambda data=data: d.decode(data, max_pixels=PIXELS))
        print(
            f"{name:<28} {len(data):>10,} {local * 1000:>14.0f} {worker * 1000:>10.0f} "
            f"{worker / local:>6.2f}"
        )
    d.close()


if __name__ == "__main__":
    main()
