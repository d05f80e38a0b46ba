"""Async X Ads upload API client for triggers: media processing STATUS over aiohttp, OAuth 1.0a signed.

``aiohttp``, ``oauthlib`` and ``yarl`` load when the hook opens its session, in the triggerer: a DAG
file that imports a sensor or an operator never pays for them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import weakref
from dataclasses import dataclass
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from airflow_provider_twitter_ads.compat import BaseHook
from airflow_provider_twitter_ads.exceptions import AdsApiError, AdsApiNotFoundError
from airflow_provider_twitter_ads.hooks import http_core
from airflow_provider_twitter_ads.hooks.connection import AdsApiConnectionConfig
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.ids import normalize_media_id
from airflow_provider_twitter_ads.utils import upload_protocol as protocol
from airflow_provider_twitter_ads.utils.processing import unknown_media_error

if TYPE_CHECKING:
    import aiohttp
    from oauthlib.oauth1 import Client

log = logging.getLogger(__name__)

# Connections open at once to the API from one event loop, shared by every hook in that loop. A
# triggerer runs hundreds of triggers in one loop; without a shared cap each would open its own.
DEFAULT_CONNECTION_LIMIT = 64


@cache
def _sign_per_attempt() -> bool:
    """Whether aiohttp has client middlewares (3.12+), where each attempt of a request is signed.

    aiohttp resends an idempotent request by itself when a kept-alive connection turns out closed. A
    resent OAuth 1.0a request must carry a fresh nonce (the API rejects a replayed one).
    """
    import aiohttp

    return "middlewares" in inspect.signature(aiohttp.ClientSession.__init__).parameters


@cache
def _not_reached() -> tuple[type[Exception], ...]:
    """The aiohttp errors meaning the server was never reached.

    aiohttp before 3.10 has no ConnectionTimeoutError: a connect timeout there looks like a read
    timeout, a lost response, which a read retries all the same.
    """
    import aiohttp

    timeout_error = getattr(aiohttp, "ConnectionTimeoutError", None)
    return (aiohttp.ClientConnectorError,) + ((timeout_error,) if timeout_error is not None else ())


@dataclass
class _Pool:
    connector: aiohttp.TCPConnector
    users: int = 0


# Event loop -> connection limit -> the pool open in that loop with that limit.
_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Pool]] = weakref.WeakKeyDictionary()


def _acquire_connector(limit: int) -> aiohttp.TCPConnector:
    import aiohttp

    pools = _POOLS.setdefault(asyncio.get_running_loop(), {})
    pool = pools.get(limit)
    if pool is None or pool.connector.closed:
        pool = pools[limit] = _Pool(aiohttp.TCPConnector(limit=limit, limit_per_host=limit))
    pool.users += 1
    return pool.connector


async def _release_connector(connector: aiohttp.TCPConnector) -> None:
    pools = _POOLS.get(asyncio.get_running_loop(), {})
    for limit, pool in list(pools.items()):
        if pool.connector is connector:
            pool.users -= 1
            if pool.users <= 0:
                del pools[limit]
                await connector.close()
            return


async def _aget_connection(conn_id: str) -> Any:
    """The Airflow connection without blocking the event loop (``aget_connection`` where it exists)."""
    aget_connection = getattr(BaseHook, "aget_connection", None)
    if aget_connection is not None:
        return await aget_connection(conn_id)
    from asgiref.sync import sync_to_async

    return await sync_to_async(BaseHook.get_connection)(conn_id)


class AsyncAdsApiHook(BaseHook):
    """Reads media processing status from the upload API without blocking the event loop.

    Use as ``async with AsyncAdsApiHook(...) as hook:`` (or call :meth:`close`): the hook owns one
    aiohttp session, whose connections come from a pool shared by all hooks in the same event loop
    and capped at ``connection_limit``. Requests are signed with OAuth 1.0a (HMAC-SHA1), wait out
    429s by their rate-limit headers and retry transient failures (STATUS is a read, so every
    retryable status, lost response and refused connection is retried).

    :param twitter_ads_conn_id: The ``twitter_ads`` connection, read lazily in the running loop.
    :param retry_settings: Attempts and waits; defaults to ``RetrySettings()``.
    :param connection_limit: Concurrent connections per event loop for hooks with this limit.
    """

    conn_name_attr = "twitter_ads_conn_id"
    default_conn_name = "twitter_ads_default"
    conn_type = "twitter_ads"
    hook_name = "X (Twitter) Ads API (async)"

    def __init__(
        self,
        twitter_ads_conn_id: str = default_conn_name,
        retry_settings: RetrySettings | None = None,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    ) -> None:
        super().__init__()
        if (
            isinstance(connection_limit, bool)
            or not isinstance(connection_limit, int)
            or connection_limit < 1
        ):
            raise ValueError(f"connection_limit must be a positive integer, got {connection_limit!r}")
        self.twitter_ads_conn_id = twitter_ads_conn_id
        self.retry_settings = retry_settings or RetrySettings()
        self.connection_limit = connection_limit
        self._config: AdsApiConnectionConfig | None = None
        self._signer: Client | None = None
        self._session: aiohttp.ClientSession | None = None
        self._connector: aiohttp.TCPConnector | None = None
        self._rate_limit_window = http_core.RateLimitWindow()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(twitter_ads_conn_id={self.twitter_ads_conn_id!r})"

    async def __aenter__(self) -> AsyncAdsApiHook:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and give its connections back; safe to call twice."""
        session, connector = self._session, self._connector
        self._session = self._connector = None
        if session is not None:
            await session.close()
        if connector is not None:
            await _release_connector(connector)

    async def get_config(self) -> AdsApiConnectionConfig:
        """The validated connection settings, read once."""
        if self._config is None:
            conn = await _aget_connection(self.twitter_ads_conn_id)
            # from_connection registers the secrets with the masker, a sync call into the
            # supervisor: keep it off the event loop thread.
            self._config = await asyncio.to_thread(AdsApiConnectionConfig.from_connection, conn)
        return self._config

    def get_conn(self) -> aiohttp.ClientSession:
        """The hook's aiohttp session (created on first use, inside the running event loop)."""
        import aiohttp

        if self._session is None or self._session.closed:
            self._connector = _acquire_connector(self.connection_limit)
            options: dict[str, Any] = {"middlewares": (self._sign_attempt,)} if _sign_per_attempt() else {}
            self._session = aiohttp.ClientSession(connector=self._connector, connector_owner=False, **options)
            # aiohttp resends an idempotent request once by itself when the server drops the connection.
            # Retries are the HTTP core's alone, so both hooks count and decide them alike.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
        return self._session

    async def get_upload_status(self, media_id: str, upload_api: str | None = None) -> dict[str, Any]:
        """The media's processing status as ``{"media_id", "media_key", "processing_info"}``.

        ``processing_info`` is None for media that needs no processing. An unknown media id raises
        ``AdsApiNotFoundError``.
        """
        media_id = normalize_media_id(media_id)
        config = await self.get_config()
        request = protocol.status_request(
            protocol.resolve_upload_api(upload_api, config.upload_api), media_id
        )
        assert request.params is not None
        try:
            body = await self._get(request.path, dict(request.params))
        except AdsApiNotFoundError as error:
            raise unknown_media_error(media_id, error) from None
        return protocol.parse_status(body, media_id)

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET ``{upload_api_url}/{path}`` with retries (a read: every retryable failure is retried)."""
        config = await self.get_config()
        url = f"{config.upload_api_url}/{path}?{urlencode(params)}"
        settings = self.retry_settings
        attempts = 0
        budget = http_core.RateLimitBudget(settings)

        async def attempt() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            return await self._get_once(url, path, config, settings, budget)

        try:
            return await http_core.async_retrying(log, settings, idempotent=True, budget=budget)(attempt)
        except AdsApiError as error:
            http_core.count_attempts(error, attempts)
            raise

    async def _get_once(
        self,
        url: str,
        path: str,
        config: AdsApiConnectionConfig,
        settings: RetrySettings,
        budget: http_core.RateLimitBudget,
    ) -> dict[str, Any]:
        """One signed GET (after waiting out a spent rate-limit window): the parsed JSON body."""
        import aiohttp
        from yarl import URL

        hold = budget.hold(self._rate_limit_window, log)
        if hold:
            await asyncio.sleep(hold)
        signer = self._get_signer(config)
        headers = {} if _sign_per_attempt() else signer.sign(url, http_method="GET")[1]
        started = time.monotonic()
        deadline = http_core.request_deadline(config.timeout)

        async def send() -> tuple[bytes, int, dict[str, str]]:
            async with self.get_conn().get(
                # encoded=True: send the query exactly as it is signed, not re-quoted by yarl.
                URL(url, encoded=True),
                headers=headers,
                # The connection's timeout bounds connecting and each read; the whole-request
                # deadline around this call bounds the rest (a server trickling its answer).
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=config.timeout, sock_read=config.timeout
                ),
            ) as response:
                return (
                    await response.read(),
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                )

        try:
            try:
                body, status, response_headers = await asyncio.wait_for(send(), deadline)
            except asyncio.TimeoutError:
                if time.monotonic() - started < deadline:
                    raise  # aiohttp's own read timeout, handled below
                http_core.log_no_response(
                    log, "GET", path, TimeoutError("deadline"), (time.monotonic() - started) * 1000
                )
                raise http_core.deadline_passed(
                    "the answer did not finish arriving", "GET", path, deadline
                ) from None
        except _not_reached() as exc:
            http_core.log_no_response(log, "GET", path, exc, (time.monotonic() - started) * 1000)
            raise http_core.connection_error(str(exc) or type(exc).__name__, "GET", path) from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            http_core.log_no_response(log, "GET", path, exc, (time.monotonic() - started) * 1000)
            reason = str(exc) or type(exc).__name__
            raise http_core.response_lost_error(f"no response: {reason}", "GET", path) from None
        http_core.log_response(
            log, "GET", path, status, (time.monotonic() - started) * 1000, response_headers
        )
        self._rate_limit_window.remember(response_headers)
        return http_core.parse_response(status, body, response_headers, "GET", path, settings)

    async def _sign_attempt(self, request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        """Client middleware: sign this attempt of the request (full URL with query, fresh nonce)."""
        if self._signer is None:
            self._get_signer(await self.get_config())
        assert self._signer is not None
        _, headers, _ = self._signer.sign(str(request.url), http_method=request.method)
        request.headers["Authorization"] = headers["Authorization"]
        return await handler(request)

    def _get_signer(self, config: AdsApiConnectionConfig) -> Client:
        from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, Client

        if self._signer is None:
            self._signer = Client(
                config.consumer_key,
                client_secret=config.consumer_secret,
                resource_owner_key=config.access_token,
                resource_owner_secret=config.access_token_secret,
                signature_method=SIGNATURE_HMAC_SHA1,
            )
        return self._signer
