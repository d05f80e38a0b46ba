"""Apache Airflow provider for the X (Twitter) Ads API media pipeline."""

from __future__ import annotations

__version__ = "0.1.0"
