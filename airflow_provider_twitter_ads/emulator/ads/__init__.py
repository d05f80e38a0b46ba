"""The Ads API: ``models`` (entities and rules), ``responses`` (a module per resource), ``urls``
(the route table), ``seed`` (the seeded account) and ``exceptions`` (the documented error codes)."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.upload.seed import add_ready_media

__all__ = ["add_ready_media"]
