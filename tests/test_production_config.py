"""The production settings in .streamlit/config.toml, read the way Streamlit reads them."""

from __future__ import annotations

import tomllib
from streamlit.config import ShowErrorDetailsConfigOptions as Details

from tests.conftest import ROOT


def test_error_details_hide_messages_tracebacks_and_paths():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = config["client"]["showErrorDetails"]
    assert value in {o.value for o in Details}  # a value Streamlit 1.67 knows
    assert value in (Details.TYPE, Details.NONE)  # not "full"/"stacktrace" (nor true)
