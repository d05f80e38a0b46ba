"""Runs the preroll and display pipelines as Airflow would, and checks the emulator's state afterwards.

A pipeline is a chain of tasks whose inputs are the upstream tasks' return values (their XComs).
Each task is run the way Airflow runs a task with ``retries=N``: on an exception the same task, a
fresh operator built with the same arguments, runs again, up to ``N + 1`` tries in all; the
upstream values stay the same. Nothing here knows how the operators work inside.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.emulator.ads.models import media_url
from airflow_provider_twitter_ads.exceptions import AdsApiError
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS

#: Airflow task retries, as a user would set them on every task of the DAG.
TASK_RETRIES = 3
PREROLL_LINE_ITEM = "8v7jr"  # PREROLL_VIEWS (MEDIA): the only kind taking pre-roll call-to-actions
DISPLAY_LINE_ITEM = "8v7jo"  # WEBSITE_CLICKS
LANDING_URL = "https://example.com/landing?utm_source=chaos"


# -- assets -----------------------------------------------------------------------------------------


@dataclass
class Asset:
    """One S3 object and what the pipeline should make of it."""

    pipeline: str  # "preroll" or "display"
    s3_key: str
    data: bytes
    creative_type: str
    # One id is passed as a string, several as a list (one media creative each).
    line_item_id: str | list[str]
    landing_url: str | None = None
    # (call_to_action, call_to_action_url) for PREROLL, set on each line item.
    call_to_action: tuple[str, str] | None = None

    @property
    def line_item_ids(self) -> list[str]:
        return list(self.line_item_id) if isinstance(self.line_item_id, list) else [self.line_item_id]

    @property
    def sha256(self) -> str:
        return samples.sha256(self.data)


def make_assets(
    run: int,
    rng: random.Random,
    video_bytes: int,
    *,
    display_line_items: list[str] | None = None,
    call_to_action: tuple[str, str] | None = None,
) -> list[Asset]:
    """The two assets of run ``run``: an amplify video and a display-size PNG.

    ``display_line_items``: attach the image to these line items (a list) instead of 8v7jo alone;
    ``call_to_action``: set this preroll call-to-action on the video's line item.
    """
    creative_type = sorted(DISPLAY_CREATIVE_TYPE_DIMENSIONS)[run % len(DISPLAY_CREATIVE_TYPE_DIMENSIONS)]
    width, height = DISPLAY_CREATIVE_TYPE_DIMENSIONS[creative_type]
    return [
        Asset(
            "preroll",
            f"runs/{run}/preroll.mp4",
            samples.mp4(video_bytes, seed=rng.getrandbits(64)),
            "PREROLL",
            PREROLL_LINE_ITEM,
            call_to_action=call_to_action,
        ),
        Asset(
            "display",
            f"runs/{run}/display-{width}x{height}.png",
            samples.png(width, height, salt=f"run {run} {rng.random()}".encode()),
            creative_type,
            display_line_items if display_line_items is not None else DISPLAY_LINE_ITEM,
            LANDING_URL,
        ),
    ]


# -- running tasks ----------------------------------------------------------------------------------


@dataclass
class TaskRun:
    """One task of one DAG run: how many tries it took and what it returned or raised last."""

    task_id: str
    tries: int = 0
    result: Any = None
    error: BaseException | None = None
    errors: list[BaseException] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def run_task(task_id: str, build: Callable[[], Any], context: Mapping[str, Any] | None = None) -> TaskRun:
    """Run ``build()``'s operator like Airflow with its ``retries``: a fresh operator per try."""
    run = TaskRun(task_id)
    operator = build()
    for try_number in range(1, operator.retries + 2):
        if try_number > 1:
            operator = build()
        run.tries = try_number
        try:
            run.result = operator.execute(dict(context or {}))
        except Exception as exc:  # Airflow fails the try on any exception
            run.errors.append(exc)
            continue
        run.error = None
        return run
    run.error = run.errors[-1]
    return run


