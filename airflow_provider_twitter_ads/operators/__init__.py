"""Operators: upload media from S3 (``media``), make account media (``account_media``), and attach
it to line items (``media_creative``). Import them from their modules; this package imports nothing
so parsing a DAG loads only what it uses.
"""

from __future__ import annotations
