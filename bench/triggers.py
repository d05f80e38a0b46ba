"""Benchmark: 1,000 VideoProcessingTriggers in one event loop vs 1,000 poke-mode sensors in threads.

The parent process runs the Ads API emulator and uploads ``--count`` tiny videos over HTTP
(v2 INITIALIZE and APPEND). Each waiter runs in its own child process, which imports everything,
says it is ready, and only then gets the media ids: the parent FINALIZEs them all (processing
starts, ``--processing-seconds`` long) and the child waits for every one. The child reports its
wall time, peak RSS and CPU seconds; the parent reads the emulator's request log
(``/_emulator/requests``) for the STATUS requests each media got and how far apart they were.

Per waiter, the table shows the memory it added (peak RSS minus the RSS after imports, over the
count) and its STATUS requests against the most that honouring ``check_after_secs`` allows; the
last line checks the triggers' peak RSS against the 200 MB budget for 1,000 waits.

Usage: ``python bench/triggers.py [--count 1000] [--processing-seconds 3] [--check-after-secs 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import samples

# Bytes 4..8 are "ftyp": the emulator takes this for an MP4 and processes it.
TINY_MP4 = samples.mp4(224)
MODES = ("triggers", "threads")
# A STATUS request logged this much sooner than check_after_secs after the previous one still
# counts as on time: the log stamps arrival, and the client's wait starts at its response.
GAP_TOLERANCE = 0.05
# Peak RSS the 1,000 waits of one triggerer may take.
TRIGGERS_BUDGET_MB = 200
# The process's open file descriptors (sockets included), where the system lists them.
_FD_DIR = "/proc/self/fd"


# -- child side ----------------------------------------------------------------------------------


def _usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


class _Sampler:
    """Samples the process's thread and open-file counts (sockets included) every 50 ms."""

    def __init__(self) -> None:
        self.peak_threads = 0
        self.peak_fds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            # The sampler's own thread is not counted.
            self.peak_threads = max(self.peak_threads, threading.active_count() - 1)
            if os.path.isdir(_FD_DIR):  # Linux
                self.peak_fds = max(self.peak_fds, len(os.listdir(_FD_DIR)))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _run_triggers(media_ids: list[str], max_poll: float, connection_limit: int) -> list[dict[str, Any]]:
    from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
    from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

    class Trigger(VideoProcessingTrigger):
        # Only to try other pool sizes: the triggerer uses the hook's default.
        def _hook(self) -> AsyncAdsApiHook:
            return AsyncAdsApiHook(self.twitter_ads_conn_id, connection_limit=connection_limit)

    async def wait_for_all() -> list[dict[str, Any]]:
        triggers = [Trigger(media_id, max_poll_interval=max_poll) for media_id in media_ids]

        async def first_event(trigger: VideoProcessingTrigger) -> dict[str, Any]:
            events = [event.payload async for event in trigger.run()]
            return {"status": events[0]["status"] if len(events) == 1 else f"{len(events)} events"}

        return await asyncio.gather(*(first_event(trigger) for trigger in triggers))

    return asyncio.run(wait_for_all())


def _run_threads(media_ids: list[str], max_poll: float, connection_limit: int) -> list[dict[str, Any]]:
    from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor

    results: list[dict[str, Any]] = [{} for _ in media_ids]

    def wait(index: int, media_id: str) -> None:
        sensor = VideoProcessingSensor(
            task_id=f"wait_{index}", media_id=media_id, poke_interval=max_poll, timeout=600
        )
        try:
            state = sensor.execute({})["state"]
            results[index] = {"status": "success" if state == "succeeded" else state}
        except Exception as error:  # the table counts failures; the bench goes on
            results[index] = {"status": f"error: {error}"}

    threads = [threading.Thread(target=wait, args=(i, m), daemon=True) for i, m in enumerate(media_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def child(mode: str, max_poll: float, connection_limit: int) -> None:
    """Import, say ready, read the media ids from stdin, wait for all of them, print a JSON report."""
    runner: Callable[[list[str], float, int], list[dict[str, Any]]] = (
        _run_triggers if mode == "triggers" else _run_threads
    )
    # Import the waiters' modules and the client libraries they load on first use before measuring:
    # the baseline is what a triggerer or a worker pays once, whatever the number of waits.
    import aiohttp  # noqa: F401
    import requests_oauthlib  # noqa: F401

    import airflow_provider_twitter_ads.sensors.processing
    import airflow_provider_twitter_ads.triggers.processing  # noqa: F401

    # Logs go to stderr (a file the parent keeps); stdout carries only this protocol.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    baseline = _usage()
    print("ready", file=protocol, flush=True)
    media_ids = json.loads(sys.stdin.readline())
    started = time.monotonic()
    with _Sampler() as sampler:
        results = runner(media_ids, max_poll, connection_limit)
    wall = time.monotonic() - started
    usage = _usage()
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": usage["cpu_s"] - baseline["cpu_s"],
                "peak_rss_mb": usage["peak_rss_mb"],
                "baseline_rss_mb": baseline["peak_rss_mb"],
                "threads_peak": sampler.peak_threads,
                "fds_peak": sampler.peak_fds,
                "statuses": _count(result.get("status", "missing") for result in results),
            }
        ),
        file=protocol,
        flush=True,
    )


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return dict(counts)


