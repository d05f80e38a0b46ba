"""The upload API route table; v2 routes render errors as RFC 7807 problems, v1.1 in its own formats."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, ErrorRenderer, Response, Router, Url
from airflow_provider_twitter_ads.emulator.state import EmulatorState
from airflow_provider_twitter_ads.emulator.upload import responses
from airflow_provider_twitter_ads.emulator.upload.exceptions import (
    V1_PATH,
    v1_error_response,
    v2_error_response,
)

V2: tuple[Url, ...] = (
    Url("POST", "/2/media/upload/initialize", responses.v2_initialize),
    Url("POST", "/2/media/upload/{media_id}/append", responses.v2_append),
    Url("POST", "/2/media/upload/{media_id}/finalize", responses.v2_finalize),
    Url("GET", "/2/media/upload", responses.v2_status),
    Url("POST", "/2/media/upload", responses.v2_simple),
)
V1: tuple[Url, ...] = (
    Url("POST", V1_PATH, responses.v1_post),
    Url("GET", V1_PATH, responses.v1_status),
)


def register(router: Router, state: EmulatorState) -> None:
    """Add the media upload routes to ``router``, each handler bound to ``state``."""
    tables: tuple[tuple[tuple[Url, ...], ErrorRenderer], ...] = (
        (V2, v2_error_response),
        (V1, v1_error_response),
    )
    for table, render_error in tables:
        for url in table:

            def serve(request: EmulatorRequest, url: Url = url) -> Response:
                return url.handler(request, state)

            router.add(url.method, url.template, serve, render_error=render_error)
