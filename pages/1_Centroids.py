"""Centroids page: k-means played step by step, big enough for a classroom."""

from dataclasses import replace

import streamlit as st

import kmcore
from ui import class_questions, classroom, components, exports, kmeans_charts, player, registry
from ui.results import kmeans_runs
from ui.settings import DATASET_LABELS, INIT_LABELS, METRIC_LABELS, points_text
from ui.sidebar import page_control, set_control, set_values, sidebar

st.set_page_config(**registry.BY_PATH["pages/1_Centroids.py"].config())
settings = sidebar()
components.compact_top()

st.title("Centroids")
data = components.rows_or_stop(settings)
images = data.image_shape is not None
init_text = "starts chosen by hand" if settings.starts else INIT_LABELS[settings.init]
head, choice = st.columns([3, 2], vertical_alignment="center")
head.caption(
    f"{DATASET_LABELS[settings.dataset]} · {len(data.y):,} points · k = {settings.k} · "
    f"{init_text} · {METRIC_LABELS[settings.metric]} · {settings.update} update · "
    f"seed {settings.seed}"
)
VIEWS = {
    "play": "Play",
    "compare": "Compare two runs",
    "hand": "Pick starts" if images else "By hand",
}
view = page_control(
    choice.segmented_control, "View", key="view", default="play", options=list(VIEWS),
    format_func=VIEWS.get, required=True, label_visibility="collapsed",
)  # fmt: skip


def _forget_starts() -> None:
    set_values(starts="")


def _take_starts() -> None:
    """The starts sent by the player: into the settings (and the URL), then play them."""
    chosen = (st.session_state.get("hand_player") or {}).get("starts")
    if not chosen:
        return
    if images:
        set_values(starts="i" + ",".join(str(int(r)) for r in chosen))
    else:
        set_values(starts=points_text(chosen))
    set_control("view", "play")


if view == "hand":
    if images:
        pane = player.candidates_for(settings.data_key)
    else:
        pane = player.plane_for(settings.data_key)
    player.player(
        [pane],
        key="hand_player",
        run_id=str(settings.data_key),
        mode="place",
        k=settings.k,
        on_starts=_take_starts,
    )
    st.caption(
        f"Choose {settings.k} starts (k from the sidebar), then run. The starts go into "
        "the address bar, so a link reproduces this run."
    )
    st.stop()

if settings.starts:
    try:
        kmeans_runs.hand_starts(settings, data.X)
    except ValueError as exc:
        st.warning(f"**The starts chosen by hand cannot be used:** {exc}")
        st.button("Forget the hand-picked starts", on_click=_forget_starts)
        st.stop()

run = components.run_or_stop(settings)
res = run.result
shade = True
if not images:
    shade = st.session_state.get("regions", True)

if view == "compare":
    c1, c2 = st.columns(2)
    other_init = page_control(
        c1.selectbox,
        "Second run: initialisation",
        key="compare_init",
        default="maxmin",
        options=[i for i in INIT_LABELS if i != "per-class" or images],
        format_func=INIT_LABELS.get,
    )
    other_metric = page_control(
        c2.selectbox,
        "Second run: distance",
        key="compare_metric",
        default="l2",
        options=list(METRIC_LABELS),
        format_func=METRIC_LABELS.get,
    )
    other = replace(settings, init=other_init, metric=other_metric, starts="")
    try:
        other_run = kmeans_runs.run(other)
    except ValueError as exc:
        st.error(f"**The second run cannot run:** {exc}")
        st.stop()
    titles = [
        f"A: {init_text} · {METRIC_LABELS[settings.metric]}",
        f"B: {INIT_LABELS[other_init]} · {METRIC_LABELS[other_metric]}",
    ]
    panes = [
        player.run_pane(settings, titles[0], shade),
        player.run_pane(other, titles[1], shade),
    ]
    run_id = f"{settings}|{other}|{shade}"
    key = "compare_player"
else:
    run_id = f"{settings}|{shade}"
    panes = [player.run_pane(settings, "", shade)]
    key = "player"


