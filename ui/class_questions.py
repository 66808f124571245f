"""Questions for the class, drawn: the teacher asks and reveals, followers answer.

Centroids: "which centroid will this point join?" before an assign. Elbow: "where is the
knee?". The teacher's screen shows the answers as they arrive (a bar per answer); the
reveal shows every screen the right answer and how many gave it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from . import classroom, exports
from .results import questions
from .settings import Settings

_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"]  # fmt: skip


def answers_figure(question: dict, answers: dict[str, int], right: str | None) -> go.Figure:
    """The class's answers, a bar per option (the right one in green after the reveal)."""
    options = question["options"]
    counts = [answers.get(o, 0) for o in options]
    colours = ["#2e7d32" if o == right else "#1f77b4" for o in options]
    fig = go.Figure(go.Bar(x=options, y=counts, marker_color=colours, text=counts))
    fig.update_traces(textposition="outside", textfont_size=18, cliponaxis=False)
    fig.update_layout(
        height=260,
        margin=dict(l=10, r=10, t=10, b=40),
        xaxis=dict(title=question.get("axis", "answer"), type="category", tickfont_size=16),
        yaxis=dict(title="answers", rangemode="tozero", dtick=max(1, max(counts, default=1) // 5)),
        font_size=16,
    )
    return fig


def _outcome(q: dict, answered: str | None) -> str:
    n, right = q.get("n_answers", 0), q.get("n_right", 0)
    said = f"{right} of {n} {'answer was' if n == 1 else 'answers were'} right"
    mine = ""
    if answered is not None:
        mine = " Yours was right." if answered == q["right"] else f" You answered {answered}."
    return said + "." + mine


def _answers(room, q: dict, teacher: bool) -> None:
    """The teacher's bar of answers, or a follower's choice; the outcome after the reveal."""
    revealed = "right" in q
    if teacher:
        st.plotly_chart(
            answers_figure(q, room.answers, q.get("right")),
            width="stretch",
            key=f"answers_{q['id']}",
            config={"displayModeBar": False},
        )
        who = f"{room.n_answers} of {room.followers} following answered"
        if revealed:
            st.caption(f"{who}. {_outcome(q, None)}")
        else:
            st.caption(who + ". Answers arrive as students choose.")
        return
    mine = classroom.my_answer(q["id"])
    if revealed:
        return
    if mine is not None:
        st.info(f"You answered **{mine}**. Wait for the teacher's reveal.")
        return
    key = f"answer_{room.code}_{q['id']}"
    st.pills(
        q["prompt"],
        q["options"],
        key=key,
        on_change=classroom.answer,
        args=(q["id"], key),
        label_visibility="collapsed",
    )


def _numbered_centroids(centers: np.ndarray, shape: tuple[int, int], point: np.ndarray) -> None:
    per_row = min(10, len(centers))
    left, right = st.columns([1, 5], vertical_alignment="top")
    left.image(exports.ink_image(point.reshape(shape), 8), width=128, caption="this image")
    with right:
        for start in range(0, len(centers), per_row):
            cols = st.columns(per_row)
            for j in range(start, min(start + per_row, len(centers))):
                cols[j - start].image(
                    exports.ink_image(centers[j].reshape(shape), 8),
                    width="stretch",
                    caption=str(j + 1),
                )


def _plane(X: np.ndarray, centers: np.ndarray, point: np.ndarray) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=X[:, 0], y=X[:, 1], mode="markers",
                               marker=dict(size=5, color="#c8c8c8"), hoverinfo="skip"))  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=centers[:, 0], y=centers[:, 1], mode="markers+text",
            text=[str(j + 1) for j in range(len(centers))], textposition="top center",
            textfont=dict(size=22, color="#111"),
            marker=dict(size=18, symbol="x", color=[_PALETTE[j % 10] for j in range(len(centers))]),
            hoverinfo="skip",
        )
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", hoverinfo="skip",
                             marker=dict(size=24, symbol="star", color="#111",
                                         line=dict(width=2, color="#ffd600"))))  # fmt: skip
    fig.update_layout(
        height=360, showlegend=False, margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"),
    )  # fmt: skip
    return fig


