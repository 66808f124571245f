"""The Experiments page's "The paper vs this lab" section: the paper's claims, measured here.

The claims are quoted from the paper (shared/seeds); every number about this lab
comes from :func:`kmcore.check_paper`, run on a button press and then kept for
the whole server (one result, about 2 kB).
"""

from __future__ import annotations

import threading

import streamlit as st

import kmcore

from .results import datasets
from .settings import init_label

SEEDS = (0, 1, 2)
ELBOW_KS = tuple(range(1, 16))
ELBOW_RESTARTS = 1
DATA_KEY = ("mnist", "test", 0, False, 0)  # every MNIST test image, as the paper's presets
RUNS = len(kmcore.PAPER_INITS) * len(SEEDS) + len(ELBOW_KS) * ELBOW_RESTARTS

CLAIMS = {
    "speed": "Hierarchical starts gave good centroids but took **about 2× the iterations** "
    "to converge (§6, Results).",
    "lost": "Some digits, **4 and 5**, get no clear centroid: 4 turns into a 9 and 5 into a 1 "
    "(§6, Results, and §7, Conclusion).",
    "per-class": "With a **balanced** data set and **one hand-picked image of each digit** as "
    "starts, every digit kept a centroid (Figure 4).",
    "elbow": "The elbow plot puts the best number of clusters at **k = 10** for MNIST and "
    "Fashion-MNIST (Figure 3).",
}


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    return {"lock": threading.Lock(), "result": None}


def _lab_sentences(c: kmcore.PaperCheck) -> dict[str, str]:
    seeds = f"seeds {c.seeds[0]}–{c.seeds[-1]}" if len(c.seeds) > 1 else f"seed {c.seeds[0]}"
    order = sorted(c.iterations, key=c.iterations.get)
    speeds = ", ".join(f"{init_label(i)} {c.iterations[i]:.1f}" for i in order)
    fastest = order[0]
    if fastest == "hierarchical":
        verdict = "Hierarchical starts were the **fastest** here."
    else:
        ratio = c.iterations["hierarchical"] / c.iterations["random"]
        verdict = (
            f"{init_label(fastest)} was the fastest; hierarchical took {ratio:.1f}× the "
            "iterations of random starts."
        )
    capped = f" {c.not_converged} of the runs hit the iteration limit." if c.not_converged else ""
    top = list(c.missing.items())
    lost = ", ".join(f"{d} in {n}" for d, n in top) or "none"
    if len(top) >= 2:
        lost_verdict = f"Most often **{top[0][0]} and {top[1][0]}**."
    elif top:
        lost_verdict = f"Most often **{top[0][0]}**."
    else:
        lost_verdict = "Every digit kept a centroid in every run."
    pc_lost = sorted({d for m in c.per_class_missing for d in m})
    pc = f"every digit kept a centroid in **{c.per_class_complete} of {len(c.seeds)}** runs" + (
        f"; lost: {', '.join(map(str, pc_lost))}." if pc_lost else "."
    )
    knee = (
        f"The knee (kneedle) is at **k = {c.knee}**."
        if c.knee is not None
        else f"No knee: {c.knee_reason}."
    )
    return {
        "speed": f"Mean iterations to converge, L2, k = 10, {c.n_balanced:,} balanced images, "
        f"{seeds}: {speeds}. {verdict}{capped}",
        "lost": f"Runs in which a digit got no centroid, out of {c.runs} "
        f"({len(kmcore.PAPER_INITS)} kinds of start × {len(c.seeds)} seeds, L2, k = 10, "
        f"balanced): {lost}. {lost_verdict}",
        "per-class": f"One random image of each digit as starts, balanced data, L2, k = 10, "
        f"{seeds}: {pc}",
        "elbow": f"WCSS for k = {c.elbow_ks[0]}–{c.elbow_ks[-1]} on all {c.n_points:,} MNIST "
        f"test images ({c.elbow_restarts} random start per k, seed {c.seeds[0]}, tolerance "
        f"0.05). {knee}",
    }


def _measure() -> kmcore.PaperCheck | None:
    store = _store()
    bar = st.progress(0.0, text="Loading MNIST test…")
    try:
        data = datasets.rows(DATA_KEY)
    except (kmcore.DatasetUnavailableError, kmcore.DownloadError, OSError) as exc:
        bar.empty()
        st.warning(f"MNIST test is not available here, so nothing was measured: {exc}")
        return None

    def report(done, total):
        bar.progress(done / total, text=f"k-means run {done} of {total}")

    with store["lock"]:
        if store["result"] is None:
            store["result"] = kmcore.check_paper(
                data.X,
                data.y,
                seeds=SEEDS,
                elbow_ks=ELBOW_KS,
                elbow_restarts=ELBOW_RESTARTS,
                progress=report,
            )
    bar.empty()
    return store["result"]


def paper_section() -> None:
    """Draw the section: claims, what the lab measured (once measured), a button to measure."""
    st.subheader("The paper vs this lab")
    st.markdown(
        "The paper's claims that can be tested, next to what this lab measures when it "
        "repeats them on MNIST's 10,000 test images with the paper's tolerance (0.05). "
        "Where they disagree, that is a lesson too: a few runs on one computer are not a "
        "law of k-means."
    )
    result = _store()["result"]
    if result is None:
        offer = st.empty()
        with offer.container():
            st.caption(
                f"Not measured on this server yet: {RUNS} k-means runs, from under a minute "
                "on a quiet machine to a few minutes on a busy one. The result is then kept "
                "for everyone on this server."
            )
            clicked = st.button(f"Measure it ({RUNS} runs)", key="paper_measure", type="primary")
        if clicked:
            offer.empty()
            result = _measure()
    lab = _lab_sentences(result) if result is not None else {}
    for key, claim in CLAIMS.items():
        left, right = st.columns(2, gap="medium")
        left.markdown(f"**The paper:** {claim}")
        right.markdown(f"**This lab:** {lab[key]}" if lab else "**This lab:** not measured yet.")
