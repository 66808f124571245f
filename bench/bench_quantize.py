"""Colour quantisation: ours against scikit-learn, Pillow and libimagequant, in one run.

Run: ``python -m bench.bench_quantize``. On each sample image (scikit-learn's china and
flower photos, and the lab's drawn reef), at k = 16, 64 and 256, no dithering:

- ours: ``kmcore.quantize`` with its defaults (k-means++, best of 160 // k starts, until no
  colour moves half a level), seed 0;
- scikit-learn: ``KMeans`` fitted on 1,000 random pixels, then every pixel predicted, as
  scikit-learn's "Color Quantization using K-Means" example does;
- Pillow: median cut, max coverage, fast octree;
- libimagequant (``imagequant``, pngquant's engine): default quality and speed.

Times are the best of ``REPEATS`` runs, the methods taking turns so that they share the
machine's load; each is the quantiser alone (no metric, no file). PSNR, SSIM and mean
ΔE*ab are against the original; bytes are the result as an indexed PNG, same encoder for
all. The summary gives our time over libimagequant's and the PSNR differences, and the
smallest PSNR lead over libimagequant among seeds 0-4.

Goals (issue 14): PSNR at least 0.2 dB above libimagequant's at every k on every image,
in at most 1.5x its time, and at least 1 dB above Pillow's median cut.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.utils import shuffle

import kmcore
from kmcore import colour
from kmcore.encoders import palette_png_bytes
from kmcore.image_metrics import psnr, ssim
from kmcore.peers import peer_quantize
from kmcore.quantize import quantize

IMAGES = ("china", "flower", "reef")
KS = (16, 64, 256)
REPEATS = 5
SEEDS = range(5)
SKLEARN_SAMPLE = 1_000


def _ours(img, k):
    q = quantize(img, k, random_state=0)
    return q.indices, q.palette


def _sklearn(img, k):
    px = img.reshape(-1, 3).astype(np.float64) / 255
    sample = shuffle(px, random_state=0, n_samples=SKLEARN_SAMPLE)
    km = KMeans(n_clusters=k, random_state=0).fit(sample)
    palette = np.clip(np.rint(km.cluster_centers_ * 255), 0, 255).astype(np.uint8)
    return km.predict(px).astype(np.uint8).reshape(img.shape[:2]), palette


METHODS = {
    "ours (k-means)": _ours,
    "scikit-learn KMeans": _sklearn,
    **{name: (lambda m: lambda img, k: peer_quantize(img, k, m))(name) for name in kmcore.PEERS},
}


def measure(img, k):
    """{method: (seconds, psnr, ssim, delta_e, png bytes)} for one image and k."""
    times = {name: [] for name in METHODS}
    results = {}
    for _ in range(REPEATS):
        for name, fn in METHODS.items():
            start = time.perf_counter()
            results[name] = fn(img, k)
            times[name].append(time.perf_counter() - start)
    out = {}
    for name, (indices, palette) in results.items():
        image = palette[indices]
        out[name] = (
            min(times[name]),
            psnr(img, image),
            ssim(img, image),
            colour.mean_delta_e(img, image),
            len(palette_png_bytes(indices, palette)),
        )
    return out


def main() -> None:
    from importlib.metadata import version

    import imagequant  # noqa: F401  (fail early if missing)

    print(
        f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"Pillow {version('pillow')}, scikit-learn {version('scikit-learn')}, "
        f"imagequant {version('imagequant')}\n"
    )
    summary = []
    for name in IMAGES:
        img = kmcore.sample_image(name)
        print(f"### {name} ({img.shape[1]} x {img.shape[0]})\n")
        print("| k | method | time s | PSNR dB | SSIM | mean ΔE | PNG bytes |")
        print("|---|---|---|---|---|---|---|")
        for k in KS:
            rows = measure(img, k)
            for method, (t, p, s, de, size) in rows.items():
                print(f"| {k} | {method} | {t:.3f} | {p:.2f} | {s:.4f} | {de:.2f} | {size:,} |")
            liq = rows["libimagequant"]
            pil = rows["median cut"]
            mine = rows["ours (k-means)"]
            _, liq_psnr = liq[0], liq[1]
            leads = [quantize(img, k, random_state=s).psnr - liq_psnr for s in SEEDS]
            summary.append((name, k, mine, liq, pil, min(leads)))
        print()
    print("### Summary: ours against libimagequant and Pillow's median cut\n")
    print(
        "| image | k | ours s | liq s | time ratio | ours PSNR | liq PSNR | "
        "Δ liq dB | Δ median cut dB | min Δ liq, seeds 0-4 | goals |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, k, mine, liq, pil, lead in summary:
        ratio = mine[0] / liq[0]
        d_liq, d_pil = mine[1] - liq[1], mine[1] - pil[1]
        ok = ratio <= 1.5 and d_liq >= 0.2 and d_pil >= 1.0 and lead >= 0.2
        print(
            f"| {name} | {k} | {mine[0]:.3f} | {liq[0]:.3f} | {ratio:.2f} | {mine[1]:.2f} | "
            f"{liq[1]:.2f} | {d_liq:+.2f} | {d_pil:+.2f} | {lead:+.2f} | "
            f"{'met' if ok else 'NOT met'} |"
        )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
