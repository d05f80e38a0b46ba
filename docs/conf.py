"""Sphinx configuration for the provider's documentation."""

from __future__ import annotations

import sys
from pathlib import Path

# The version has one source, the package itself; the docs build reads it from this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from airflow_provider_twitter_ads import __version__

project = "airflow-provider-twitter-ads"
author = "airflow-provider-twitter-ads contributors"
release = __version__
version = __version__
extensions: list[str] = []
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = f"X (Twitter) Ads provider for Apache Airflow {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
# Everything the pages need ships with the build: no fonts, scripts or images from a CDN.
html_theme_options = {
    "navigation_with_keys": True,
}
