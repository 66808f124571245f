"""The app's pages, declared once: the sidebar's links, each page's tab title and icon, tests.

Streamlit runs ``app.py`` and every script in ``pages/`` (the folder's order is
the file names'); this table says how the lab names and shows them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of the lab.

    Attributes
    ----------
    path : str
        Its script, from the app's root.
    address : str
        Its URL path ("" for Home).
    label : str
        Its name in the sidebar's links and the browser tab.
    icon : str
        A Material icon, as Streamlit writes it.
    heading : str
        What its title (h1) begins with.
    """

    path: str
    address: str
    label: str
    icon: str
    heading: str

    def config(self) -> dict:
        """Keyword arguments of ``st.set_page_config`` for this page."""
        title = "K-Means Lab" if not self.address else f"{self.label} · K-Means Lab"
        return {"page_title": title, "page_icon": self.icon, "layout": "wide"}


PAGES: tuple[Page, ...] = (
    Page("app.py", "", "Home", ":material/home:", "K-Means Lab"),
    Page("pages/1_Centroids.py", "Centroids", "Centroids", ":material/grid_view:", "Centroids"),
    Page("pages/2_Elbow.py", "Elbow", "Elbow", ":material/show_chart:", "Elbow"),
    Page("pages/3_t-SNE.py", "t-SNE", "t-SNE map", ":material/scatter_plot:", "t-SNE map"),
    Page("pages/4_Compression.py", "Compression", "Compression", ":material/palette:",
         "Compression"),
    Page("pages/5_Segmentation.py", "Segmentation", "Segmentation", ":material/texture:",
         "Segmentation"),
    Page("pages/6_Experiments.py", "Experiments", "Experiments", ":material/science:",
         "Experiments"),
)  # fmt: skip
BY_PATH = {p.path: p for p in PAGES}
BY_ADDRESS = {p.address: p for p in PAGES}
