"""The image picker shared by the compression and segmentation pages."""

from __future__ import annotations

import streamlit as st

import kmcore

from . import engine
from .sidebar import page_control, plain

TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp"]
SAMPLES = {
    "china": "Sample: a temple in China",
    "flower": "Sample: a flower",
    "reef": "Sample: a made-up reef",
}


def pick_image(prefix: str):
    """Let the user pick a sample photo or upload one; return (key, image, notes) or stop.

    A bad upload gets a clear message and the page stops there; every other
    setting is kept, and choosing a sample photo carries on.
    """
    choice = page_control(
        st.radio,
        "Image",
        options=[*SAMPLES, "upload"],
        default=next(iter(SAMPLES)),
        horizontal=True,
        key=f"{prefix}_source",
        format_func=lambda c: SAMPLES.get(c, "Upload your own"),
    )
    if choice != "upload":
        key = ("sample", choice)
        img, notes = engine.image(key)
        return key, img, notes
    limit_mb = st.get_option("server.maxUploadSize")
    up = st.file_uploader(
        f"An image ({', '.join(TYPES[:1] + TYPES[2:]).upper()}, up to {limit_mb} MB)",
        type=TYPES,
        key=f"{prefix}_upload",
    )
    if up is None:
        st.info("Choose an image file, or pick a sample photo above.")
        st.stop()
    data = up.getvalue()
    # The file's name is the uploader's to show: it is never put into Markdown here.
    if len(data) > limit_mb * 2**20:
        st.error(f"**This file is {len(data) / 2**20:.1f} MB**; the limit is {limit_mb} MB.")
        st.stop()
    key = engine.upload_key(data)
    try:
        with st.spinner("Opening the image…"):
            img, notes = engine.image(key, data, formats=tuple(TYPES))
    except kmcore.ImageError as exc:
        st.error(f"**This file cannot be used:** {plain(str(exc).rstrip('.'))}.")
        st.caption("Try another file, or pick a sample photo above.")
        st.stop()
    return key, img, notes
