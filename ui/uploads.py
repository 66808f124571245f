"""The image picker shared by the compression and segmentation pages."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import kmcore

from .results import images
from .sidebar import inert, page_control, plain

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
        img, notes = images.image(key)
        return key, img, notes
    ss = st.session_state
    kept_key, gen_key = f"{prefix}_upload_kept", f"{prefix}_upload_gen"
    kept = ss.get(kept_key)
    if kept is not None:
        digest, name = kept
        key = ("upload", digest)
        try:
            img, notes = images.image(key, None, formats=tuple(TYPES))
        except images.UploadGone:
            del ss[kept_key]
            st.warning(
                "Your image has been cleared from the server's memory (the lab keeps uploads "
                "for a while only, never on disk). Upload it again."
            )
        else:
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.caption(f"Your upload: {inert(name)} (the lab keeps the reduced picture only)")
            right.button(
                "Upload another", key=f"{prefix}_upload_again", on_click=_forget, args=(prefix,)
            )
            return key, img, notes
    limit_mb = st.get_option("server.maxUploadSize")
    gen = ss.get(gen_key, 0)
    up = st.file_uploader(
        f"An image ({', '.join(TYPES[:1] + TYPES[2:]).upper()}, up to {limit_mb} MB)",
        type=TYPES,
        key=f"{prefix}_upload" if gen == 0 else f"{prefix}_upload_{gen}",
    )
    if up is None:
        st.info("Choose an image file, or pick a sample photo above.")
        st.stop()
    data = up.getvalue()
    # The file's name is the uploader's to show; the page quotes it only as inert code.
    if len(data) > limit_mb * 2**20:
        st.error(f"**This file is {len(data) / 2**20:.1f} MB**; the limit is {limit_mb} MB.")
        st.stop()
    key = images.upload_key(data)
    try:
        with st.spinner("Opening the image…"):
            img, notes = images.image(key, data, formats=tuple(TYPES))
    except kmcore.ImageError as exc:
        st.error(f"**This file cannot be used:** {plain(str(exc).rstrip('.'))}.")
        st.caption("Try another file, or pick a sample photo above.")
        st.stop()
    # The picture is cached (by the file's SHA-256): the file itself is let go at once,
    # rather than kept by Streamlit for the session's life (a class of 30 uploading 7.5 MB
    # photos held 225 MB of files). The rerun shows the kept picture, not the uploader, so
    # the uploader's state (which holds the file too) leaves at the end of that run.
    ss[kept_key] = (key[1], up.name)
    ss[gen_key] = gen + 1
    _drop_file(up.file_id)
    del up, data
    st.rerun()


def _forget(prefix: str) -> None:
    st.session_state.pop(f"{prefix}_upload_kept", None)


def _drop_file(file_id: str) -> None:
    """Remove an uploaded file from Streamlit's store of this session's uploads."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if manager is not None:
        manager.remove_file(ctx.session_id, file_id)
