"""Trigger that waits in the triggerer for server-side media processing to finish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

from airflow_provider_twitter_ads.compat import AirflowException, BaseTrigger, TriggerEvent
from airflow_provider_twitter_ads.exceptions import MediaProcessingError, describe_error, rebuild_error
from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
from airflow_provider_twitter_ads.ids import normalize_media_id
from airflow_provider_twitter_ads.utils.processing import (
    MIN_WAIT_SECONDS,
    ProcessingStatus,
    check_processing,
    read_status,
    validate_wait_bounds,
)

EVENT_SUCCESS = "success"
EVENT_FAILED = "failed"
EVENT_ERROR = "error"


class VideoProcessingTrigger(BaseTrigger):
    """Polls the media's processing status until it succeeds or fails; fires one event.

    Between checks it waits the API's ``check_after_secs``, bounded to
    ``[min_poll_interval, max_poll_interval]``. Rate limits and transient errors are waited out and
    retried by :class:`AsyncAdsApiHook`. The event is ``{"status": "success" | "failed" | "error",
    "media_id", "message"}`` plus ``status_payload`` (the last status, for success and failed) or
    ``error`` (a description of the API error, for error).

    :param media_id: The 19-digit media id (or the dict ``UploadMediaOperator`` returns).
    :param twitter_ads_conn_id: The ``twitter_ads`` connection; read in the triggerer.
    :param min_poll_interval: Shortest wait between checks, seconds.
    :param max_poll_interval: Longest wait between checks, seconds.
    :param upload_api: ``"v2"`` or ``"v1.1"``; None uses the connection's setting.
    :param first_check_after: Seconds to wait before the first check (the task has just checked).
    """

    def __init__(
        self,
        media_id: str,
        twitter_ads_conn_id: str = AsyncAdsApiHook.default_conn_name,
        min_poll_interval: float = MIN_WAIT_SECONDS,
        max_poll_interval: float = 60.0,
        upload_api: str | None = None,
        first_check_after: float = 0.0,
    ) -> None:
        super().__init__()
        validate_wait_bounds(min_poll_interval, max_poll_interval, ("min_poll_interval", "max_poll_interval"))
        if first_check_after < 0:
            raise ValueError(f"first_check_after must not be negative, got {first_check_after!r}")
        self.media_id = normalize_media_id(media_id)
        self.twitter_ads_conn_id = twitter_ads_conn_id
        self.min_poll_interval = float(min_poll_interval)
        self.max_poll_interval = float(max_poll_interval)
        self.upload_api = upload_api
        self.first_check_after = float(first_check_after)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and the ids and timings needed to rebuild the trigger; no credentials."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "media_id": self.media_id,
                "twitter_ads_conn_id": self.twitter_ads_conn_id,
                "min_poll_interval": self.min_poll_interval,
                "max_poll_interval": self.max_poll_interval,
                "upload_api": self.upload_api,
                "first_check_after": self.first_check_after,
            },
        )

    def _hook(self) -> AsyncAdsApiHook:
        return AsyncAdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Yield exactly one event, then return."""
        yield await self._wait_for_processing()

    async def _wait_for_processing(self) -> TriggerEvent:
        # The session is closed before the event is yielded: the triggerer may never resume us.
        try:
            async with self._hook() as hook:
                if self.first_check_after:
                    await asyncio.sleep(self.first_check_after)
                while True:
                    payload = await hook.get_upload_status(self.media_id, upload_api=self.upload_api)
                    try:
                        status = check_processing(payload)
                    except MediaProcessingError as failed:
                        return self._event(EVENT_FAILED, str(failed), status_payload=payload)
                    if status.succeeded:
                        return self._event(EVENT_SUCCESS, status.describe(), status_payload=payload)
                    wait = status.next_wait(self.min_poll_interval, self.max_poll_interval)
                    self.log.info("%s; checking again in %.1f s", status.describe(), wait)
                    await asyncio.sleep(wait)
        except Exception as error:  # an event keeps the API's code and message for the task log
            self.log.error("Waiting for media %s failed: %s", self.media_id, error)
            return self._event(EVENT_ERROR, str(error), error=describe_error(error))

    def _event(self, status: str, message: str, **extra: Any) -> TriggerEvent:
        return TriggerEvent({"status": status, "media_id": self.media_id, "message": message, **extra})


def status_from_event(event: Mapping[str, Any]) -> ProcessingStatus:
    """The succeeded status a :class:`VideoProcessingTrigger` event carries, or the error it reports.

    A ``failed`` event raises ``MediaProcessingError`` with the API's code, name and message; an
    ``error`` event raises the API error the trigger met, rebuilt with its status and codes.
    """
    kind = event.get("status")
    if kind == EVENT_SUCCESS:
        return read_status(event["status_payload"])
    if kind == EVENT_FAILED:
        raise read_status(event["status_payload"]).processing_error()
    if kind == EVENT_ERROR:
        raise rebuild_error(event.get("error") or {"message": event.get("message")})
    raise AirflowException(f"Unexpected event from VideoProcessingTrigger: {dict(event)!r}")
