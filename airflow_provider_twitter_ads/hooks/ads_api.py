"""``AdsApiHook``: signed, retried, logged requests to the X Ads API and the media upload API.

``requests``, ``requests_oauthlib`` and ``urllib3`` load on the hook's first request, not when a DAG
file imports the hook (the DAG processor parses every DAG file again and again).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_twitter_ads import __version__
from airflow_provider_twitter_ads.compat import BaseHook
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiMalformedResponseError,
    AdsApiNotFoundError,
)
from airflow_provider_twitter_ads.hooks import http_core, upload
from airflow_provider_twitter_ads.hooks.connection import AdsApiConnectionConfig
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings, is_idempotent
from airflow_provider_twitter_ads.ids import entity_id, path_segment, validate_media_id, validate_media_key
from airflow_provider_twitter_ads.utils.params import (
    MAX_COUNT,
    MEDIA_LIBRARY_MAX_COUNT,
    build_list_params,
    check_choice,
    check_http_url,
    format_list,
    format_params,
)
from airflow_provider_twitter_ads.utils.promoted_posts import (
    check_card_name,
    check_card_uri,
    check_post_text,
    check_tweet_ids,
    check_tweet_name,
)
from airflow_provider_twitter_ads.utils.segments import DEFAULT_SEGMENT_BYTES
from airflow_provider_twitter_ads.vocabulary import (
    CARDS_MAX_COUNT,
    CREATIVE_TYPES,
    MAX_TWEET_IMAGES,
    MEDIA_LIBRARY_TYPES,
    TIMELINE_TYPES,
    TWEET_TYPES,
    check_call_to_action,
    check_creative_type,
)

if TYPE_CHECKING:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

# POST account_media was removed after API version 4; later versions create it via the media library.
ACCOUNT_MEDIA_MAX_VERSION = 4
# Connections kept per host: enough for parallel segment uploads from one hook.
_POOL_SIZE = 16
_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})


def _no_urllib3_retries() -> Retry:
    """urllib3 must not retry on its own: tenacity decides, knowing POST safety and rate limits.

    ``read=False`` re-raises read errors as they are, so requests reports a read timeout as ReadTimeout.
    """
    from urllib3.util.retry import Retry

    return Retry(total=0, connect=0, read=False, status=0, other=0, redirect=False, raise_on_status=False)


class _Deadline:
    """Shuts the socket of one request down when its whole-request deadline passes.

    requests' ``timeout`` bounds each socket read only; this timer bounds the whole exchange.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connection: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _active_deadline.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _active_deadline.current = None

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            if self.expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        sock = getattr(self._connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


# The deadline of the request this thread is sending, for the connection pools below to attach to.
_active_deadline = threading.local()


@cache
def _deadline_adapter_class() -> type[HTTPAdapter]:
    """The adapter class whose connection pools let a request's :class:`_Deadline` reach its socket.

    Built on the first ``get_conn()``, so that importing the hook loads neither requests nor urllib3.
    """
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(pool_class: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
        class WatchedPool(pool_class):  # type: ignore[misc, valid-type]
            def _get_conn(self, timeout: float | None = None) -> Any:
                connection = super()._get_conn(timeout)
                deadline = getattr(_active_deadline, "current", None)
                if deadline is not None:
                    deadline.attach(connection)
                return connection

        WatchedPool.__name__ = f"Watched{pool_class.__name__}"
        return WatchedPool

    watched_pools = {"http": watched(HTTPConnectionPool), "https": watched(HTTPSConnectionPool)}

    class DeadlineAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(watched_pools)

    return DeadlineAdapter


def _body_bytes(request_kwargs: Mapping[str, Any]) -> int:
    """About how many bytes a request sends (its files and its data), for its deadline.

    ``data`` counts by its length whether it is raw bytes or a streaming body with a known length
    (``upload_protocol.MultipartBody``); a form mapping is small and counts as nothing.
    """
    total = 0
    for part in (request_kwargs.get("files") or {}).values():
        content = part[1] if isinstance(part, tuple) and len(part) > 1 else part
        if isinstance(content, (bytes, bytearray, str)):
            total += len(content)
    data = request_kwargs.get("data")
    if isinstance(data, Sized) and not isinstance(data, Mapping):
        total += len(data)
    return total


class EntityPager(Iterator[dict[str, Any]]):
    """Lazily iterates the entities of a list endpoint, following ``next_cursor``.

    Holds one page in memory. ``total_count`` is set after the first page when the request asked
    for ``with_total_count``; ``pages`` counts the pages fetched so far.
    """

    def __init__(
        self, fetch_page: Callable[[dict[str, str]], dict[str, Any]], params: dict[str, str]
    ) -> None:
        self._fetch_page = fetch_page
        self._params = params
        self._cursor: str | None = params.get("cursor")
        # Every cursor this listing has followed: any one coming back is a cycle (A -> B -> A).
        self._seen_cursors: set[str] = {self._cursor} if self._cursor else set()
        self._items: Iterator[dict[str, Any]] = iter(())
        self._done = False
        self.pages = 0
        self.total_count: int | None = None

    def __iter__(self) -> EntityPager:
        return self

    def __next__(self) -> dict[str, Any]:
        while True:
            for item in self._items:
                return item
            if self._done:
                raise StopIteration
            self._load_next_page()

    def _load_next_page(self) -> None:
        params = dict(self._params)
        if self._cursor is not None:
            params["cursor"] = self._cursor
            # The API refuses with_total_count together with cursor; the first page had it.
            if self.pages > 0:
                params.pop("with_total_count", None)
        page = self._fetch_page(params)
        self.pages += 1
        data = page.get("data")
        if data is None:
            data = []
        if not isinstance(data, list):
            raise AdsApiError(f"list response has a non-list data member ({type(data).__name__})")
        if self.pages == 1 and isinstance(page.get("total_count"), int):
            self.total_count = page["total_count"]
        next_cursor = page.get("next_cursor")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise AdsApiError(f"list response has a non-string next_cursor ({next_cursor!r})")
        if next_cursor and next_cursor in self._seen_cursors:
            raise AdsApiError(
                f"the API returned next_cursor {next_cursor!r} again after {self.pages} pages: the "
                "cursors cycle, so the listing stops"
            )
        if next_cursor:
            self._seen_cursors.add(next_cursor)
        self._cursor = next_cursor or None
        self._done = not next_cursor
        self._items = iter(data)


class AdsApiHook(BaseHook):
    """Talks to the X Ads API (``{ads_api_url}/{api_version}/...``) and the media upload API.

    Requests are signed with OAuth 1.0a (HMAC-SHA1) on one reused ``requests.Session``, retried
    per :mod:`~airflow_provider_twitter_ads.hooks.retry_policy` (POSTs only when resending cannot
    create a duplicate) and logged one line each. The connection is read on first use.

    :param twitter_ads_conn_id: The ``twitter_ads`` connection.
    :param retry_settings: Attempts and waits; defaults to ``RetrySettings()``.
    """

    conn_name_attr = "twitter_ads_conn_id"
    default_conn_name = "twitter_ads_default"
    conn_type = "twitter_ads"
    hook_name = "X (Twitter) Ads API"

    def __init__(
        self,
        twitter_ads_conn_id: str = default_conn_name,
        retry_settings: RetrySettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.twitter_ads_conn_id = twitter_ads_conn_id
        self.retry_settings = retry_settings or RetrySettings()
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._rate_limit_window = http_core.RateLimitWindow()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(twitter_ads_conn_id={self.twitter_ads_conn_id!r})"

    # -- connection -----------------------------------------------------------------------------

    @cached_property
    def config(self) -> AdsApiConnectionConfig:
        """The validated connection settings (read from Airflow once, on first use)."""
        return AdsApiConnectionConfig.from_connection(self.get_connection(self.twitter_ads_conn_id))

    @property
    def account_id(self) -> str | None:
        """The connection's default ads account id."""
        return self.config.account_id

    @property
    def api_version(self) -> int:
        """The Ads API version the connection uses, e.g. 12."""
        return int(self.config.api_version)

    @property
    def upload_api(self) -> str:
        """The connection's media upload API version (``v2`` or ``v1.1``)."""
        return self.config.upload_api

    def get_conn(self) -> requests.Session:
        """The hook's ``requests.Session``, OAuth 1.0a signed; created once and reused."""
        import requests
        from requests_oauthlib import OAuth1

        with self._session_lock:
            if self._session is None:
                config = self.config
                session = requests.Session()
                session.auth = OAuth1(
                    config.consumer_key,
                    client_secret=config.consumer_secret,
                    resource_owner_key=config.access_token,
                    resource_owner_secret=config.access_token_secret,
                    signature_method="HMAC-SHA1",
                    signature_type="AUTH_HEADER",
                )
                adapter = _deadline_adapter_class()(
                    pool_connections=2, pool_maxsize=_POOL_SIZE, max_retries=_no_urllib3_retries()
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = f"airflow-provider-twitter-ads/{__version__}"
                self._session = session
            return self._session

    def close(self) -> None:
        """Close the session's connections; the next request opens a new session."""
        with self._session_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    # -- requests ---------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | bytes | str | Iterable[bytes] | None = None,
        files: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        api: str = "ads",
        idempotent: bool | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one API request with retries and return its parsed JSON body (``{}`` when empty).

        ``api="ads"`` sends to ``{ads_base}/{path}`` with ``{account_id}`` filled from
        ``account_id`` or the connection; ``api="upload"`` sends to ``{upload_api_url}/{path}``.
        ``params`` and dict ``data`` values are formatted for the API (lists comma-separated,
        bools ``true``/``false``). GET, PUT and DELETE (and POSTs marked ``idempotent=True``) are
        retried on 408/423/5xx and lost responses; every request on 429 (after the rate-limit
        reset) and when the server was never reached. A non-idempotent POST whose response was
        lost raises ``AdsApiResponseLostError``: look for the entity before creating it again.
        ``data`` may be a body that has a length and yields its bytes in blocks (such as
        ``upload_protocol.MultipartBody``): it is sent with that Content-Length, block by block, and
        every attempt iterates it again. ``files`` are resent on a retry, so pass bytes, not streams.
        ``headers`` are added to the request's (its ``Content-Type``, for a body).
        """
        method = method.upper() if isinstance(method, str) else method
        if method not in _METHODS:
            raise ValueError(f"method must be one of {', '.join(sorted(_METHODS))}, got {method!r}")
        url, shown_path = self._url(api, path, account_id)
        query = format_params(params)
        form = format_params(data) if isinstance(data, Mapping) else data
        return self._send(
            method,
            url,
            shown_path,
            idempotent=is_idempotent(method, idempotent),
            settings=self.retry_settings,
            params=query or None,
            json=json,
            data=form,
            files=files,
            headers=dict(headers) if headers else None,
        )

    def _send(
        self,
        method: str,
        url: str,
        shown_path: str,
        *,
        idempotent: bool,
        settings: RetrySettings,
        **request_kwargs: Any,
    ) -> dict[str, Any]:
        attempts = 0
        budget = http_core.RateLimitBudget(settings)

        def attempt() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            return self._send_once(method, url, shown_path, settings, budget, request_kwargs)

        try:
            return http_core.retrying(log, settings, idempotent=idempotent, budget=budget)(attempt)
        except AdsApiError as error:
            http_core.count_attempts(error, attempts)
            raise

    def _send_once(
        self,
        method: str,
        url: str,
        shown_path: str,
        settings: RetrySettings,
        budget: http_core.RateLimitBudget,
        request_kwargs: dict[str, Any],
    ) -> dict[str, Any]:
        """One HTTP attempt (after waiting out a spent rate-limit window): the parsed JSON body."""
        import requests

        hold = budget.hold(self._rate_limit_window, log)
        if hold:
            time.sleep(hold)
        timeout = self.config.timeout
        deadline = http_core.request_deadline(timeout, _body_bytes(request_kwargs))
        started = time.monotonic()
        try:
            with _Deadline(deadline) as watch:
                response = self.get_conn().request(
                    method, url, timeout=(timeout, timeout), allow_redirects=False, **request_kwargs
                )
        except requests.RequestException as exc:
            http_core.log_no_response(log, method, shown_path, exc, (time.monotonic() - started) * 1000)
            if watch.expired:
                raise http_core.deadline_passed(
                    "the answer did not finish arriving", method, shown_path, deadline
                ) from None
            # Not chained: the requests exception holds the signed request (its Authorization header).
            raise _transport_error(exc, method, shown_path, timeout) from None
        if watch.expired:
            # The socket was shut under the read: what arrived may be cut short, so it is not trusted.
            http_core.log_no_response(
                log, method, shown_path, TimeoutError("deadline"), (time.monotonic() - started) * 1000
            )
            raise http_core.deadline_passed(
                "the answer did not finish arriving", method, shown_path, deadline
            )
        elapsed_ms = (time.monotonic() - started) * 1000
        http_core.log_response(log, method, shown_path, response.status_code, elapsed_ms, response.headers)
        self._rate_limit_window.remember(response.headers)
        return http_core.parse_response(
            response.status_code, response.content, response.headers, method, shown_path, settings
        )

    def _url(self, api: str, path: str, account_id: str | None) -> tuple[str, str]:
        """The full URL and the path shown in logs and errors (no host, no query)."""
        if not isinstance(path, str) or not path.strip("/ "):
            raise ValueError(f"path must be a non-empty relative path, got {path!r}")
        if "://" in path or "?" in path or "#" in path:
            raise ValueError(f"path must be relative without a query (pass params=), got {path!r}")
        relative = path.strip().strip("/")
        if api == "ads":
            if "{account_id}" in relative:
                relative = relative.replace("{account_id}", self._account_segment(account_id))
            return f"{self.config.ads_base}/{relative}", relative
        if api == "upload":
            return f"{self.config.upload_api_url}/{relative}", relative
        raise ValueError(f"api must be 'ads' or 'upload', got {api!r}")

    def _account_segment(self, account_id: str | None) -> str:
        resolved = account_id if account_id is not None else self.config.account_id
        if not resolved:
            raise ValueError(
                f"account_id is not set: pass account_id= or set the account_id extra of "
                f"connection {self.twitter_ads_conn_id!r}"
            )
        return path_segment("account_id", resolved)

    # -- paging -----------------------------------------------------------------------------------

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        count: int = MAX_COUNT,
        *,
        account_id: str | None = None,
        max_count: int = MAX_COUNT,
    ) -> EntityPager:
        """Iterate every entity of a list endpoint, one page (``count`` items) in memory at a time.

        Parameters are checked before the first request (``count`` within 1..``max_count``, at
        most 200 ids per list filter, no ``with_total_count`` with ``cursor``).
        """
        query = build_list_params(params, count=count, max_count=max_count)
        self._url("ads", path, account_id)  # fail now, not on the first next(), on a bad path or account

        def fetch_page(page_params: dict[str, str]) -> dict[str, Any]:
            return self.request("GET", path, params=page_params, account_id=account_id)

        return EntityPager(fetch_page, query)

    # -- account media ----------------------------------------------------------------------------

    def list_account_media(
        self,
        account_id: str | None = None,
        *,
        account_media_ids: Iterable[str] | str | None = None,
        creative_types: Iterable[str] | str | None = None,
        count: int = MAX_COUNT,
        sort_by: str | None = None,
        with_deleted: bool | None = None,
        with_total_count: bool | None = None,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's account media (``GET accounts/:account_id/account_media``)."""
        filters = {
            "account_media_ids": _id_filter("account_media_ids", account_media_ids),
            "creative_types": _id_filter("creative_types", creative_types),
            "sort_by": sort_by,
            "with_deleted": with_deleted,
            "with_total_count": with_total_count,
            "cursor": cursor,
        }
        return self.paginate("accounts/{account_id}/account_media", filters, count, account_id=account_id)

    def get_account_media(self, account_media_id: str, account_id: str | None = None) -> dict[str, Any]:
        """One account media; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("account_media_id", account_media_id)
        return self._entity("GET", f"accounts/{{account_id}}/account_media/{segment}", account_id)

    def delete_account_media(self, account_media_id: str, account_id: str | None = None) -> dict[str, Any]:
        """Delete an account media; returns it with ``deleted: true``."""
        segment = path_segment("account_media_id", account_media_id)
        return self._entity("DELETE", f"accounts/{{account_id}}/account_media/{segment}", account_id)

    def create_account_media(
        self,
        creative_type: str,
        media_id: str | None = None,
        video_id: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """``POST accounts/:account_id/account_media`` (API version 4 and older only).

        ``PREROLL`` takes ``video_id``; the image creative types take ``media_id``. Newer API
        versions create account media through :meth:`add_to_media_library`.
        """
        if self.api_version > ACCOUNT_MEDIA_MAX_VERSION:
            raise ValueError(
                f"create_account_media needs api_version <= {ACCOUNT_MEDIA_MAX_VERSION}, the connection "
                f"uses {self.api_version}; use add_to_media_library instead"
            )
        creative_type = check_creative_type(creative_type)
        if (media_id is None) == (video_id is None):
            raise ValueError("create_account_media needs exactly one of media_id and video_id")
        if creative_type == CREATIVE_TYPES.PREROLL and video_id is None:
            raise ValueError("creative_type PREROLL needs video_id, not media_id")
        if creative_type != CREATIVE_TYPES.PREROLL and media_id is None:
            raise ValueError(f"creative_type {creative_type} needs media_id, not video_id")
        params = {
            "creative_type": creative_type,
            "media_id": validate_media_id(media_id) if media_id is not None else None,
            "video_id": validate_media_id(video_id, "video_id") if video_id is not None else None,
        }
        return self._entity("POST", "accounts/{account_id}/account_media", account_id, params)

    # -- media library ----------------------------------------------------------------------------

    def add_to_media_library(
        self,
        media_key: str,
        name: str | None = None,
        file_name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        poster_media_key: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Add uploaded media to the account's media library (which also creates account media).

        Not retried after a lost response: re-adding creates the account media again.
        """
        params = {
            "media_key": validate_media_key(media_key),
            "name": name,
            "file_name": file_name,
            "title": title,
            "description": description,
            "poster_media_key": validate_media_key(poster_media_key, "poster_media_key")
            if poster_media_key
            else None,
        }
        return self._entity("POST", "accounts/{account_id}/media_library", account_id, params)

    def list_media_library(
        self,
        account_id: str | None = None,
        *,
        media_type: str | None = None,
        q: str | None = None,
        count: int = MEDIA_LIBRARY_MAX_COUNT,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's media library entries (``count`` at most 50 per page)."""
        filters = {
            "media_type": check_choice("media_type", media_type, MEDIA_LIBRARY_TYPES) if media_type else None,
            "q": q,
            "cursor": cursor,
        }
        return self.paginate(
            "accounts/{account_id}/media_library",
            filters,
            count,
            account_id=account_id,
            max_count=MEDIA_LIBRARY_MAX_COUNT,
        )

    def get_media_library_entry(self, media_key: str, account_id: str | None = None) -> dict[str, Any]:
        """One media library entry; ``AdsApiNotFoundError`` when the key is not in the library."""
        segment = path_segment("media_key", validate_media_key(media_key))
        return self._entity("GET", f"accounts/{{account_id}}/media_library/{segment}", account_id)

    def update_media_library_entry(
        self,
        media_key: str,
        name: str | None = None,
        file_name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        poster_media_key: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Change a media library entry's descriptive fields (at least one)."""
        segment = path_segment("media_key", validate_media_key(media_key))
        params = {
            "name": name,
            "file_name": file_name,
            "title": title,
            "description": description,
            "poster_media_key": validate_media_key(poster_media_key, "poster_media_key")
            if poster_media_key
            else None,
        }
        if all(value is None for value in params.values()):
            raise ValueError("update_media_library_entry needs at least one field to change")
        return self._entity("PUT", f"accounts/{{account_id}}/media_library/{segment}", account_id, params)

    def delete_media_library_entry(self, media_key: str, account_id: str | None = None) -> dict[str, Any]:
        """Remove a media library entry; returns it with ``deleted: true``."""
        segment = path_segment("media_key", validate_media_key(media_key))
        return self._entity("DELETE", f"accounts/{{account_id}}/media_library/{segment}", account_id)

    # -- media creatives --------------------------------------------------------------------------

    def list_media_creatives(
        self,
        account_id: str | None = None,
        *,
        campaign_id: str | None = None,
        line_item_ids: Iterable[str] | str | None = None,
        media_creative_ids: Iterable[str] | str | None = None,
        count: int = MAX_COUNT,
        sort_by: str | None = None,
        with_deleted: bool | None = None,
        with_total_count: bool | None = None,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's media creatives (``GET accounts/:account_id/media_creatives``)."""
        filters = {
            "campaign_id": entity_id(campaign_id, "campaign_id") if campaign_id is not None else None,
            "line_item_ids": _id_filter("line_item_ids", line_item_ids),
            "media_creative_ids": _id_filter("media_creative_ids", media_creative_ids),
            "sort_by": sort_by,
            "with_deleted": with_deleted,
            "with_total_count": with_total_count,
            "cursor": cursor,
        }
        return self.paginate("accounts/{account_id}/media_creatives", filters, count, account_id=account_id)

    def get_media_creative(self, media_creative_id: str, account_id: str | None = None) -> dict[str, Any]:
        """One media creative; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("media_creative_id", media_creative_id)
        return self._entity("GET", f"accounts/{{account_id}}/media_creatives/{segment}", account_id)

    def create_media_creative(
        self,
        account_media_id: str,
        line_item_id: str,
        landing_url: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Attach account media to a line item. Every call creates a new media creative.

        Not retried after a lost response (``AdsApiResponseLostError``): list the line item's
        media creatives before trying again.
        """
        params = {
            "account_media_id": entity_id(account_media_id, "account_media_id"),
            "line_item_id": entity_id(line_item_id, "line_item_id"),
            "landing_url": check_http_url("landing_url", landing_url) if landing_url is not None else None,
        }
        return self._entity("POST", "accounts/{account_id}/media_creatives", account_id, params)

    def delete_media_creative(self, media_creative_id: str, account_id: str | None = None) -> dict[str, Any]:
        """Delete a media creative; returns it with ``deleted: true``."""
        segment = path_segment("media_creative_id", media_creative_id)
        return self._entity("DELETE", f"accounts/{{account_id}}/media_creatives/{segment}", account_id)

    # -- line items -------------------------------------------------------------------------------

    def get_line_item(self, line_item_id: str, account_id: str | None = None) -> dict[str, Any]:
        """One line item; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("line_item_id", line_item_id)
        return self._entity("GET", f"accounts/{{account_id}}/line_items/{segment}", account_id)

    # -- preroll call-to-actions ------------------------------------------------------------------

    def create_preroll_call_to_action(
        self,
        line_item_id: str,
        call_to_action: str,
        call_to_action_url: str,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Set a PREROLL line item's call-to-action button."""
        params = {
            "line_item_id": entity_id(line_item_id, "line_item_id"),
            "call_to_action": check_call_to_action(call_to_action),
            "call_to_action_url": check_http_url("call_to_action_url", call_to_action_url),
        }
        return self._entity("POST", "accounts/{account_id}/preroll_call_to_actions", account_id, params)

    def list_preroll_call_to_actions(
        self,
        account_id: str | None = None,
        *,
        line_item_ids: Iterable[str] | str | None = None,
        count: int = MAX_COUNT,
        sort_by: str | None = None,
        with_deleted: bool | None = None,
        with_total_count: bool | None = None,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's preroll call-to-actions, optionally for some line items."""
        filters = {
            "line_item_ids": _id_filter("line_item_ids", line_item_ids),
            "sort_by": sort_by,
            "with_deleted": with_deleted,
            "with_total_count": with_total_count,
            "cursor": cursor,
        }
        return self.paginate(
            "accounts/{account_id}/preroll_call_to_actions", filters, count, account_id=account_id
        )

    def get_preroll_call_to_action(
        self, preroll_call_to_action_id: str, account_id: str | None = None
    ) -> dict[str, Any]:
        """One preroll call-to-action; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("preroll_call_to_action_id", preroll_call_to_action_id)
        return self._entity("GET", f"accounts/{{account_id}}/preroll_call_to_actions/{segment}", account_id)

    def update_preroll_call_to_action(
        self,
        preroll_call_to_action_id: str,
        call_to_action: str | None = None,
        call_to_action_url: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Change a preroll call-to-action's button and/or URL (at least one)."""
        segment = path_segment("preroll_call_to_action_id", preroll_call_to_action_id)
        if call_to_action is None and call_to_action_url is None:
            raise ValueError("update_preroll_call_to_action needs call_to_action or call_to_action_url")
        params = {
            "call_to_action": (check_call_to_action(call_to_action) if call_to_action else None),
            "call_to_action_url": (
                check_http_url("call_to_action_url", call_to_action_url) if call_to_action_url else None
            ),
        }
        return self._entity(
            "PUT", f"accounts/{{account_id}}/preroll_call_to_actions/{segment}", account_id, params
        )

    def delete_preroll_call_to_action(
        self, preroll_call_to_action_id: str, account_id: str | None = None
    ) -> dict[str, Any]:
        """Delete a preroll call-to-action; returns it with ``deleted: true``."""
        segment = path_segment("preroll_call_to_action_id", preroll_call_to_action_id)
        return self._entity(
            "DELETE", f"accounts/{{account_id}}/preroll_call_to_actions/{segment}", account_id
        )

    # -- promotable users ---------------------------------------------------------------------------

    def list_promotable_users(
        self,
        account_id: str | None = None,
        *,
        promotable_user_ids: Iterable[str] | str | None = None,
        count: int = MAX_COUNT,
        cursor: str | None = None,
    ) -> EntityPager:
        """The users whose posts the account may promote (``GET promotable_users``)."""
        filters = {
            "promotable_user_ids": _id_filter("promotable_user_ids", promotable_user_ids),
            "cursor": cursor,
        }
        return self.paginate("accounts/{account_id}/promotable_users", filters, count, account_id=account_id)

    # -- cards ------------------------------------------------------------------------------------

    def list_cards(
        self,
        account_id: str | None = None,
        *,
        card_ids: Iterable[str] | str | None = None,
        q: str | None = None,
        count: int = CARDS_MAX_COUNT,
        sort_by: str | None = None,
        with_deleted: bool | None = None,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's cards (``GET cards``); ``q`` searches their names (``count`` at most 200)."""
        filters = {
            "card_ids": _id_filter("card_ids", card_ids),
            "q": q,
            "sort_by": sort_by,
            "with_deleted": with_deleted,
            "cursor": cursor,
        }
        return self.paginate(
            "accounts/{account_id}/cards", filters, count, account_id=account_id, max_count=CARDS_MAX_COUNT
        )

    def get_card(self, card_id: str, account_id: str | None = None) -> dict[str, Any]:
        """One card; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("card_id", card_id)
        return self._entity("GET", f"accounts/{{account_id}}/cards/{segment}", account_id)

    def create_card(
        self, name: str, components: list[dict[str, Any]], account_id: str | None = None
    ) -> dict[str, Any]:
        """``POST cards`` with a JSON body. Every call creates a new card, whatever its name.

        Not retried after a lost response (``AdsApiResponseLostError``): look for the name first.
        """
        body = {"name": check_card_name(name), "components": _components(components)}
        return self._entity("POST", "accounts/{account_id}/cards", account_id, json=body)

    def update_card(
        self,
        card_id: str,
        name: str | None = None,
        components: list[dict[str, Any]] | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Change a card's name and/or components (replaced whole)."""
        segment = path_segment("card_id", card_id)
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = check_card_name(name)
        if components is not None:
            body["components"] = _components(components)
        if not body:
            raise ValueError("update_card needs name or components")
        return self._entity("PUT", f"accounts/{{account_id}}/cards/{segment}", account_id, json=body)

    def delete_card(self, card_id: str, account_id: str | None = None) -> dict[str, Any]:
        """Delete a card; returns it with ``deleted: true``."""
        segment = path_segment("card_id", card_id)
        return self._entity("DELETE", f"accounts/{{account_id}}/cards/{segment}", account_id)

    # -- posts (Tweets) ---------------------------------------------------------------------------

    def list_tweets(
        self,
        account_id: str | None = None,
        *,
        tweet_ids: Iterable[str] | str | None = None,
        name: str | None = None,
        tweet_type: str = "PUBLISHED",
        timeline_type: str | None = None,
        user_id: str | None = None,
        count: int = MAX_COUNT,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's posts (``GET tweets``); ``name`` is a case-insensitive prefix.

        ``timeline_type`` (``ALL``, ``NULLCAST``, ``ORGANIC``) defaults to the API's NULLCAST,
        ``user_id`` to the FULL promotable user.
        """
        filters = {
            "tweet_type": check_choice("tweet_type", tweet_type, TWEET_TYPES),
            "timeline_type": check_choice("timeline_type", timeline_type, TIMELINE_TYPES)
            if timeline_type
            else None,
            "tweet_ids": _id_filter("tweet_ids", tweet_ids),
            "name": check_tweet_name(name) if name is not None else None,
            "user_id": entity_id(user_id, "user_id") if user_id is not None else None,
            "trim_user": True,
            "cursor": cursor,
        }
        return self.paginate("accounts/{account_id}/tweets", filters, count, account_id=account_id)

    def get_tweet(self, tweet_id: str, account_id: str | None = None, **filters: Any) -> dict[str, Any]:
        """One published post (any timeline); ``AdsApiNotFoundError`` when the account has none by that id."""
        wanted = entity_id(tweet_id, "tweet_id")
        filters.setdefault("timeline_type", "ALL")
        for tweet in self.list_tweets(account_id, tweet_ids=[wanted], **filters):
            return tweet
        raise AdsApiNotFoundError(
            f"post {wanted} was not found", method="GET", path="accounts/{account_id}/tweets"
        )

    def create_tweet(
        self,
        as_user_id: str,
        text: str | None = None,
        *,
        card_uri: str | None = None,
        media_keys: Iterable[str] | None = None,
        name: str | None = None,
        nullcast: bool = True,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """``POST tweet``: a published post as ``as_user_id`` (nullcast, promoted-only, by default).

        Give ``card_uri`` or ``media_keys`` (not both). Every call creates a new post; not retried
        after a lost response: look for its ``name`` first.
        """
        keys = [validate_media_key(key, "media_keys") for key in media_keys or ()]
        if card_uri is not None and keys:
            raise ValueError("create_tweet takes card_uri or media_keys, not both")
        params = {
            "as_user_id": entity_id(as_user_id, "as_user_id"),
            "text": check_post_text(text, has_media=bool(card_uri or keys)) or None,
            "card_uri": check_card_uri(card_uri) if card_uri is not None else None,
            "media_keys": format_list("media_keys", keys, MAX_TWEET_IMAGES) if keys else None,
            "name": check_tweet_name(name) if name is not None else None,
            "nullcast": bool(nullcast),
            "trim_user": True,
        }
        return self._entity("POST", "accounts/{account_id}/tweet", account_id, params)

    # -- promoted posts ---------------------------------------------------------------------------

    def list_promoted_tweets(
        self,
        account_id: str | None = None,
        *,
        line_item_ids: Iterable[str] | str | None = None,
        promoted_tweet_ids: Iterable[str] | str | None = None,
        count: int = MAX_COUNT,
        sort_by: str | None = None,
        with_deleted: bool | None = None,
        cursor: str | None = None,
    ) -> EntityPager:
        """The account's promoted posts (``GET promoted_tweets``)."""
        filters = {
            "line_item_ids": _id_filter("line_item_ids", line_item_ids),
            "promoted_tweet_ids": _id_filter("promoted_tweet_ids", promoted_tweet_ids),
            "sort_by": sort_by,
            "with_deleted": with_deleted,
            "cursor": cursor,
        }
        return self.paginate("accounts/{account_id}/promoted_tweets", filters, count, account_id=account_id)

    def get_promoted_tweet(self, promoted_tweet_id: str, account_id: str | None = None) -> dict[str, Any]:
        """One promoted post; ``AdsApiNotFoundError`` when it does not exist."""
        segment = path_segment("promoted_tweet_id", promoted_tweet_id)
        return self._entity("GET", f"accounts/{{account_id}}/promoted_tweets/{segment}", account_id)

    def create_promoted_tweets(
        self, line_item_id: str, tweet_ids: Iterable[str] | str, account_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Promote 1 to 50 posts on a line item; one promoted post each, every call anew.

        Not retried after a lost response: list the line item's promoted posts first.
        """
        params = {
            "line_item_id": entity_id(line_item_id, "line_item_id"),
            "tweet_ids": check_tweet_ids(tweet_ids),
        }
        payload = self.request(
            "POST", "accounts/{account_id}/promoted_tweets", params=params, account_id=account_id
        )
        data = payload.get("data")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise AdsApiError(
                f"the response has no list of promoted posts (got {type(data).__name__})",
                method="POST",
                path="accounts/{account_id}/promoted_tweets",
            )
        return data

    def delete_promoted_tweet(self, promoted_tweet_id: str, account_id: str | None = None) -> dict[str, Any]:
        """Delete a promoted post (they cannot be updated); returns it with ``deleted: true``."""
        segment = path_segment("promoted_tweet_id", promoted_tweet_id)
        return self._entity("DELETE", f"accounts/{{account_id}}/promoted_tweets/{segment}", account_id)

    def _entity(
        self,
        method: str,
        path: str,
        account_id: str | None,
        params: Mapping[str, Any] | None = None,
        *,
        json: Any = None,
    ) -> dict[str, Any]:
        """Send and return the response's ``data`` entity, checked: an object with its key (``id``;
        ``media_key`` for media library entries) present: a string, or a positive number for posts."""
        payload = self.request(method, path, params=params, json=json, account_id=account_id)
        data = payload.get("data")
        shown = path.replace("{account_id}", str(account_id or self.account_id))
        if not isinstance(data, dict):
            raise AdsApiMalformedResponseError(
                f"the response has no data entity (got {type(data).__name__})", method=method, path=shown
            )
        key = "media_key" if "/media_library" in path else "id"
        value = data.get(key)
        # Post (Tweet) ids are JSON numbers; every other entity id and media key is a string.
        usable_number = isinstance(value, int) and not isinstance(value, bool) and value > 0
        usable_text = isinstance(value, str) and value.strip() not in ("", "None", "null")
        if not (usable_number or usable_text):
            raise AdsApiMalformedResponseError(
                f"the response's data entity has no usable {key} (got {value!r})", method=method, path=shown
            )
        return data

    # -- media upload (the chunked upload of hooks.upload, sent through this hook) ------------------

    def upload_media(
        self,
        reader: Any,
        total_bytes: int,
        media_type: str,
        media_category: str,
        additional_owners: Iterable[str] | str | None = None,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        max_parallel_segments: int = 1,
        upload_api: str | None = None,
        head: bytes | None = None,
        journal: upload.UploadJournal | None = None,
    ) -> dict[str, Any]:
        """Upload media read through ``reader`` (``read_range(start, end) -> bytes``, and
        ``stream_range`` to stream each segment); with a ``journal``, resumably. See :mod:`.upload`
        (``head``: the object's first bytes, if already read, for the image signature check)."""
        return upload.upload_media(
            self,
            reader,
            total_bytes=total_bytes,
            media_type=media_type,
            media_category=media_category,
            additional_owners=additional_owners,
            segment_bytes=segment_bytes,
            max_parallel_segments=max_parallel_segments,
            upload_api=upload_api,
            head=head,
            journal=journal,
        )

    def get_upload_status(self, media_id: str, upload_api: str | None = None) -> dict[str, Any]:
        """The media's ``{"media_id", "media_key", "processing_info"}`` for either upload API version."""
        return upload.get_upload_status(self, media_id, upload_api)

    def wait_for_processing(
        self,
        media_id: str,
        upload_api: str | None = None,
        *,
        min_wait: float = 1.0,
        max_wait: float = 60.0,
        timeout: float = 3600.0,
    ) -> dict[str, Any]:
        """Check STATUS until processing succeeds; the final ``{"media_id", "media_key", "state",
        "progress_percent"}``. Raises ``MediaProcessingError`` on ``failed``, ``TimeoutError`` after
        ``timeout`` seconds."""
        status = upload.wait_for_processing(
            self, media_id, upload_api, min_wait=min_wait, max_wait=max_wait, timeout=timeout
        )
        return status.result()

    # -- Airflow integration ----------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """``GET accounts/:account_id`` with the connection's credentials: ``(ok, message)``."""
        try:
            config = self.config
            if not config.account_id:
                return False, "Set the account_id extra so the connection can be tested"
            url, shown = self._url("ads", "accounts/{account_id}", None)
            # Fail fast in the UI: one retry at most, no long rate-limit waits.
            settings = RetrySettings(
                max_attempts=2, backoff_base=0.5, backoff_cap=2.0, max_rate_limit_wait=5.0
            )
            payload = self._send("GET", url, shown, idempotent=True, settings=settings)
        except (AdsApiError, ValueError) as exc:
            return False, str(exc)
        account = payload.get("data")
        if not isinstance(account, dict) or not account.get("id"):
            return False, f"GET {shown} returned no account"
        name = account.get("name")
        described = f"{account['id']} ({name})" if name else str(account["id"])
        return True, f"Connected to ads account {described} with API version {config.api_version}"

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Form fields for the extras (Airflow 2; Airflow 3 reads ``conn-fields`` from provider info)."""
        try:
            from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
            from flask_babel import lazy_gettext
            from wtforms import PasswordField, StringField
        except ImportError:  # Airflow 3 without the FAB UI: the form comes from conn-fields.
            return {}
        widgets: dict[str, Any] = {}
        for name, spec in _connection_type_info()["conn-fields"].items():
            label = lazy_gettext(spec.get("label", name))
            if spec.get("schema", {}).get("format") == "password":
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget())
            else:
                widgets[name] = StringField(label, widget=BS3TextFieldWidget())
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Hidden, relabeled and placeholder fields, the same as the provider info declares."""
        return copy.deepcopy(_connection_type_info()["ui-field-behaviour"])


def _connection_type_info() -> dict[str, Any]:
    from airflow_provider_twitter_ads.get_provider_info import get_provider_info

    for entry in get_provider_info()["connection-types"]:
        if entry["connection-type"] == AdsApiHook.conn_type:
            return entry
    raise LookupError(f"provider info declares no {AdsApiHook.conn_type!r} connection type")


def _components(components: object) -> list[dict[str, Any]]:
    if not isinstance(components, list) or not components or not all(isinstance(c, dict) for c in components):
        raise ValueError(f"components must be a non-empty list of component dicts, got {components!r}")
    return [dict(component) for component in components]


def _id_filter(name: str, ids: Iterable[str] | str | None) -> str | None:
    return None if ids is None else format_list(name, ids)


def _transport_error(exc: requests.RequestException, method: str, path: str, timeout: float) -> AdsApiError:
    """``AdsApiConnectionError`` when the server was never reached, else ``AdsApiResponseLostError``."""
    import requests
    from urllib3.exceptions import ReadTimeoutError

    reason = _reason(exc)
    if isinstance(
        exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.ProxyError)
    ):
        return http_core.connection_error(reason, method, path)
    if isinstance(exc, requests.ReadTimeout) or any(isinstance(c, ReadTimeoutError) for c in _causes(exc)):
        return http_core.response_lost_error(
            f"no response within {timeout:g} s; the request may have been processed", method, path
        )
    if isinstance(exc, requests.ConnectionError) and _never_reached(exc):
        return http_core.connection_error(reason, method, path)
    if isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return http_core.response_lost_error(
            f"connection lost before a response ({reason}); the request may have been processed", method, path
        )
    return AdsApiError(f"request failed ({reason})", method=method, path=path)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    from urllib3.exceptions import MaxRetryError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        elif current.args and isinstance(current.args[0], BaseException):
            current = current.args[0]
        else:
            current = current.__cause__ or current.__context__


def _never_reached(exc: BaseException) -> bool:
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    return any(isinstance(cause, (NewConnectionError, ConnectTimeoutError)) for cause in _causes(exc))


def _reason(exc: BaseException) -> str:
    root = list(_causes(exc))[-1]
    text = str(root)
    # urllib3 prefixes its messages with the connection object; keep the human part.
    if ": " in text and text.startswith(("HTTPConnection", "HTTPSConnection", "<")):
        text = text.split(": ", 1)[1]
    return f"{type(root).__name__}: {text}" if text else type(root).__name__
