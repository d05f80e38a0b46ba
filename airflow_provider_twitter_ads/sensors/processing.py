"""Sensor that waits for X to finish processing an uploaded video or GIF."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any

from airflow_provider_twitter_ads.compat import (
    BaseSensorOperator,
    Context,
    PokeReturnValue,
    conf,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.ids import normalize_media_id
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger, status_from_event
from airflow_provider_twitter_ads.utils.processing import (
    MIN_WAIT_SECONDS,
    check_processing,
    validate_poll_before_defer,
    validate_wait_bounds,
)
from airflow_provider_twitter_ads.vocabulary import UPLOAD_APIS


class VideoProcessingSensor(BaseSensorOperator):
    """Wait until X has finished processing an uploaded video or GIF; return its final status.

    Images need no processing and return at once. A failed processing raises
    ``MediaProcessingError`` naming the media id and the API's error code, name and message; an
    unknown media id raises ``AdsApiNotFoundError`` at the first check.

    Between checks the sensor waits what the API's ``check_after_secs`` asks for, bounded to
    ``[min_poke_interval, poke_interval]``: ``poke_interval`` is the longest wait, not a fixed one.

    :param media_id: The 19-digit media id, or the dict ``UploadMediaOperator`` returns (templated).
    :param twitter_ads_conn_id: The ``twitter_ads`` connection.
    :param upload_api: ``"v2"`` or ``"v1.1"``; None uses the connection's ``upload_api``.
    :param deferrable: Wait in the triggerer instead of a worker slot; defaults to
        ``[operators] default_deferrable``.
    :param poke_interval: Longest wait between checks, seconds.
    :param min_poke_interval: Shortest wait between checks, seconds (raise it in reschedule mode
        to spare the scheduler).
    :param timeout: Seconds from the first check before the sensor fails (or skips with soft_fail).
    :param mode: ``"poke"`` (holds a worker slot) or ``"reschedule"`` (frees it between checks).
    :param poll_before_defer: Deferrable mode only: seconds the worker may keep checking before it
        defers (default 0: defer after the first check). Processing that ends within it never
        defers; the deferral's timeout is shortened by the time spent.
    :return: ``{"media_id", "media_key", "state", "progress_percent"}``.
    """

    template_fields: Sequence[str] = ("media_id",)
    ui_color = "#d5e8f5"

    def __init__(
        self,
        *,
        media_id: str | Mapping[str, Any],
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        upload_api: str | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: timedelta | float = 60.0,
        min_poke_interval: float = MIN_WAIT_SECONDS,
        timeout: timedelta | float = 60.0 * 60,
        mode: str = "poke",
        poll_before_defer: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=poke_interval, timeout=timeout, mode=mode, **kwargs)
        self.poll_before_defer = validate_poll_before_defer(poll_before_defer)
        validate_wait_bounds(min_poke_interval, self.poke_interval, ("min_poke_interval", "poke_interval"))
        if upload_api is not None and upload_api not in UPLOAD_APIS:
            raise ValueError(f"upload_api must be 'v2', 'v1.1' or None, got {upload_api!r}")
        if _is_literal(media_id):
            # A literal id is checked now, when the DAG is parsed; templates and XComArgs at run time.
            normalize_media_id(media_id)
        self.media_id = media_id
        self.twitter_ads_conn_id = twitter_ads_conn_id
        self.upload_api = upload_api
        self.deferrable = deferrable
        self.min_poke_interval = float(min_poke_interval)
        # poke() lowers or raises poke_interval to the API's hint; this is the caller's cap.
        self.max_poke_interval = float(self.poke_interval)

    @cached_property
    def hook(self) -> AdsApiHook:
        return AdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        # Check once in the worker: finished media (images, short clips) never needs the triggerer.
        checked = self.poke(context)
        first_checked = time.monotonic()
        # Keep checking here while the next check still fits in poll_before_defer (and timeout):
        # processing that ends soon then never defers, so it cannot meet apache/airflow#67287 (a
        # trigger firing before the deferring worker has exited sends the sensor to retry).
        window = min(self.poll_before_defer, self.timeout)
        spent = 0.0
        while not checked.is_done and spent + self.poke_interval <= window:
            time.sleep(self.poke_interval)
            checked = self.poke(context)
            spent = time.monotonic() - first_checked
        if checked.is_done:
            return checked.xcom_value
        if spent:
            self.log.info("Still processing after %.1f s of checks in the worker; deferring", spent)
        self.defer(
            trigger=VideoProcessingTrigger(
                media_id=normalize_media_id(self.media_id),
                twitter_ads_conn_id=self.twitter_ads_conn_id,
                min_poll_interval=self.min_poke_interval,
                max_poll_interval=self.max_poke_interval,
                upload_api=self.upload_api,
                first_check_after=self.poke_interval,
            ),
            method_name="execute_complete",
            # timeout counts from the first check: the worker's extra checks used part of it.
            timeout=timedelta(seconds=max(self.timeout - spent, 0.0)),
        )

    def poke(self, context: Context) -> PokeReturnValue:
        """Check the status once; done when processing succeeded, raise when it failed."""
        media_id = normalize_media_id(self.media_id)
        status = check_processing(self.hook.get_upload_status(media_id, upload_api=self.upload_api))
        if status.succeeded:
            self.log.info("%s", status.describe())
            return PokeReturnValue(is_done=True, xcom_value=status.result())
        if not self.exponential_backoff:
            # The base class sleeps (poke mode) or reschedules (reschedule mode) for poke_interval.
            self.poke_interval = status.next_wait(self.min_poke_interval, self.max_poke_interval)
        self.log.info("%s; next check in %.1f s", status.describe(), self.poke_interval)
        return PokeReturnValue(is_done=False)

    def execute_complete(self, context: Context, event: Mapping[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: return the result, or raise the error the trigger reported."""
        status = status_from_event(event)
        self.log.info("%s", status.describe())
        return status.result()

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context) -> Any:
        # The base class turns every AirflowException raised after deferral into a skip when
        # soft_fail is set. A failed processing or an API error must fail the task as it does in
        # poke mode; soft_fail still skips on timeout, which arrives through the base path.
        if next_method == "execute_complete" and not getattr(self, "never_fail", False):
            return self.execute_complete(context, **(next_kwargs or {}))
        return super().resume_execution(next_method, next_kwargs, context)


def _is_literal(value: Any) -> bool:
    """Whether ``value`` is already the final media id (not a template or an XComArg)."""
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    if isinstance(value, Mapping):
        return "media_id" not in value or _is_literal(value["media_id"])
    return value is None or isinstance(value, (int, float))
