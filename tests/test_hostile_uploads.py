"""Hostile uploads are opened by a worker whose memory is capped, never by the server.

The corpus (tests/hostile_files.py) holds files of a few hundred bytes that decode
to hundreds of MB. Engine tests drive :class:`kmcore.Decoder` directly; the last
test runs the real server in a 690 MB memory cgroup (Community Cloud's floor)
and uploads two hostile files from two Chromium tabs at once while a third tab
works.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import kmcore
from kmcore.images import MAX_DECODE_BYTES
from kmcore.sandbox import MEMORY_MESSAGE, TIMEOUT_MESSAGE
from tests import hostile_files as H
from tests.browser import peak_rss_mb

TYPES = ("png", "jpg", "jpeg", "webp", "gif", "bmp")


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)  # polling a process's state: there is no event to wait on


@pytest.fixture
def decoder():
    d = kmcore.Decoder()
    yield d
    d.close()


# ---- the corpus, through the worker ----------------------------------------------------


@pytest.mark.parametrize("name", [n for n, (_, o) in H.HOSTILE.items() if o == "refused"])
def test_each_hostile_file_gets_a_memory_message(decoder, name):
    data = H.HOSTILE[name][0]()
    assert len(data) < 2_000  # tiny files
    with pytest.raises(kmcore.ImageError) as info:
        decoder.decode(data, max_pixels=1_000_000, formats=TYPES)
    text = str(info.value)
    assert "MB of server memory" in text or text == MEMORY_MESSAGE, text
    assert "baseline JPEG or a PNG" in text
    assert "bomb" not in text and "/" not in text  # no Pillow wording, no paths


def test_the_cap_holds_where_the_header_estimate_passes():
    """A 3000 x 3000 PNG is under every header limit; with a 20 MB cap the worker cannot
    hold its decode and says so, and the next file opens in a new worker."""
    data = H.photo(3000, 3000, "PNG")
    d = kmcore.Decoder(memory_mb=20)
    try:
        with pytest.raises(kmcore.ImageError, match="needs more memory to open"):
            d.decode(data, max_pixels=1_000_000)
        img, _ = d.decode(H.photo(200, 100, "PNG"), max_pixels=1_000_000)
        assert img.shape == (100, 200, 3)
    finally:
        d.close()


def test_the_worker_never_grows_past_its_budget(decoder):
    """The progressive RGB claim passes the header estimate and is decoded in full in the
    worker: its peak stays within the worker's start-up size plus the budget."""
    decoder.decode(H.photo(64, 48), max_pixels=1_000_000)
    start = peak_rss_mb(decoder.pid)
    img, notes = decoder.decode(H.progressive_claim("RGB"), max_pixels=1_000_000)
    assert img.shape[2] == 3 and any("downsized" in n for n in notes)
    assert peak_rss_mb(decoder.pid) <= start + decoder.memory_mb


def test_ordinary_files_still_open_in_the_worker(decoder):
    for data, shape in (
        (H.photo(640, 480), (480, 640, 3)),
        (H.photo(640, 480, "PNG"), (480, 640, 3)),
        (H.photo(640, 480, "WEBP"), (480, 640, 3)),
        (H.photo(640, 480, "JPEG", progressive=True), (480, 640, 3)),
        (H.photo(640, 480, "BMP"), (480, 640, 3)),
        (H.photo(640, 480, "GIF"), (480, 640, 3)),
    ):
        img, _ = decoder.decode(data, max_pixels=1_000_000, formats=TYPES)
        assert img.shape == shape and not img.flags.writeable
    assert decoder.starts == 1  # one worker served them all


def test_a_real_50_megapixel_progressive_photo_opens_within_the_budget(decoder):
    """Ordinary big photos saved as progressive JPEG (they OOM-killed the server two at
    a time) open in the worker, whose estimate and cap both allow them."""
    data = H.photo(7071, 7071, "JPEG", progressive=True, quality=85)
    img, notes = decoder.decode(data, max_pixels=1_000_000)
    assert img.shape == (999, 999, 3)
    assert "downsized from 7,071 x 7,071" in notes[-1]


def test_animated_and_deep_files_take_the_first_frame(decoder):
    img, notes = decoder.decode(H.animated_webp(frames=40, side=800), max_pixels=1_000_000)
    assert img.shape == (800, 800, 3) and "first of 40 frames" in notes[0]
    img, _ = decoder.decode(H.deep_gif(frames=500), max_pixels=1_000_000)
    assert img.shape == (64, 64, 3)


def test_the_decode_estimate_covers_what_pillow_holds():
    """The header estimate is at or above what decoding measured (bytes per pixel at
    4000 x 4000, Pillow 13): 3.3 progressive 4:2:0, 8.3 progressive CMYK, 16.2 WebP."""
    import io

    from PIL import Image

    from kmcore.images import decode_bytes

    cmyk = Image.open(io.BytesIO(H.progressive_claim("CMYK", side=4000)))
    rgb = Image.open(io.BytesIO(H.progressive_claim("RGB", side=4000)))
    for im, measured in ((cmyk, 8.3), (rgb, 3.3)):
        size = im.size
        im.draft("RGB", (1000, 1000))
        assert decode_bytes(im, size) / (4000 * 4000) >= measured
    assert 4000 * 3000 * 17 <= MAX_DECODE_BYTES  # a 12 MP WebP photo is still accepted


