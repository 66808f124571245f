"""The t-SNE page under AppTest on maps of 300 digits: it draws, shares and keeps the map.

``KMLAB_TSNE_MAX_POINTS=300`` keeps every fit a real openTSNE run on real data,
small enough for seconds instead of minutes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest import page
from tests.conftest import ROOT

TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def tsne_page(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/3_t-SNE.py")
    for key, value in query.items():
        at.query_params[key] = value
    return at


def legend(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    return [t.get("name", "") for t in spec["data"]]


def spec_of(at: AppTest) -> str:
    return at.get("plotly_chart")[-1].proto.spec


def test_map_of_the_digits_with_clusters_and_centroids():
    at = tsne_page().run()
    assert not at.exception, at.exception
    names = legend(at)
    assert len([n for n in names if n.startswith("cluster")]) == 10 and "centroids" in names
    assert [m.value for m in at.metric] == ["300"]
    assert any("300 points" in c.value and "k = 10" in c.value for c in at.caption)


def test_k_and_colouring_never_refit_and_perplexity_does():
    from ui.results import tsne

    at = tsne_page().run()
    assert not at.exception, at.exception
    fits = tsne.tsne_fits()
    assert fits == 1
    at.sidebar.slider(key="k").set_value(4).run()
    assert not at.exception, at.exception
    assert tsne.tsne_fits() == fits, "changing k refitted the map"
    assert len([n for n in legend(at) if n.startswith("cluster")]) == 4
    at.radio(key="tsne_colour").set_value("class").run()
    assert legend(at)[:10] == [str(d) for d in range(10)]
    assert tsne.tsne_fits() == fits
    at.select_slider(key="perplexity").set_value(10).run()
    assert not at.exception, at.exception
    assert tsne.tsne_fits() == fits + 1


def test_a_second_session_shares_the_map():
    from ui.results import tsne

    first = tsne_page().run()
    second = tsne_page().run()
    assert not second.exception, second.exception
    assert tsne.tsne_fits() == 1
    assert spec_of(second) == spec_of(first)


def test_the_map_is_kept_on_disk_across_restarts(tmp_path):
    from ui.results import tsne

    first = tsne_page().run()
    assert tsne.tsne_fits() == 1
    saved = list((tmp_path / "maps").glob("tsne-*.npy"))
    assert len(saved) == 1
    st.cache_resource.clear()  # what a restart loses
    st.cache_data.clear()
    again = tsne_page().run()
    assert not again.exception, again.exception
    assert tsne.tsne_fits() == 0, "the saved map was fitted again"
    assert spec_of(again) == spec_of(first)


def test_too_high_a_perplexity_is_explained(monkeypatch):
    monkeypatch.setenv("KMLAB_TSNE_MAX_POINTS", "200")
    at = tsne_page().run()
    at.select_slider(key="perplexity").set_value(100).run()
    assert not at.exception, at.exception
    assert any("needs at least 301 points" in e.value for e in at.error)


def test_shared_map_arrays_are_read_only():
    from ui import settings
    from ui.results import tsne

    at = tsne_page().run()
    assert not at.exception, at.exception
    key = tsne.tsne_key(settings.Settings(), 300)
    job = tsne.tsne_job(key, 30)
    assert job.finished and job.result is not None
    for array in (job.result.coords, job.coords, tsne.tsne_data(key).X):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = np.float32(1)


def test_work_ahead_goes_out_from_k_nearest_first_within_the_slider():
    from ui.results import tsne
    from ui.settings import K_MAX

    assert tsne.ks_ahead(10) == [11, 9, 12, 8]
    assert tsne.ks_ahead(1) == [2, 3]
    assert tsne.ks_ahead(K_MAX) == [K_MAX - 1, K_MAX - 2]


def test_work_ahead_fills_the_next_k_and_never_starts_a_map():
    """The page's work ahead (ui/results/ahead.py, only under ``streamlit run``) run here by hand:
    with the map in memory it computes the clusters for a neighbouring k; with none it
    starts no fit."""
    from ui.results import budget, tsne
    from ui.settings import Settings

    settings = Settings(k=11)
    key = tsne.tsne_key(settings, 1797)
    tsne._tsne_clusters_if_mapped(settings, key, tsne.TSNE_PERPLEXITY)
    assert tsne.tsne_fits() == 0 and len(budget.store("tsne_clusters")) == 0
    at = tsne_page(k="10").run()
    assert not at.exception, at.exception
    before = len(budget.store("tsne_clusters"))
    tsne._tsne_clusters_if_mapped(settings, key, tsne.TSNE_PERPLEXITY)
    assert len(budget.store("tsne_clusters")) == before + 1
    labels, centres = tsne.tsne_clusters(settings, key, tsne.TSNE_PERPLEXITY)
    assert centres.shape == (11, 2) and labels.max() <= 10
    assert tsne.tsne_fits() == 1


def test_tsne_help_gives_the_share_of_the_split(shared_data, monkeypatch):
    monkeypatch.setenv("KMLAB_DATA_DIR", str(shared_data))
    at = page(
        "pages/3_t-SNE.py", dataset="mnist", split="test", sample="1000", k="3", tsne_points="1000"
    )
    at.run(timeout=600)
    assert not at.exception, at.exception
    help_text = at.select_slider(key="tsne_points").help
    assert "10,000 images, so 6,000 is 60% of it" in help_text
