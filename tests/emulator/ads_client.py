"""An OAuth1-signed client for the emulator's Ads API, as a real client would sign its requests."""

from __future__ import annotations

from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import AdsApiEmulator


class AdsClient:
    """Signed requests to one account of the emulator, e.g. ``client.get("line_items/8v7jo")``."""

    def __init__(self, emulator: AdsApiEmulator, version: str = "12") -> None:
        config = emulator.config
        self.emulator = emulator
        self.version = version
        self.session = requests.Session()
        self.session.auth = OAuth1(
            config.consumer_key, config.consumer_secret, config.access_token, config.access_token_secret
        )

    def url(self, path: str = "", version: str | None = None, account_id: str | None = None) -> str:
        account = account_id or self.emulator.config.account_id
        base = f"{self.emulator.url}/{version or self.version}/accounts/{account}"
        return f"{base}/{path}" if path else base

    def request(
        self, method: str, path: str = "", version: str | None = None, **kwargs: Any
    ) -> requests.Response:
        return self.session.request(method, self.url(path, version), timeout=10, **kwargs)

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def all_pages(self, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
        """Every entity of a list, following ``next_cursor``; and the number of pages."""
        entities: list[dict[str, Any]] = []
        pages = 0
        cursor = None
        while True:
            query = dict(params, cursor=cursor) if cursor else dict(params)
            response = self.get(path, params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            pages += 1
            entities.extend(body["data"])
            cursor = body["next_cursor"]
            if cursor is None:
                return entities, pages


def error_of(response: requests.Response) -> tuple[int, str, str | None]:
    """(status, code, parameter) of an Ads API error response."""
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error.get("parameter")
