"""Hooks: the only code in this provider that talks HTTP to the X Ads and media upload APIs."""

from __future__ import annotations
