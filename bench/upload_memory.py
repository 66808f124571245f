"""Server memory while real-size photos are uploaded on Compression and Segmentation.

A real ``streamlit run`` server (one fresh server per scenario), real Chromium
(Playwright) uploading real-size files generated on the fly from
scikit-learn's sample photos, the server's resident memory (VmRSS) sampled
every 0.3 s from /proc. For each scenario it prints the baseline (the page
open on its sample photo), the peak while the upload(s) are processed, and the
memory 20 s after every tab closed.

Run (from the project root)::

    python -m bench.upload_memory                      # this checkout
    python -m bench.upload_memory --root /tmp/base     # another checkout, same files
    python -m bench.upload_memory --only compress:jpeg4000 segment:five

    python -m bench.upload_memory --cgroup 690 --only compress:hostile5
    python -m bench.upload_memory --cgroup 690 --only compress:class    # 30 tabs

With ``--cgroup MB`` the server (and the decoder worker it starts) runs in a
memory cgroup of that size, as on Community Cloud: the table then also gives
the group's peak (server + worker) and how many processes the kernel's OOM
killer ended. The hostile files are tests/hostile_files.py's corpus.

The goals (issues 10 and 25): one upload adds at most 150 MB to the server's
peak, five at once keep it under 600 MB with no OOM kill in 690 MB, memory
returns to within 50 MB of the baseline a minute after the tabs close.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from tests import hostile_files as H
from tests.browser import CHROMIUM_ARGS, PICTURES_DRAWN, ROOT, chromium_path
from tests.cgroups import MemoryCgroup

from .servers import streamlit_server

PAGES = {"compress": "Compression", "segment": "Segmentation"}
# Pictures a finished page shows: original + result; original + one per feature set (3).
PICTURES = {"Compression": 2, "Segmentation": 4}
SAMPLE_EVERY = 0.3
AFTER_CLOSE = 60.0


def _photo(width: int, height: int, seed: int, quality: int = 90) -> bytes:
    """A sample photo upscaled to ``width x height`` with sensor-like noise, as JPEG."""
    from sklearn.datasets import load_sample_image

    base = Image.fromarray(load_sample_image("china.jpg" if seed % 2 == 0 else "flower.jpg"))
    big = np.asarray(base.resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
    rng = np.random.default_rng(seed)
    for row in range(0, height, 500):  # in bands: keeps this process small too
        band = big[row : row + 500]
        band += rng.normal(0, 6, band.shape).astype(np.int16)
    out = io.BytesIO()
    Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _grey16(side: int) -> bytes:
    """A smooth 16-bit grey PNG (small file, ``side`` squared pixels)."""
    y, x = np.mgrid[0:side, 0:side].astype(np.uint32)
    arr = ((x * 7 + y * 3) % 65536).astype(np.uint16)
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "PNG")  # uint16 -> mode I;16
    return out.getvalue()


def _rgba(side: int) -> bytes:
    """A smooth RGBA PNG with a transparent half."""
    y, x = np.mgrid[0:side, 0:side]
    arr = np.empty((side, side, 4), np.uint8)
    arr[..., 0] = (x * 255 // side).astype(np.uint8)
    arr[..., 1] = (y * 255 // side).astype(np.uint8)
    arr[..., 2] = ((x + y) % 256).astype(np.uint8)
    arr[..., 3] = np.where(x > side // 2, 255, 0).astype(np.uint8)
    del x, y
    out = io.BytesIO()
    Image.fromarray(arr, "RGBA").save(out, "PNG")
    return out.getvalue()


FILES = {
    "jpeg2560": ("photo 2560x1920 JPEG", lambda: _photo(2560, 1920, 0), "jpg"),
    "jpeg4000": ("photo 4000x3000 JPEG", lambda: _photo(4000, 3000, 1), "jpg"),
    "grey16": ("7000x7000 16-bit grey PNG", lambda: _grey16(7000), "png"),
    "rgba": ("7000x7000 RGBA PNG", lambda: _rgba(7000), "png"),
    "cmyk": ("699 B progressive CMYK claim", lambda: H.progressive_claim("CMYK"), "jpg"),
    "rgbclaim": ("progressive RGB claim 7071", lambda: H.progressive_claim("RGB"), "jpg"),
    "prog7071": ("real progressive JPEG 7071", lambda: _progressive(7071), "jpg"),
    "webp5000": ("lossless WebP 5000x5000", lambda: H.lossless_webp(5000, 5000), "webp"),
    "webp7200": ("lossless WebP 7200x3600", lambda: H.lossless_webp(7200, 3600), "webp"),
}
HOSTILE5 = ("cmyk", "rgbclaim", "prog7071", "webp5000", "webp7200")


def _progressive(side: int) -> bytes:
    """A real photo-like ``side`` x ``side`` progressive JPEG."""
    from sklearn.datasets import load_sample_image

    base = Image.fromarray(load_sample_image("china.jpg")).resize((side, side))
    out = io.BytesIO()
    base.save(out, "JPEG", quality=85, progressive=True)
    return out.getvalue()


CLASS = 30  # tabs of the "class" scenario, each uploading its own phone-size photo


def make_files(folder: Path, wanted: set[str]) -> dict[str, Path]:
    """Write the files the plan's scenarios use (``wanted``: file keys, "five", "class")."""
    paths = {}
    for key, (_, make, ext) in FILES.items():
        if key in wanted or ("hostile5" in wanted and key in HOSTILE5):
            p = folder / f"{key}.{ext}"
            p.write_bytes(make())
            paths[key] = p
    for i in range(5 if "five" in wanted else 0):  # five different photos for the tabs
        p = folder / f"five{i}.jpg"
        p.write_bytes(_photo(2560, 1920, 10 + i))
        paths[f"five{i}"] = p
    for i in range(CLASS if "class" in wanted else 0):  # about 7.5 MB each, all different
        p = folder / f"class{i}.jpg"
        p.write_bytes(_photo(4000, 3000, 100 + i, quality=98))
        paths[f"class{i}"] = p
    return paths


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sampler:
    """VmRSS of one process every 0.3 s on a thread."""

    def __init__(self, pid: int):
        self.pid, self.samples, self._stop = pid, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic(), rss_mb(self.pid)))
            except OSError:
                return
            self._stop.wait(SAMPLE_EVERY)

    def peak_since(self, t0: float) -> float:
        return max((r for t, r in self.samples if t >= t0), default=float("nan"))

    def now(self) -> float:
        return rss_mb(self.pid)

    def stop(self):
        self._stop.set()
        self._thread.join()


