"""K-Means Lab home page: what k-means does, how to use the lab."""

import streamlit as st

from ui import components, kmeans_charts, registry
from ui import settings as S
from ui.results import kmeans_runs
from ui.sidebar import ROOT, sidebar

BLURBS = {
    "Centroids": "watch every iteration; centroids drawn as images",
    "Elbow": "how many clusters? the sum of squares against k",
    "t-SNE map": "the data's map coloured by cluster, centroids on it",
    "Compression": "a photo quantised to k colours",
    "Segmentation": "pixels clustered by colour and texture",
    "Experiments": "repeat the paper's experiments over seeds",
}

st.set_page_config(**registry.BY_PATH["app.py"].config())
settings = sidebar()


st.title("K-Means Lab")
st.markdown(
    "**k-means** splits data into *k* groups. Each group is summarised by one point, its "
    "**centroid** (the average of its members). Watch it find the groups, then repeat real "
    "experiments on handwritten digits and clothing images."
)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Two steps, repeated")
    st.markdown(
        "1. **Assign**: every point joins the group of its nearest centroid.\n"
        "2. **Update**: every centroid moves to the average of the points that joined it.\n\n"
        "Repeat until nothing changes (or the centroids move less than a *tolerance*). With "
        "L2 (straight-line) assignment and the mean update, no round can raise the total "
        "squared distance of points to their centroids, the quantity k-means minimises:"
    )
    st.latex(r"J = \sum_{j=1}^{k} \sum_{x \in G_j} \lVert x - z_j \rVert^2")
    st.markdown(
        "where $G_j$ is group $j$ and $z_j$ its centroid. The result depends on where the "
        "centroids **start**: that is what the *Initialisation* setting changes."
    )
    st.markdown(
        "Under L1 or L∞ assignment, or with the median update, the two steps minimise "
        "different things, and this sum can rise from one round to the next."
    )
    off = S.objective_can_rise(settings)
    if off:
        st.info(
            f"Your settings use {off}: on the Centroids page the inertia curve may go up "
            "between iterations."
        )
with right:
    X, demo, grids = kmeans_runs.demo_run()
    st.plotly_chart(kmeans_charts.demo_figure(X, demo, grids), width="stretch", key="demo")
    st.caption(
        f"400 points, k = 4: the ✕ marks are centroids, the lines the paths they took over "
        f"{demo.n_iter} iterations, the shading the region each one owns."
    )

st.subheader("How to use the lab")
st.markdown(
    "Pick a data set, **k** and how to start in the sidebar on the left: every page uses "
    "those settings, and the address bar holds them, so a link reproduces exactly what you "
    "see. The offline default is scikit-learn's 8×8 digits; MNIST and Fashion-MNIST are "
    "downloaded the first time you choose them."
)
for p in registry.PAGES[1:]:
    if (ROOT / p.path).exists():
        st.page_link(p.path, label=f"{p.label}: {BLURBS[p.label]}", icon=p.icon)

st.subheader("Repeat the paper")
st.markdown(
    "These buttons set the lab to the experiments of a student paper on the centroids of "
    "MNIST and Fashion-MNIST (MNIST is downloaded on first use). More on the Experiments page."
)
components.preset_cards()