# -- parent side ---------------------------------------------------------------------------------


class Uploader:
    """Signed v2 upload requests to the emulator, one session per thread."""

    def __init__(self, url: str, config: Any) -> None:
        self.url = url
        self.auth = OAuth1(
            config.consumer_key, config.consumer_secret, config.access_token, config.access_token_secret
        )
        self._local = threading.local()

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
            self._local.session.auth = self.auth
        return self._local.session

    def start(self, _: int = 0) -> str:
        """INITIALIZE and APPEND one tiny video; returns its media id (processing starts at FINALIZE)."""
        session = self._session()
        init = session.post(
            f"{self.url}/2/media/upload/initialize",
            json={"media_type": "video/mp4", "total_bytes": len(TINY_MP4), "media_category": "tweet_video"},
            timeout=30,
        )
        init.raise_for_status()
        media_id = init.json()["data"]["id"]
        session.post(
            f"{self.url}/2/media/upload/{media_id}/append",
            data={"segment_index": "0"},
            files={"media": ("video.mp4", TINY_MP4, "video/mp4")},
            timeout=30,
        ).raise_for_status()
        return media_id

    def finalize(self, media_id: str) -> None:
        self._session().post(f"{self.url}/2/media/upload/{media_id}/finalize", timeout=30).raise_for_status()


