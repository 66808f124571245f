"""The Streamlit layer shared by the pages: sidebar, results kept for every session, charts.

Importing this package imports every heavy module the pages use. Streamlit
runs each tab's script in its own thread; thirty tabs opening at once would
otherwise race through the first imports of plotly and pandas and some would
get "partially initialized module" errors. The first page import takes this
package's import lock and does it all; the others wait for it.
"""

import pandas  # noqa: F401
import PIL.Image  # noqa: F401
import plotly.graph_objects
import plotly.io
import plotly.subplots  # noqa: F401
import pyarrow  # noqa: F401
import sklearn.cluster
import sklearn.metrics  # noqa: F401

import kmcore  # noqa: F401

from . import components, image_charts, kmeans_charts, settings, sidebar  # noqa: F401