def centroid_block(settings: Settings, run_id: str, n_iter: int) -> None:
    """On the Centroids page (play view), above the player: the question asked, or the
    teacher's button to ask one at the current position."""
    found = classroom.question_room()
    if found is None:
        return
    r, room = found
    teacher = r["role"] == "teacher"
    q = room.question if room.question and room.question.get("kind") == "centroid" else None
    pos = classroom.teacher_position(run_id) if teacher else None
    if q is None:
        if not teacher:
            return
        if pos is not None and pos % 2 == 0 and pos // 2 < n_iter:
            question = questions.centroid_question(settings, pos)
            st.button(
                "Ask the class: which centroid will one point join next?",
                icon=":material/quiz:",
                on_click=classroom.ask,
                args=(question, {"prompt": "Which centroid will it join?", "run": run_id,
                                 "axis": "centroid"}),
            )  # fmt: skip
        else:
            st.caption(
                "To ask the class, stop the player before an assign half (at the start, "
                "or after an update)."
            )
        return
    if q.get("run") != run_id:
        if teacher:
            st.button("Close the question asked on another run", on_click=classroom.close_question)
        return
    with st.container(border=True):
        revealed = "right" in q
        if revealed:
            moved = (
                f", leaving centroid {q['before']}"
                if q.get("before") not in (None, q["right"])
                else ""
            )
            st.markdown(
                f"**It joins centroid {q['right']}**{moved}. "
                + _outcome(q, None if teacher else classroom.my_answer(q["id"]))
            )
        else:
            st.markdown(
                f"**Which centroid will this {_noun(settings)} join at the next assign?** "
                "Each centroid below is numbered; pick one."
            )
        pic = questions.question_picture(settings, q)
        if pic["image_shape"] is not None:
            _numbered_centroids(pic["centers"], pic["image_shape"], pic["point"])
        else:
            st.plotly_chart(
                _plane(pic["X"], pic["centers"], pic["point"]),
                width="stretch",
                key=f"question_plane_{q['id']}",
                config={"displayModeBar": False, "staticPlot": True},
            )
        _answers(room, q, teacher)
        if teacher:
            if not revealed:
                st.button(
                    "Reveal (steps every screen to the assign)",
                    type="primary",
                    icon=":material/visibility:",
                    on_click=classroom.reveal,
                    args=({"run": f"{run_id}|play", "pos": q["pos"] + 1},),
                )
            else:
                st.button("Close the question", on_click=classroom.close_question)


def _noun(settings: Settings) -> str:
    return "image" if questions.is_images(settings) else "point"


def knee_block(res) -> bool:
    """On the Elbow page, under the curve: "where is the knee?" asked, answered, revealed.
    Returns True while the question is open (the page then keeps the knee to itself)."""
    found = classroom.question_room()
    if found is None:
        return False
    r, room = found
    teacher = r["role"] == "teacher"
    q = room.question if room.question and room.question.get("kind") == "knee" else None
    ks = [str(k) for k in res.ks]
    if q is None or q["options"] != ks:
        if teacher and res.knee is not None and len(ks) >= 2:
            question = {"kind": "knee", "options": ks, "right": str(res.knee)}
            st.button(
                "Ask the class: where is the knee?",
                icon=":material/quiz:",
                on_click=classroom.ask,
                args=(question, {"prompt": "Where is the knee?", "axis": "k"}),
            )
        return False
    revealed = "right" in q
    with st.container(border=True):
        if revealed:
            st.markdown(
                f"**The kneedle algorithm puts the knee at k = {q['right']}.** "
                + _outcome(q, None if teacher else classroom.my_answer(q["id"]))
            )
        else:
            st.markdown(
                "**Where is the knee?** Pick the k after which more clusters stop helping much."
            )
        _answers(room, q, teacher)
        if teacher:
            if not revealed:
                st.button("Reveal", type="primary", icon=":material/visibility:",
                          on_click=classroom.reveal)  # fmt: skip
            else:
                st.button("Close the question", on_click=classroom.close_question)
    return not revealed
