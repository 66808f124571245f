"""Colour quantisation: ours against scikit-learn's KMeans fitted on every pixel.

Run: ``python -m bench.bench_quantize``. Both on scikit-learn's sample photos,
k = 16 and 64, three seeds each; time and PSNR are means over the seeds.
Targets: PSNR within 0.3 dB of scikit-learn's, time no more than its.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.cluster import KMeans

from kmcore.images import sample_image
from kmcore.quantize import psnr, quantize

SEEDS = (0, 1, 2)


def _sklearn(img, k, seed):
    px = img.reshape(-1, 3).astype(np.float32)
    km = KMeans(k, random_state=seed).fit(px)
    palette = np.clip(np.rint(km.cluster_centers_), 0, 255).astype(np.uint8)
    return psnr(img, palette[km.labels_].reshape(img.shape))


def main() -> None:
    print(
        "| photo | k | ours s | ours PSNR dB | scikit-learn s | scikit-learn PSNR dB | "
        "time ratio | PSNR diff dB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in ("china", "flower"):
        img = sample_image(name)
        for k in (16, 64):
            ours, ref = [], []
            for seed in SEEDS:
                start = time.perf_counter()
                q = quantize(img, k, random_state=seed)
                ours.append((time.perf_counter() - start, q.psnr))
                start = time.perf_counter()
                p = _sklearn(img, k, seed)
                ref.append((time.perf_counter() - start, p))
            (ta, pa), (tb, pb) = np.mean(ours, axis=0), np.mean(ref, axis=0)
            print(
                f"| {name} | {k} | {ta:.2f} | {pa:.2f} | {tb:.2f} | {pb:.2f} | {ta / tb:.2f} | "
                f"{pa - pb:+.2f} |"
            )


if __name__ == "__main__":
    main()
