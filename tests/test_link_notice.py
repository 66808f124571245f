"""The "Ignored from the link" notice shows rejected values as plain text (AppTest).

The browser side (no <a>, no <img> in the rendered notice) is checked in
tests/test_uploads_browser.py.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

LINK = "[x](http://a)"
IMAGE = "![i](http://b/i.png)"


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def test_crafted_link_values_are_shown_as_written_not_as_markdown():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["k"] = LINK
    at.query_params["init"] = IMAGE
    at.run()
    assert not at.exception, at.exception
    notices = [w.value for w in at.sidebar.warning if "Ignored from the link" in w.value]
    assert len(notices) == 1
    body = notices[0].split("Ignored from the link: ", 1)[1]
    # Markdown's active characters are backslash-escaped: it shows them as written,
    # so no link, image, emphasis, HTML, colour or emoji syntax can take effect.
    assert re.search(r"(?<!\\)[\[\]()!<>:*_`]", body.replace("\\\\", "")) is None, body
    assert re.sub(r"\\(.)", r"\1", body) == f"k={LINK}, init={IMAGE}"
