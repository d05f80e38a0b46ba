"""``UploadMediaOperator``: stream an S3 object into the X media upload API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from airflow_provider_twitter_ads.compat import BaseOperator, Context, conf
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.s3_reader import S3RangeReader, parse_s3_uri, resolve_s3_location
from airflow_provider_twitter_ads.hooks.upload import UploadJournal, poll_processing
from airflow_provider_twitter_ads.lineage import Lineage, upload_lineage, x_ads_namespace
from airflow_provider_twitter_ads.operators.base import ReportsLineage
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger, status_from_event
from airflow_provider_twitter_ads.utils.processing import (
    MIN_WAIT_SECONDS,
    ProcessingStatus,
    check_processing,
    validate_poll_before_defer,
    validate_wait_bounds,
)
from airflow_provider_twitter_ads.utils.segments import DEFAULT_SEGMENT_BYTES, plan_segments
from airflow_provider_twitter_ads.utils.sniff import HEAD_BYTES, image_dimensions, infer_media_type
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.utils.upload_protocol import (
    normalize_additional_owners,
    resolve_upload_api,
    validate_parallelism,
)
from airflow_provider_twitter_ads.vocabulary import (
    MediaCategory,
    check_upload_api,
    get_media_category,
    normalize_media_type,
)


class UploadMediaOperator(ReportsLineage, BaseOperator):
    """Upload one S3 object (image, GIF or video) to the X media upload API, in bounded memory.

    The object is read in ranged segments and each APPEND streams its segment from S3 to the socket
    in 256 KiB blocks: neither the object nor a segment is ever held whole, and nothing is written
    to disk. Every check (location, category, media type, size) runs before the
    first request to the upload API. Where Airflow gives the task a ``task_state_store`` (3.3+), a
    chunked upload records its session there, and a retry after the worker died continues it
    (see the upload page of the docs, "Resuming after a worker dies").

    :param s3_bucket: the bucket; give it with ``s3_key``, or give ``s3_uri`` instead.
    :param s3_key: the object's key.
    :param s3_uri: ``s3://bucket/key``.
    :param aws_conn_id: the AWS connection to read S3 with.
    :param media_category: ``tweet_image``, ``dm_image``, ``tweet_gif``, ``dm_gif``,
        ``tweet_video``, ``dm_video`` or ``amplify_video``.
    :param media_type: the MIME type; default: S3's Content-Type if specific, else the key's
        extension, else the file's first bytes.
    :param additional_owners: user ids (list or comma-separated string) that may also use the media.
    :param segment_bytes: bytes per APPEND (at most 5 MiB; grown if the object needs more than 1,000).
    :param max_parallel_segments: APPENDs in flight at once (1 to 16).
    :param upload_api: ``v2`` or ``v1.1``; default: the connection's ``upload_api`` (``v2``).
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param wait_for_processing: after the upload, wait until X has processed a video or GIF (as
        ``VideoProcessingSensor`` does), so one task hands on usable media.
    :param deferrable: with ``wait_for_processing``, wait in the triggerer instead of the worker;
        defaults to ``[operators] default_deferrable``.
    :param poll_interval: longest wait between processing checks, seconds; the API's
        ``check_after_secs`` is followed within ``[min_poll_interval, poll_interval]``.
    :param min_poll_interval: shortest wait between processing checks, seconds.
    :param processing_timeout: seconds to wait for processing before failing.
    :param poll_before_defer: deferrable waits only: seconds the worker may keep checking after
        FINALIZE before it defers (default 0: defer at once). Processing that ends within it never
        defers; the deferral's timeout is ``processing_timeout`` less the time spent.
    :return: ``{"media_id", "media_key", "media_category", "media_type", "total_bytes", "width",
        "height", "processing_info", "s3_uri"}`` (width and height for images, else None); with
        ``wait_for_processing``, ``processing_info`` is the final one (``state`` ``succeeded``).
    """

    template_fields: Sequence[str] = (
        "s3_bucket",
        "s3_key",
        "s3_uri",
        "media_category",
        "media_type",
        "additional_owners",
    )
    ui_color = "#d6eaf8"

    def __init__(
        self,
        *,
        s3_bucket: str | None = None,
        s3_key: str | None = None,
        s3_uri: str | None = None,
        aws_conn_id: str | None = "aws_default",
        media_category: str,
        media_type: str | None = None,
        additional_owners: list[str] | str | None = None,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        max_parallel_segments: int = 1,
        upload_api: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        wait_for_processing: bool = False,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = 60.0,
        min_poll_interval: float = MIN_WAIT_SECONDS,
        processing_timeout: float = 3600.0,
        poll_before_defer: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.poll_before_defer = validate_poll_before_defer(poll_before_defer)
        self.s3_bucket = s3_bucket
        self.s3_key = s3_key
        self.s3_uri = s3_uri
        self.aws_conn_id = aws_conn_id
        self.media_category = media_category
        self.media_type = media_type
        self.additional_owners = additional_owners
        # The numbers and the API version are not templated: check them when the DAG is parsed.
        plan_segments(1, segment_bytes)
        self.segment_bytes = segment_bytes
        self.max_parallel_segments = validate_parallelism(max_parallel_segments)
        self.upload_api = check_upload_api(upload_api) if upload_api is not None else None
        self.twitter_ads_conn_id = twitter_ads_conn_id
        validate_wait_bounds(min_poll_interval, poll_interval, ("min_poll_interval", "poll_interval"))
        if processing_timeout <= 0:
            raise ValueError(f"processing_timeout must be positive, got {processing_timeout!r}")
        self.wait_for_processing = wait_for_processing
        self.deferrable = deferrable
        self.poll_interval = float(poll_interval)
        self.min_poll_interval = float(min_poll_interval)
        self.processing_timeout = float(processing_timeout)

    def execute(self, context: Context) -> dict[str, Any]:
        bucket, key = resolve_s3_location(self.s3_uri, self.s3_bucket, self.s3_key)
        category = get_media_category(self.media_category)
        owners = normalize_additional_owners(self.additional_owners)
        given_type = normalize_media_type(self.media_type) if self.media_type else None

        with S3RangeReader.open(bucket, key, aws_conn_id=self.aws_conn_id) as reader:
            if reader.size == 0:
                raise ValueError(f"{reader.uri} is empty (0 bytes): there is nothing to upload")
            head = _Head(reader)
            media_type = given_type or self._infer_media_type(reader, head, category)
            category.check(media_type, reader.size)
            plan_segments(reader.size, self.segment_bytes)
            width, height = self._dimensions(reader, head, media_type)
            hook = AdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)
            upload_api = resolve_upload_api(self.upload_api, hook.upload_api)
            self.log.info(
                "Uploading %s (%d bytes, %s) as %s through the %s upload API",
                reader.uri,
                reader.size,
                media_type,
                category.name,
                upload_api,
            )
            uploaded = hook.upload_media(
                reader,
                reader.size,
                media_type,
                category.name,
                additional_owners=owners,
                segment_bytes=self.segment_bytes,
                max_parallel_segments=self.max_parallel_segments,
                upload_api=upload_api,
                # Read for the dimensions already: the hook checks an image's signature in it.
                head=head.read() if category.kind != "video" else None,
                journal=UploadJournal(TaskState.of(context), reader.uri, reader.etag),
            )
            self.log.info("Read %s with %d S3 GET request(s)", reader.uri, reader.get_requests)
        result = self._result(uploaded, category, media_type, reader, width, height)
        namespace = x_ads_namespace(hook.config.ads_api_url)
        self._lineage = _lineage_of(namespace, result)
        if not self.wait_for_processing:
            return result
        status = check_processing(result)
        if status.succeeded:
            return self._with_final_status(result, status)
        if self.deferrable:
            # Keep checking here while the next check fits in poll_before_defer (and the timeout):
            # processing that ends soon then never defers, so it cannot meet apache/airflow#67287
            # (a trigger firing before the deferring worker has exited sends the task to retry).
            spent = 0.0
            window = min(self.poll_before_defer, self.processing_timeout)
            if window:
                status, spent = poll_processing(
                    hook,
                    result["media_id"],
                    upload_api,
                    min_wait=self.min_poll_interval,
                    max_wait=self.poll_interval,
                    within=window,
                    checked=status,
                )
                if status.succeeded:
                    return self._with_final_status(result, status)
                self.log.info("Still processing after %.1f s of checks in the worker; deferring", spent)
            self.defer(
                trigger=VideoProcessingTrigger(
                    media_id=result["media_id"],
                    twitter_ads_conn_id=self.twitter_ads_conn_id,
                    min_poll_interval=self.min_poll_interval,
                    max_poll_interval=self.poll_interval,
                    upload_api=upload_api,
                    first_check_after=status.next_wait(self.min_poll_interval, self.poll_interval),
                ),
                method_name="execute_complete",
                kwargs={"uploaded": result, "lineage_namespace": namespace},
                # processing_timeout counts from FINALIZE: the worker's checks used part of it.
                timeout=timedelta(seconds=max(self.processing_timeout - spent, 0.0)),
            )
        final = hook.wait_for_processing(
            result["media_id"],
            upload_api,
            min_wait=self.min_poll_interval,
            max_wait=self.poll_interval,
            timeout=self.processing_timeout,
        )
        return _with_processing(result, final["state"], final["progress_percent"])

    def execute_complete(
        self,
        context: Context,
        event: Mapping[str, Any],
        uploaded: dict[str, Any],
        lineage_namespace: str | None = None,
    ) -> dict[str, Any]:
        """Resume after the processing trigger: the upload's result with the final processing_info."""
        if lineage_namespace is not None:
            self._lineage = _lineage_of(lineage_namespace, uploaded)
        status = status_from_event(event)
        self.log.info("%s", status.describe())
        return self._with_final_status(uploaded, status)

    @staticmethod
    def _with_final_status(result: dict[str, Any], status: ProcessingStatus) -> dict[str, Any]:
        if not status.needs_processing:
            return result
        return _with_processing(result, status.state, status.progress_percent)

    def _infer_media_type(self, reader: S3RangeReader, head: _Head, category: MediaCategory) -> str:
        found = infer_media_type(reader.content_type, reader.key, head.read)
        if found is None:
            raise ValueError(
                f"media_type of {reader.uri} could not be inferred (Content-Type {reader.content_type!r}, "
                f"no known extension or file signature); pass media_type, one of "
                f"{', '.join(sorted(category.media_types))}"
            )
        media_type, source = found
        self.log.info("media_type %s inferred from the object's %s", media_type, source.replace("_", "-"))
        return media_type

    @staticmethod
    def _dimensions(reader: S3RangeReader, head: _Head, media_type: str) -> tuple[int | None, int | None]:
        if not media_type.startswith("image/"):
            return None, None
        found = image_dimensions(reader, reader.size, head.read())
        return found if found is not None else (None, None)

    @staticmethod
    def _result(
        uploaded: dict[str, Any],
        category: MediaCategory,
        media_type: str,
        reader: S3RangeReader,
        width: int | None,
        height: int | None,
    ) -> dict[str, Any]:
        return {
            "media_id": str(uploaded["media_id"]),
            "media_key": uploaded["media_key"],
            "media_category": category.name,
            "media_type": media_type,
            "total_bytes": reader.size,
            "width": width,
            "height": height,
            "processing_info": uploaded.get("processing_info"),
            "s3_uri": reader.uri,
        }


def _lineage_of(namespace: str, result: Mapping[str, Any]) -> Lineage:
    bucket, key = parse_s3_uri(result["s3_uri"])
    return upload_lineage(
        namespace, bucket=bucket, key=key, media_key=result["media_key"], total_bytes=result["total_bytes"]
    )


def _with_processing(result: dict[str, Any], state: str, progress_percent: int | None) -> dict[str, Any]:
    return {**result, "processing_info": {"state": state, "progress_percent": progress_percent}}


class _Head:
    """The object's first bytes, read once and only if something needs them."""

    def __init__(self, reader: S3RangeReader) -> None:
        self._reader = reader
        self._bytes: bytes | None = None

    def read(self) -> bytes:
        if self._bytes is None:
            self._bytes = self._reader.read_range(0, min(HEAD_BYTES, self._reader.size))
        return self._bytes
