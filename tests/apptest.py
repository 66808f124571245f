"""Opening a page of the app under Streamlit's AppTest, as a link would."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 120  # seconds per script run: generous for a loaded 2-core machine


def page(path: str, **query) -> AppTest:
    """An AppTest of ``path`` (e.g. "pages/2_Elbow.py") opened with ``query`` as its link."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.switch_page(path)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def texts(at) -> str:
    """Every sentence a run shows in its main area and sidebar (markdown, warnings, infos,
    captions), one per line."""
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(parts)
