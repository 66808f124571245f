"""Uploads and the link notice in a real Chromium against a real `streamlit run`.

A real-size photo is reduced to the working size and drawn; a 1 x 100,000
image gets a message (it used to break ``st.image``); a crafted link shows its
values as text, with no live link and no remote image in the page.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.browser import PICTURES_DRAWN

pytestmark = pytest.mark.browser

DONE = PICTURES_DRAWN


def _upload(page, url, name, prefix_page, path):
    page.goto(f"{url}/{prefix_page}")
    need = 2 if prefix_page == "Compression" else 4  # original + result(s)
    page.wait_for_function(DONE, arg=need, timeout=300_000)
    return _upload_here(page, path, need)


def _upload_here(page, path, need):
    """Choose "Upload your own" on the open page, upload ``path`` and wait for the result."""
    page.get_by_text("Upload your own").click()
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    return page.wait_for_function(DONE, arg=need, timeout=300_000, polling=300).json_value()


def test_a_real_size_photo_is_reduced_and_drawn(server, page, tmp_path):
    from sklearn.datasets import load_sample_image

    photo = Image.fromarray(load_sample_image("flower.jpg")).resize((4000, 3000))
    path = tmp_path / "big.jpg"
    photo.save(path, quality=90)
    assert _upload(page, server, "big.jpg", "Compression", path) == "images"
    main = page.locator('[data-testid="stMain"]')
    assert "downsized from 4,000 x 3,000" in main.inner_text()
    sizes = page.eval_on_selector_all(
        '[data-testid="stMain"] [data-testid="stImage"] img', "els => els.map(e => e.naturalWidth)"
    )
    assert sizes[:2] and max(sizes[:2]) <= 1154  # the working size, not 4,000 px


def test_a_very_long_image_gets_a_message_not_a_traceback(server, page, tmp_path):
    path = tmp_path / "line.png"
    buf = io.BytesIO()
    Image.fromarray(np.zeros((1, 100_000), np.uint8)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    assert _upload(page, server, "line.png", "Segmentation", path) == "error"
    text = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert "cannot be used" in text and "longer than 30,000" in text


def test_a_crafted_link_shows_its_values_as_text(server, page):
    page.goto(f"{server}/?k=%5Bx%5D(http://a)&init=!%5Bi%5D(http://b/i.png)")
    notice = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').filter(
        has_text="Ignored from the link"
    )
    notice.wait_for(timeout=120_000)
    assert "k=[x](http://a)" in notice.inner_text()
    assert "init=![i](http://b/i.png)" in notice.inner_text()
    assert notice.locator("a").count() == 0 and notice.locator("img").count() == 0


def test_the_colours_slider_shows_the_k_in_use_after_an_upload(server, page, tmp_path):
    """Slider at 2 on the sample, then an upload: the slider must still say 2 (it used to
    spring back to 16 on screen while the picture was made with 2)."""
    path = tmp_path / "noise.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)).save(path)
    page.goto(f"{server}/Compression")
    page.wait_for_function(DONE, arg=2, timeout=300_000)
    page.locator('[data-testid="stMain"] input[type=range]').first.focus()
    page.keyboard.press("Home")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stImageCaption"]')]
                 .some(c => c.innerText.startsWith('2 colours'))""",
        timeout=300_000,
    )
    page.wait_for_function(DONE, arg=2, timeout=300_000)
    assert _upload_here(page, path, need=2) == "images"
    shown = page.locator('[data-testid="stMain"] input[type=range]').first
    captions = page.locator('[data-testid="stImageCaption"]').all_inner_texts()
    assert shown.get_attribute("aria-valuetext") == "2"
    assert any(c.startswith("2 colours") for c in captions), captions


def test_the_gallery_and_the_gif_download_appear(server, page):
    """Compression's gallery tab shows k = 16 ... 256, and the iterations download as a GIF
    with one frame per iteration."""
    page.goto(f"{server}/Compression?colors=8&iters=4")
    page.wait_for_function(DONE, arg=2, timeout=300_000)
    button = page.get_by_role("button", name=re.compile(r"Download the iterations \(GIF"))
    button.wait_for(timeout=300_000)
    with page.expect_download() as download:
        button.click()
    gif = Image.open(download.value.path())
    assert gif.format == "GIF" and 2 <= gif.n_frames <= 5  # the start and up to 4 iterations
    page.get_by_role("tab", name="Gallery of k").click()
    page.wait_for_function(
        """() => {
          const caps = [...document.querySelectorAll('[data-testid="stImageCaption"]')]
            .map(c => c.innerText);
          return ['16', '32', '64', '128', '256'].every(k => caps.includes('k = ' + k));
        }""",
        timeout=300_000,
    )
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("The palettes at k = 64 and 256").first.wait_for(timeout=300_000)
    assert main.locator('[data-testid="stException"]').count() == 0
