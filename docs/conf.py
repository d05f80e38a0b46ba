"""Sphinx configuration for the provider's documentation."""

from __future__ import annotations

project = "airflow-provider-twitter-ads"
author = "airflow-provider-twitter-ads contributors"
release = "0.1.0"
extensions: list[str] = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "X (Twitter) Ads provider for Apache Airflow"