def run_mode(
    emulator: Any, mode: str, count: int, max_poll: float, workers: int, connection_limit: int
) -> dict[str, Any]:
    """Upload ``count`` videos, let a child process wait for them in ``mode``; the measured row."""
    emulator.reset()
    uploader = Uploader(emulator.url, emulator.config)
    with ThreadPoolExecutor(workers) as pool:
        media_ids = list(pool.map(uploader.start, range(count)))
    env = {
        **os.environ,
        "AIRFLOW_CONN_TWITTER_ADS_DEFAULT": json.dumps(emulator.airflow_connection()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    # The child's logs stay in a file for inspection; stdout carries only the protocol.
    with tempfile.NamedTemporaryFile("w", prefix=f"bench-{mode}-", suffix=".log", delete=False) as child_log:
        process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--max-poll",
                str(max_poll),
                "--connection-limit",
                str(connection_limit),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=child_log,
            text=True,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        for line in process.stdout:
            if line.strip() == "ready":
                break
        finalize_started = time.time()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(uploader.finalize, media_ids))
        finalized_at = time.time()
        process.stdin.write(json.dumps(media_ids) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        process.wait(timeout=60)
    if not line:
        raise SystemExit(f"the {mode} child failed; its log: {child_log.name}")
    report = json.loads(line)
    report["log"] = child_log.name
    report.update(
        status_report(
            emulator.url,
            set(media_ids),
            finalized_at,
            emulator.config.processing_seconds,
            emulator.config.check_after_secs,
        )
    )
    report.update(
        mode=mode, media=count, finalize_s=finalized_at - finalize_started, connection_limit=connection_limit
    )
    return report


def status_report(
    url: str, media_ids: set[str], since: float, processing_seconds: float, check_after_secs: float
) -> dict[str, Any]:
    """STATUS requests per media against what ``check_after_secs`` allows, from the request log.

    A media whose processing started at ``s`` (``/_emulator/state``) and was first checked at
    ``t0`` is done at ``s + processing_seconds``; a waiter that honours the hint checks at ``t0``,
    ``t0 + check_after``, ... until one check sees it done: ``ceil((done - t0) / check_after) + 1``
    checks at most. Checks beyond that are excess.
    """
    log = requests.get(f"{url}/_emulator/requests", timeout=60).json()["requests"]
    records = requests.get(f"{url}/_emulator/state", timeout=60).json()["media"]
    finalized = {record["media_id"]: record["processing_started_at"] for record in records}
    times: dict[str, list[float]] = defaultdict(list)
    answers: dict[str, int] = defaultdict(int)
    for entry in log:
        media_id = entry["query"].get("media_id")
        if entry["method"] == "GET" and entry["query"].get("command") == "STATUS" and media_id in media_ids:
            times[media_id].append(entry["time"])
            answers[str(entry["status"])] += 1
    gaps: list[float] = []
    excess = allowed_total = 0
    for media_id, stamps in times.items():
        stamps.sort()
        gaps.extend(b - a for a, b in itertools.pairwise(stamps))
        remaining = max(0.0, finalized[media_id] + processing_seconds - stamps[0])
        allowed = math.ceil(remaining / check_after_secs) + 1
        allowed_total += allowed
        excess += max(0, len(stamps) - allowed)
    per_media = [len(stamps) for stamps in times.values()]
    first_checks = [stamps[0] for stamps in times.values()]
    return {
        "status_requests": sum(per_media),
        "allowed_requests": allowed_total,
        "excess_requests": excess,
        "per_media_max": max(per_media, default=0),
        "per_media_mean": sum(per_media) / max(len(per_media), 1),
        "min_gap_s": min(gaps, default=0.0),
        "early_checks": sum(1 for gap in gaps if gap < check_after_secs - GAP_TOLERANCE),
        "answers": dict(answers),
        "first_checks_spread_s": (max(first_checks) - min(first_checks)) if first_checks else 0.0,
        "remaining_at_start_s": (
            min(finalized[m] for m in times) + processing_seconds - since,
            max(finalized[m] for m in times) + processing_seconds - since,
        )
        if times
        else (0.0, 0.0),
    }


def print_table(rows: list[dict[str, Any]], processing_seconds: float, check_after_secs: int) -> None:
    header = (
        "waiter",
        "completed",
        "wall s",
        "peak RSS MB",
        "RSS after imports MB",
        "KB per waiter",
        "CPU s",
        "peak threads",
        "peak fds",
        "STATUS requests",
        "allowed",
        "excess",
        "per waiter / allowed",
        "min gap s",
    )
    lines = [header]
    for row in rows:
        lines.append(
            (
                f"{row['media']} {row['mode']}",
                f"{row['statuses'].get('success', 0)}/{row['media']}",
                f"{row['wall_s']:.1f}",
                f"{row['peak_rss_mb']:.0f}",
                f"{row['baseline_rss_mb']:.0f}",
                f"{(row['peak_rss_mb'] - row['baseline_rss_mb']) * 1024 / row['media']:.0f}",
                f"{row['cpu_s']:.1f}",
                str(row["threads_peak"]),
                str(row["fds_peak"]),
                str(row["status_requests"]),
                str(row["allowed_requests"]),
                str(row["excess_requests"]),
                f"{row['status_requests'] / row['media']:.2f} / {row['allowed_requests'] / row['media']:.2f}",
                f"{row['min_gap_s']:.2f}",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rule = "  ".join("=" * width for width in widths)
    print(rule)
    for index, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if index == 0:
            print(rule)
    print(rule)
    print(
        f"processing_seconds {processing_seconds:g}, check_after_secs {check_after_secs}, "
        f"trigger connection limit {rows[0]['connection_limit']} per event loop"
    )
    for row in rows:
        if row["mode"] == "triggers":
            verdict = "within" if row["peak_rss_mb"] < TRIGGERS_BUDGET_MB else "OVER"
            print(
                f"triggers: peak RSS {row['peak_rss_mb']:.0f} MB for {row['media']} waits, {verdict} the "
                f"{TRIGGERS_BUDGET_MB} MB budget; {row['early_checks']} check(s) sooner than check_after_secs"
            )
        low, high = row["remaining_at_start_s"]
        print(
            f"{row['mode']}: FINALIZE of all media took {row['finalize_s']:.1f} s, so {low:.1f}-{high:.1f} s "
            f"of processing were left when the waiters got the ids; first checks spread over "
            f"{row['first_checks_spread_s']:.1f} s; answers {row['answers']}; outcomes {row['statuses']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--processing-seconds", type=float, default=10.0)
    parser.add_argument("--check-after-secs", type=int, default=1)
    parser.add_argument(
        "--max-poll", type=float, default=10.0, help="the waiters' longest wait between checks"
    )
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: triggers,threads")
    parser.add_argument("--workers", type=int, default=16, help="upload threads in the parent")
    parser.add_argument(
        "--connection-limit",
        type=int,
        default=None,
        help="connections the triggers' event loop may open at once (default: the hook's default)",
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.connection_limit is None:
        from airflow_provider_twitter_ads.hooks.ads_api_async import DEFAULT_CONNECTION_LIMIT

        args.connection_limit = DEFAULT_CONNECTION_LIMIT
    if args.child:
        child(args.child, args.max_poll, args.connection_limit)
        return

    from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
    from airflow_provider_twitter_ads.emulator.state import EmulatorConfig

    config = EmulatorConfig(
        processing_seconds=args.processing_seconds, check_after_secs=args.check_after_secs
    )
    rows = []
    with AdsApiEmulator(config) as emulator:
        for mode in args.modes.split(","):
            rows.append(
                run_mode(emulator, mode, args.count, args.max_poll, args.workers, args.connection_limit)
            )
            print(f"{mode}: done in {rows[-1]['wall_s']:.1f} s", file=sys.stderr, flush=True)
    print_table(rows, args.processing_seconds, args.check_after_secs)


if __name__ == "__main__":
    main()