@st.fragment
def live(panes: list, key: str, run_id: str) -> None:
    """The player (and the class's question above it): the part of the page a room's change
    of position or of answers reruns."""
    classroom.live_part()
    if key == "player":
        class_questions.centroid_block(settings, run_id, res.n_iter)
    player.player(
        panes,
        key=key,
        run_id=run_id,
        goto=classroom.player_position(run_id),
        on_pos=classroom.note_position if classroom.presenting() else None,
    )


live(panes, key, run_id)

if not images:
    st.toggle("Shade the regions each centroid owns", value=True, key="regions")
    st.caption(
        "Shading: the points nearest to each centroid (under the chosen distance) at the "
        "start of the step. ✕: centroids, lines: the paths they took. Each iteration has "
        "two halves: assign (points change colour), then update (the centroids move)."
    )
else:
    st.caption(
        "Each iteration has two halves. Assign: every image goes to its nearest centroid "
        "(under each: how many images joined and left, and a few that just joined). "
        "Update: every centroid moves to the "
        + ("average" if res.update == "mean" else "pixel-wise median")
        + " of its images. ← / → step when the picture has focus."
    )
if settings.starts:
    if images:
        shown = "images " + settings.starts[1:].replace(",", ", ")
    else:
        shown = ", ".join(f"({x:.3f}, {y:.3f})" for x, y in res.init_centers)
    st.caption(f"This run started from the starts chosen by hand: {shown}.")
    st.button("Forget the hand-picked starts", on_click=_forget_starts)

rises = kmcore.inertia_rises(res)
if rises:
    step, amount = max(rises, key=lambda r: r[1])
    if res.update == "median":
        why = "the median update minimises L1 distance, not the squared distance plotted here"
    else:
        why = (
            f"with {METRIC_LABELS[res.metric]} assignment the mean update does not minimise "
            "what the assignment measured"
        )
    others = f" (and at {len(rises) - 1} other step(s))" if len(rises) > 1 else ""
    st.info(f"**Inertia rose at step {step}** by {amount:,.1f}{others}: {why}.")

components.run_summary(run)
if images:
    missing = [data.class_names[c] for c in run.evaluation.missing_classes]
    if missing:
        st.warning(
            f"**No centroid for: {', '.join(missing)}** (with the final centroids). These "
            "classes are the majority of no cluster: their images were absorbed by look-alikes."
        )
    else:
        st.success("With the final centroids, every class is the majority of a cluster.")

left, right = st.columns(2) if images else (st.container(), None)
with left:
    st.subheader("Why it stopped")
    st.plotly_chart(kmeans_charts.convergence(res, height=420), width="stretch", key="convergence")
    st.caption(
        "The run stops when no point changes cluster, or when the largest move drops below "
        "the tolerance (dashed line). Each point of the inertia curve is measured at an "
        "assign step, against the centroids before that step's update; the Inertia (WCSS) "
        "metric above is measured against the final centroids: " + kmcore.final_against_curve(res)
    )

if images:
    with right:
        st.subheader("Start and end")
        st.plotly_chart(
            kmeans_charts.start_end_grid(
                res.init_centers,
                res.centers,
                data.image_shape,
                f"after {res.n_iter} iterations",
                row_px=60,
            ),
            width="stretch",
            key="start_end",
        )
        png, gif = exports.centroid_files(settings)
        stem = f"centroids_{settings.dataset}_k{settings.k}_{settings.init}_{settings.metric}"
        st.download_button(
            "Download the start/end grid (PNG)", png, f"{stem}.png", "image/png", width="stretch"
        )
        st.download_button(
            "Download the animation (GIF)", gif, f"{stem}.gif", "image/gif", width="stretch"
        )

with st.expander("What am I looking at?"):
    if res.update == "mean":
        what = (
            "A centroid is the average of the images in its cluster, so it looks like a "
            "blurred version of them."
        )
    else:
        what = (
            "With the median update a centroid is the pixel-wise median of the images in its "
            "cluster (k-medians), so it looks sharper than an average would."
        )
    st.markdown(
        f"{what} If a class has no centroid, its images were closer to centroids of other "
        "classes (a 4 is close to a 9, a 5 to a 3 or an 8). Try **Balance classes**, a larger "
        "**k**, or **One per class** starts, and compare."
    )
