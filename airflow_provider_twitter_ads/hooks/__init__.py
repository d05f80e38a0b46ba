"""Hooks: the only code in this provider that talks HTTP to the X Ads and media upload APIs.

Importing this package keeps the OAuth libraries' DEBUG records out of every log: they print the
``Authorization`` header, the signature base string and ``oauth_signature`` of each request.
"""

from __future__ import annotations

import logging

# The loggers of the OAuth 1.0a signing code (requests-oauthlib and oauthlib's RFC 5849 client).
SIGNING_LOGGERS = (
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
)


class _DropSigningDebugRecords(logging.Filter):
    """Drops DEBUG records: at that level the signing code logs signatures and signed headers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_FILTER = _DropSigningDebugRecords()


def _install_signing_log_filter() -> None:
    for name in SIGNING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, _DropSigningDebugRecords) for existing in logger.filters):
            logger.addFilter(_FILTER)


_install_signing_log_filter()