DONE = PICTURES_DRAWN


def open_page(context, url: str, page_name: str):
    page = context.new_page()
    page.goto(f"{url}/{page_name}", timeout=120_000)
    page.wait_for_function(DONE, arg=PICTURES[page_name], timeout=300_000)
    return page


def upload(page, path: Path) -> None:
    page.get_by_text("Upload your own").click()
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))


def wait_result(page, page_name: str, proc) -> str:
    """What the page ended with ("images", "error", ...), or "DIED" once the server is gone."""
    # Before the upload the page stops at "Choose an image file": no pictures, no error.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return "DIED"
        try:
            handle = page.wait_for_function(
                DONE, arg=PICTURES[page_name], timeout=5_000, polling=300
            )
            return handle.json_value()
        except Exception:  # not yet: look at the server again
            continue
    return "timeout"


def children_rss_mb(pid: int) -> float:
    """Resident memory of ``pid``'s child processes (the decoder worker)."""
    total = 0.0
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for c in child.read_text().split():
            try:
                total += rss_mb(int(c))
            except OSError:
                pass
    return total


def scenario(root: Path, browser, page_key: str, files: list[Path], cgroup_mb=None) -> dict:
    # No t-SNE warm-up: its maps would be computed during the measurement (the maps once
    # read from ../shared/data/maps are no longer written there), and uploads are measured.
    env = {"KMLAB_DATA_DIR": str(ROOT.parent / "shared" / "data"), "KMLAB_WARM_MAPS": "0"}
    group = MemoryCgroup(cgroup_mb) if cgroup_mb else None
    with streamlit_server(env, root, group) as (url, proc):
        sampler = Sampler(proc.pid)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            for _ in range(2):  # the second visit settles what the first one loaded lazily
                warm = open_page(context, url, PAGES[page_key])
                warm.close()
                time.sleep(2.0)  # bench, not a test: let the run's garbage settle
            baseline = sampler.now()
            pages = [open_page(context, url, PAGES[page_key]) for _ in files]
            t0 = time.monotonic()
            for page, path in zip(pages, files, strict=True):
                upload(page, path)
            outcomes = [wait_result(page, PAGES[page_key], proc) for page in pages]
            done = time.monotonic()
            worker = children_rss_mb(proc.pid) if proc.poll() is None else float("nan")
            for page in pages:
                page.close()
            context.close()
            time.sleep(AFTER_CLOSE)
            alive = proc.poll() is None
            after = sampler.now() if alive else float("nan")
            peak = sampler.peak_since(t0)  # the whole window: uploads, pictures, closing
            group_peak = group.peak_mb() if group else float("nan")
            kills = group.oom_kills() if group else 0
        finally:
            sampler.stop()
            if group is not None:
                group.remove()
    return {
        "baseline": baseline,
        "peak": peak,
        "after": after,
        "seconds": done - t0,
        "outcomes": outcomes,
        "alive": alive,
        "worker": worker,
        "group_peak": group_peak,
        "oom_kills": kills,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose app.py is served")
    ap.add_argument("--only", nargs="*", help="page:file pairs, e.g. compress:rgba segment:five")
    ap.add_argument("--cgroup", type=int, help="run the server in a memory cgroup of this MB")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    plan = [(p, f) for p in PAGES for f in [*FILES, "five", "hostile5"]]
    if args.only:
        plan = [tuple(s.split(":")) for s in args.only]
    folder = Path(tempfile.mkdtemp(prefix="kmlab-uploads-"))
    paths = make_files(folder, {f for _, f in plan})
    print(f"server code: {args.root}")
    print(
        f"{'page':<9} {'upload':<28} {'base':>6} {'peak':>6} {'+peak':>6} {'after':>6} "
        f"{'after-base':>10} {'s':>6} {'worker':>6} {'group':>6} {'oom':>3}  outcome"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for page_key, fkey in plan:
                if fkey == "five":
                    files, label = [paths[f"five{i}"] for i in range(5)], "five 2560x1920 JPEGs"
                elif fkey == "class":
                    files = [paths[f"class{i}"] for i in range(CLASS)]
                    label = f"a class: {CLASS} photos at once"
                elif fkey == "hostile5":
                    files, label = [paths[k] for k in HOSTILE5], "five hostile files at once"
                else:
                    files, label = [paths[fkey]], FILES[fkey][0]
                r = scenario(args.root, browser, page_key, files, args.cgroup)
                outcome = ",".join(sorted(set(r["outcomes"]))) + ("" if r["alive"] else " DIED")
                print(
                    f"{page_key:<9} {label:<28} {r['baseline']:6.0f} {r['peak']:6.0f} "
                    f"{r['peak'] - r['baseline']:+6.0f} {r['after']:6.0f} "
                    f"{r['after'] - r['baseline']:+10.0f} {r['seconds']:6.1f} {r['worker']:6.0f} "
                    f"{r['group_peak']:6.0f} {r['oom_kills']:3d}  {outcome}",
                    flush=True,
                )
        finally:
            browser.close()
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