@dataclass
class AssetOutcome:
    """What one pipeline run reported for one asset."""

    asset: Asset
    tasks: list[TaskRun] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.tasks) and all(task.ok for task in self.tasks) and self.creative is not None

    @property
    def failed_task(self) -> TaskRun | None:
        return next((task for task in self.tasks if not task.ok), None)

    def result(self, task_id: str) -> Any:
        return next(task.result for task in self.tasks if task.task_id == task_id)

    @property
    def upload(self) -> dict[str, Any] | None:
        return self._ok_result("upload")

    @property
    def account_media(self) -> dict[str, Any] | None:
        return self._ok_result("account_media")

    @property
    def creative(self) -> dict[str, Any] | list[dict[str, Any]] | None:
        return self._ok_result("media_creative")

    @property
    def creatives(self) -> list[dict[str, Any]]:
        """The media creatives the run reported, one per line item."""
        creative = self.creative
        if creative is None:
            return []
        return list(creative) if isinstance(creative, list) else [creative]

    def _ok_result(self, task_id: str) -> Any:
        for task in self.tasks:
            if task.task_id == task_id and task.ok:
                return task.result
        return None

    @property
    def retries(self) -> int:
        return sum(max(task.tries - 1, 0) for task in self.tasks)


@dataclass
class PipelineSettings:
    """Operator arguments the tests tune (small segments exercise APPEND; short waits keep runs fast)."""

    bucket: str
    conn_id: str = "twitter_ads_default"
    retries: int = TASK_RETRIES
    segment_bytes: int = 64 * 1024
    max_parallel_segments: int = 1
    upload_api: str | None = None
    sensor_timeout: float = 30.0
    account_media_timeout: float = 10.0


def run_pipeline(asset: Asset, settings: PipelineSettings, run_id: str = "manual") -> AssetOutcome:
    """Run ``asset``'s pipeline task after task, stopping at the first task that fails for good."""
    outcome = AssetOutcome(asset)
    common = {"retries": settings.retries, "twitter_ads_conn_id": settings.conn_id}
    context = {"run_id": run_id}
    category = "amplify_video" if asset.pipeline == "preroll" else "tweet_image"

    def step(task_id: str, build: Callable[[], Any]) -> Any:
        task = run_task(task_id, build, context)
        outcome.tasks.append(task)
        return task.result if task.ok else _Stop

    upload = step(
        "upload",
        lambda: UploadMediaOperator(
            task_id="upload",
            s3_bucket=settings.bucket,
            s3_key=asset.s3_key,
            media_category=category,
            segment_bytes=settings.segment_bytes,
            max_parallel_segments=settings.max_parallel_segments,
            upload_api=settings.upload_api,
            **common,
        ),
    )
    if upload is _Stop:
        return outcome
    if asset.pipeline == "preroll":
        processed = step(
            "wait_for_processing",
            lambda: VideoProcessingSensor(
                task_id="wait_for_processing",
                media_id=upload,
                mode="poke",
                deferrable=False,
                poke_interval=0.2,
                min_poke_interval=0.05,
                timeout=settings.sensor_timeout,
                upload_api=settings.upload_api,
                **common,
            ),
        )
        if processed is _Stop:
            return outcome
    account_media = step(
        "account_media",
        lambda: CreateAccountMediaOperator(
            task_id="account_media",
            media_key=upload,
            creative_type="PREROLL" if asset.pipeline == "preroll" else None,
            timeout=settings.account_media_timeout,
            **common,
        ),
    )
    if account_media is _Stop:
        return outcome
    step(
        "media_creative",
        lambda: AttachMediaCreativeOperator(
            task_id="media_creative",
            account_media_id=account_media,
            line_item_id=asset.line_item_id,
            landing_url=asset.landing_url,
            call_to_action=asset.call_to_action[0] if asset.call_to_action else None,
            call_to_action_url=asset.call_to_action[1] if asset.call_to_action else None,
            **common,
        ),
    )
    return outcome


class _Stop:
    """Marks a task that failed for good: the DAG run's downstream tasks do not run."""


# -- checking the emulator's state ---------------------------------------------------------------


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and its causes / contexts, each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def api_error_in(error: BaseException) -> AdsApiError | None:
    """The first ``AdsApiError`` in ``error``'s chain."""
    return next((e for e in exception_chain(error) if isinstance(e, AdsApiError)), None)


