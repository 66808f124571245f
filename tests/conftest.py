"""Shared fixtures: where the real data lives, small data sets."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def _scratch_maps(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("maps")


@pytest.fixture(autouse=True)
def _maps_never_in_a_data_folder(monkeypatch, _scratch_maps):
    """t-SNE maps are written to a scratch folder, never beside the data (``../shared``)."""
    monkeypatch.setenv("KMLAB_CACHE_DIR", str(_scratch_maps))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real MNIST / Fashion-MNIST subsets beside the checkout."""
    if not (SHARED_DATA / "mnist" / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real data not found in {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One `streamlit run` server per test process for the browser modules (as one server
    serves every tab of a class), with the real MNIST subsets when they are beside the
    checkout. Yields its URL. A test that needs a server just started starts its own."""
    from tests.browser import streamlit_server

    data = SHARED_DATA if SHARED_DATA.exists() else tmp_path_factory.mktemp("data")
    with streamlit_server({"KMLAB_DATA_DIR": str(data)}) as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright, one per test process (browser downloads are not
    possible here, so Playwright is pointed at the system browser); the browser tests take
    turns in one tab of it (``page``)."""
    from tests.browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def _tab(browser):
    """The test process's one tab: see ``page``."""
    tab = {}
    yield tab
    _drop(tab)


def _drop(tab: dict) -> None:
    """Forget the kept tab, then close it with its context (whatever state it is in)."""
    pg = tab.pop("page", None)
    if pg is not None:
        try:
            pg.context.close()
        except Exception:  # a crashed or already closed tab: nothing left to close
            pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser, _tab, request):
    """A tab at the projector size, 1280 x 720, on a blank document.

    Tests take turns in one tab, as a student moves from page to page: each test opens
    its own address (a new Streamlit session), and afterwards the tab forgets what the app
    stored in it (local and session storage: the sidebar's width and state, the theme),
    moves the pointer away and leaves for ``about:blank``, which disconnects the session.
    Measured on a Centroids page load: 4.1-4.3 s of renderer CPU in a new context per test,
    4.4-5.7 s in a new tab of one shared context, 1.4-1.9 s in the kept tab (its renderer
    has Streamlit's and Plotly's scripts compiled already). After a failed test, or if
    the tab cannot be reset, it is closed and the next test gets a new one.
    """
    pg = _tab.get("page")
    if pg is None or pg.is_closed():
        _drop(_tab)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        pg = _tab["page"] = context.new_page()
    try:
        pg.set_viewport_size({"width": 1280, "height": 720})  # a test may have changed it
    except Exception:
        _drop(_tab)
        raise
    yield pg
    if request.node.stash.get(_FAILED, False) or pg.is_closed():
        _drop(_tab)
        return
    try:
        for other in pg.context.pages:  # tabs the test opened
            if other is not pg:
                other.close()
        if pg.url.startswith("http"):
            pg.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        pg.mouse.move(0, 0)
        pg.goto("about:blank")
    except Exception:
        _drop(_tab)
        raise


@pytest.fixture(scope="session")
def blobs():
    """Continuous 5-D blobs (no ties between distances)."""
    rng = np.random.default_rng(42)
    centers = rng.normal(0, 6, size=(5, 5))
    X = np.concatenate([c + rng.normal(size=(120, 5)) for c in centers])
    y = np.repeat(np.arange(5), 120)
    return X, y


@pytest.fixture
def fresh_caches(monkeypatch, tmp_path):
    """For AppTest modules: empty caches before and after, an empty data folder (no MNIST
    unless a test provides it), a map folder of its own and t-SNE maps of 300 points."""
    import streamlit as st

    monkeypatch.setenv("KMLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KMLAB_CACHE_DIR", str(tmp_path / "maps"))
    monkeypatch.setenv("KMLAB_TSNE_MAX_POINTS", "300")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


# Test files by measured time, longest first (pytest --durations=0, summed per file).
# With ``--dist loadfile`` a worker takes the next whole file when it runs low, so
# handing out the long files first (longest processing time first) keeps both workers
# busy to the end instead of leaving one to finish a long file alone.
LONGEST_FIRST = (
    "test_pages.py",
    "test_classroom_browser.py",
    "test_browser.py",
    "test_centroids_browser.py",
    "test_tsne_page.py",
    "test_hostile_uploads.py",
    "test_upload_limits.py",
    "test_links.py",
    "test_uploads_browser.py",
    "test_history_browser.py",
    "test_download_faults.py",
    "test_kmeans.py",
    "test_centroids_pages.py",
    "test_compression.py",
    "test_images.py",
    "test_elbow.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within files