# ---- the worker's life -----------------------------------------------------------------


def test_a_slow_file_is_stopped_and_the_next_one_opens():
    """A run-length BMP is decoded by Pillow in Python, one run at a time: past the time
    limit the worker is killed and replaced (the server never spends that CPU)."""
    d = kmcore.Decoder(timeout_s=0.3)
    try:
        with pytest.raises(kmcore.ImageError) as info:
            d.decode(H.rle_bmp(3000, 3000), max_pixels=1_000_000)
        assert str(info.value) == TIMEOUT_MESSAGE.format(seconds=0.3)
        assert d.pid is None
        img, _ = d.decode(H.photo(64, 48), max_pixels=1_000_000)
        assert img.shape == (48, 64, 3) and d.starts == 2
    finally:
        d.close()


def test_a_killed_worker_is_replaced(decoder):
    decoder.decode(H.photo(64, 48), max_pixels=1_000_000)
    pid = decoder.pid
    os.kill(pid, signal.SIGKILL)
    _wait(lambda: decoder.pid is None)
    img, _ = decoder.decode(H.photo(64, 48), max_pixels=1_000_000)
    assert img.shape == (48, 64, 3) and decoder.pid not in (None, pid)


def test_an_idle_worker_stops_and_comes_back():
    d = kmcore.Decoder(idle_s=0.3)
    try:
        d.decode(H.photo(64, 48), max_pixels=1_000_000)
        pid = d.pid
        assert pid is not None
        _wait(lambda: d.pid is None)
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
        d.decode(H.photo(64, 48), max_pixels=1_000_000)
        assert d.starts == 2
    finally:
        d.close()


def test_decoder_rejects_bad_settings():
    with pytest.raises(ValueError, match="memory_mb"):
        kmcore.Decoder(memory_mb=0)
    with pytest.raises(ValueError, match="max_pixels"):
        kmcore.Decoder().decode(b"x", max_pixels=0)


def test_a_non_image_gets_the_loaders_message(decoder):
    with pytest.raises(kmcore.ImageError, match="not an image file"):
        decoder.decode(b"hello, world" * 10, max_pixels=1_000_000, formats=TYPES)
    with pytest.raises(kmcore.ImageError, match="empty"):
        decoder.decode(b"", max_pixels=1_000_000)


# ---- the real server in 690 MB ---------------------------------------------------------

LIMIT_MB = 690


@pytest.fixture
def limited_server(tmp_path):
    """A `streamlit run` server (and so its decoder worker) in a 690 MB memory cgroup."""
    from tests.browser import start_server, stop, wait_healthy
    from tests.cgroups import CgroupUnavailable, MemoryCgroup

    try:
        group = MemoryCgroup(LIMIT_MB)
    except CgroupUnavailable as exc:
        pytest.skip(str(exc))
    env = {
        "KMLAB_CACHE_DIR": str(tmp_path / "maps"),
        "KMLAB_WARM_MAPS": "0",
        "KMLAB_TSNE_MAX_POINTS": "300",
    }
    url, proc = start_server(env_extra=env, log=tmp_path / "server.log")
    try:
        group.add(proc.pid)
        wait_healthy(url, proc)
        yield url, proc, group
    finally:
        stop(proc)
        group.remove()


@pytest.mark.browser
def test_two_hostile_uploads_at_once_leave_the_server_and_a_third_tab_working(
    limited_server, browser, tmp_path
):
    from tests.browser import PICTURES_DRAWN

    url, proc, group = limited_server
    files = {
        "cmyk.jpg": H.progressive_claim("CMYK"),
        "big.webp": H.lossless_webp(5000, 5000),
    }
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        tabs = []
        for name, data in files.items():
            path = tmp_path / name
            path.write_bytes(data)
            tab = context.new_page()
            tab.goto(f"{url}/Compression")
            tab.wait_for_function(PICTURES_DRAWN, arg=2, timeout=300_000)
            tab.get_by_text("Upload your own").click()
            tab.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached")
            tabs.append((tab, path))
        for tab, path in tabs:  # both at once: neither waits for the other's result
            tab.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
        third = context.new_page()
        third.goto(f"{url}/Segmentation")
        for tab, _ in tabs:
            outcome = tab.wait_for_function(PICTURES_DRAWN, arg=2, timeout=300_000).json_value()
            assert outcome == "error"
            text = tab.locator('[data-testid="stAlertContentError"]').first.inner_text()
            assert "cannot be used" in text and "memory" in text, text
        assert third.wait_for_function(PICTURES_DRAWN, arg=4, timeout=300_000).json_value() == (
            "images"
        )
        assert proc.poll() is None
        assert group.oom_kills() == 0
        assert group.peak_mb() < LIMIT_MB
    finally:
        context.close()