def carries_api_error(error: BaseException) -> bool:
    """Whether ``error`` reports the API's own error: its code or message, or a lost response."""
    api_error = api_error_in(error)
    if api_error is None:
        return False
    text = str(error)
    if api_error.status_code is None:
        # No response came back: there is no API error to carry, only what happened.
        return bool(str(api_error))
    described = [e for e in api_error.errors if e.get("code") or e.get("message")]
    if not described:
        return str(api_error.status_code) in text
    return any(
        (e.get("code") and e["code"] in text) or (e.get("message") and e["message"] in text)
        for e in described
    )


@dataclass
class Totals:
    """Counters over a whole chaos session."""

    runs: int = 0
    assets: int = 0
    done: int = 0
    failed: int = 0
    task_retries: int = 0
    duplicates: int = 0
    lost: int = 0
    # Tasks run at the same time as others creating the same entity (tests/chaos/test_concurrency_chaos.py).
    concurrent: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    failures_by_error: Counter[str] = field(default_factory=Counter)

    def add(self, other: Totals) -> None:
        for name in ("runs", "assets", "done", "failed", "task_retries", "duplicates", "lost", "concurrent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.faults.update(other.faults)
        self.failures_by_error.update(other.failures_by_error)

    def lines(self) -> list[str]:
        faults = ", ".join(f"{kind}={n}" for kind, n in sorted(self.faults.items())) or "none"
        failures = ", ".join(f"{kind}={n}" for kind, n in sorted(self.failures_by_error.items())) or "none"
        return [
            f"runs={self.runs} assets={self.assets} done={self.done} failed={self.failed} "
            f"task_retries={self.task_retries} concurrent={self.concurrent} duplicates={self.duplicates} "
            f"lost={self.lost}",
            f"faults injected: {faults}",
            f"failed assets by error: {failures}",
        ]


def check_outcomes(
    emulator: AdsApiEmulator,
    outcomes: list[AssetOutcome],
    totals: Totals | None = None,
    *,
    media_library: bool = True,
) -> list[str]:
    """Every broken promise, as one line each: duplicates, lost assets, wrong bytes, silent failures.

    ``media_library``: the API version has one (v5+), so each done asset has exactly one entry there;
    older versions create account media directly and the library stays empty.
    """
    totals = totals if totals is not None else Totals()
    problems: list[str] = []
    with emulator.state.lock:
        media = {key: record for key, record in emulator.state.media.items()}
        library = [dict(e) for e in emulator.state.table("media_library").values()]
        account_media = [dict(e) for e in emulator.state.table("account_media").values()]
        creatives = [dict(e) for e in emulator.state.table("media_creatives").values()]
        ctas = [dict(e) for e in emulator.state.table("preroll_call_to_actions").values()]

    digests = {outcome.asset.sha256: outcome.asset for outcome in outcomes}
    for record in media.values():
        if record.sha256 is not None and record.sha256 not in digests:
            problems.append(
                f"media {record.media_key} holds bytes (sha256 {record.sha256[:12]}...) that match no S3 object"
            )

    # A call-to-action belongs to a line item: every run that sets one shares it (created once, then updated).
    ctas_by_line_item = Counter(e["line_item_id"] for e in ctas if not e.get("deleted"))
    for line_item_id, count in sorted(ctas_by_line_item.items()):
        if count > 1:
            totals.duplicates += count - 1
            problems.append(f"line item {line_item_id}: duplicates: {count} live preroll call-to-actions")
    wanted_ctas = {
        line_item_id: o.asset.call_to_action
        for o in outcomes
        if o.asset.call_to_action and o.done
        for line_item_id in o.asset.line_item_ids
    }
    for line_item_id, (action, url) in wanted_ctas.items():
        live = [e for e in ctas if e["line_item_id"] == line_item_id and not e.get("deleted")]
        if [(e["call_to_action"], e["call_to_action_url"]) for e in live] != [(action, url)]:
            problems.append(f"line item {line_item_id}: expected call-to-action {action} {url}, found {live}")

    # Image account media carry no media_key by default (Account Media docs): their media_url,
    # which the emulator derives from the uploaded media (with or without a library entry, as on
    # API v4), names their media.
    key_by_url = {url: key for key, record in media.items() if (url := media_url(record))}
    key_by_url.update({e["media_url"]: e["media_key"] for e in library if e.get("media_url")})

    def media_key_of(entity: dict[str, Any]) -> str | None:
        return entity.get("media_key") or key_by_url.get(entity.get("media_url"))

    for outcome in outcomes:
        asset = outcome.asset
        label = f"{asset.pipeline} asset {asset.s3_key}"
        keys = {key for key, record in media.items() if record.sha256 == asset.sha256}
        live_library = [e for e in library if e["media_key"] in keys and not e.get("deleted")]
        live_media = [e for e in account_media if media_key_of(e) in keys and not e.get("deleted")]
        by_type = Counter(e["creative_type"] for e in live_media)
        media_ids = {e["id"] for e in live_media}
        live_creatives = [e for e in creatives if e["account_media_id"] in media_ids and not e.get("deleted")]
        by_line_item = Counter((e["account_media_id"], e["line_item_id"]) for e in live_creatives)

        extra = max(len(live_library) - 1, 0)
        extra += sum(n - 1 for n in by_type.values() if n > 1)
        extra += sum(n - 1 for n in by_line_item.values() if n > 1)
        if extra:
            totals.duplicates += extra
            problems.append(
                f"{label}: duplicates: {len(live_library)} media library entries, account media by type "
                f"{dict(by_type)}, media creatives by (account media, line item) {dict(by_line_item)}"
            )

        totals.task_retries += outcome.retries
        if outcome.done:
            totals.done += 1
            problems.extend(
                _check_done(outcome, media, live_library, live_media, live_creatives, label, media_library)
            )
            continue
        failed = outcome.failed_task
        if failed is None or failed.error is None or not carries_api_error(failed.error):
            totals.lost += 1
            error = None if failed is None else failed.error
            problems.append(
                f"{label}: lost: neither done nor failed with the API's error "
                f"(task {getattr(failed, 'task_id', None)}: {type(error).__name__}: {error})"
            )
            continue
        totals.failed += 1
        api_error = api_error_in(failed.error)
        kind = type(api_error).__name__ if api_error is not None else type(failed.error).__name__
        totals.failures_by_error[f"{failed.task_id}:{kind}"] += 1
    totals.assets += len(outcomes)
    return problems


def _check_done(
    outcome: AssetOutcome,
    media: Mapping[str, Any],
    live_library: list[dict[str, Any]],
    live_media: list[dict[str, Any]],
    live_creatives: list[dict[str, Any]],
    label: str,
    media_library: bool,
) -> list[str]:
    asset = outcome.asset
    upload, account_media, creative = outcome.upload, outcome.account_media, outcome.creative
    assert upload is not None and account_media is not None and creative is not None
    problems = []
    record = media.get(upload["media_key"])
    if record is None or record.sha256 != asset.sha256:
        problems.append(
            f"{label}: uploaded media {upload['media_key']} bytes differ from S3 "
            f"({getattr(record, 'sha256', None)} != {asset.sha256})"
        )
    expected_library = [upload["media_key"]] if media_library else []
    if [e["media_key"] for e in live_library] != expected_library:
        problems.append(
            f"{label}: expected media library entries {expected_library}, found "
            f"{[e['media_key'] for e in live_library]}"
        )
    wanted = [e for e in live_media if e["creative_type"] == asset.creative_type]
    if [e["id"] for e in wanted] != [account_media["id"]]:
        problems.append(
            f"{label}: expected one live {asset.creative_type} account media {account_media['id']}, found "
            f"{[(e['id'], e['creative_type']) for e in live_media]}"
        )
    if account_media.get("creative_type") != asset.creative_type:
        problems.append(f"{label}: reported creative type {account_media.get('creative_type')}")
    reported = {c.get("line_item_id"): c.get("id") for c in outcome.creatives}
    if sorted(reported) != sorted(asset.line_item_ids):
        problems.append(f"{label}: reported media creatives for line items {sorted(reported)}")
    for line_item_id in asset.line_item_ids:
        on_line_item = [
            e
            for e in live_creatives
            if e["account_media_id"] == account_media["id"] and e["line_item_id"] == line_item_id
        ]
        if [e["id"] for e in on_line_item] != [reported.get(line_item_id)]:
            problems.append(
                f"{label}: expected one live media creative {reported.get(line_item_id)} on line item "
                f"{line_item_id}, found {[e['id'] for e in on_line_item]}"
            )
        elif asset.pipeline == "display" and on_line_item[0].get("landing_url") != asset.landing_url:
            problems.append(f"{label}: media creative landing_url is {on_line_item[0].get('landing_url')!r}")
    return problems
