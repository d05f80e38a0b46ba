"""Sensors: wait for X Ads API media to be ready."""

from __future__ import annotations
