"""Triggers: wait for X Ads API media in the triggerer, without a worker slot."""

from __future__ import annotations
