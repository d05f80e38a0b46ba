"""Run the example DAGs end to end on this machine, offline.

What it does, in a temporary directory that it removes afterwards (``--keep`` keeps it):

1. starts moto's S3 server and the Ads API emulator on free loopback ports,
2. creates an Airflow home with a SQLite metadata DB (``airflow db migrate``),
3. writes a sample video (MP4) and one PNG per display creative size into a bucket, and three
   carousel images and a second video for the promoted-post path,
4. runs ``twitter_ads_preroll_video``, ``twitter_ads_display_images``,
   ``twitter_ads_promoted_carousel`` and ``twitter_ads_promoted_video`` with ``airflow dags test``
   (the video sensor defers to the in-process triggerer),
5. prints what the emulator now holds, and checks it: one account media and one media creative per
   asset, of the right creative type, on the right line item; one card, post and promoted post per
   promoted-post DAG.

It exits 0 only if every task succeeded and every check passed. Airflow's own logs go to files in
the temporary directory; their path and last lines are printed when something fails.

Run it with ``make demo`` (which builds the virtualenv first), or ``.venv/bin/python scripts/demo.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS

ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = ROOT / "dags_examples"

BUCKET = "twitter-ads-demo"
VIDEO_KEY = "videos/preroll.mp4"
DISPLAY_PREFIX = "display/"
PREROLL_DAG = "twitter_ads_preroll_video"
DISPLAY_DAG = "twitter_ads_display_images"
CAROUSEL_DAG = "twitter_ads_promoted_carousel"
PROMOTED_VIDEO_DAG = "twitter_ads_promoted_video"
CAROUSEL_PREFIX = "promoted/carousel/"
CAROUSEL_IMAGES = 3
PROMOTED_VIDEO_KEY = "promoted/launch.mp4"
DEMO_DAGS = (PREROLL_DAG, DISPLAY_DAG, CAROUSEL_DAG, PROMOTED_VIDEO_DAG)
# The emulator's FULL promotable user, as whom the posts are made.
POSTING_USER = "756201191646691328"
# (DAG, card type, line item) of the one card, post and promoted post each promoted-post DAG makes.
PROMOTED_EXPECTED = (
    (CAROUSEL_DAG, "IMAGE_CAROUSEL_WEBSITE", "8v7jo"),
    (PROMOTED_VIDEO_DAG, "VIDEO_WEBSITE", "8v7jp"),
)
# Seeded by the emulator: the PREROLL_VIEWS (product type MEDIA) and a WEBSITE_CLICKS line item of
# the default account; pre-roll call-to-actions go on MEDIA / PREROLL_VIEWS line items only.
PREROLL_LINE_ITEM = "8v7jr"
DISPLAY_LINE_ITEM = "8v7jo"
LANDING_URL = "https://example.com/spring-sale"
CALL_TO_ACTION = "WATCH_NOW"
CALL_TO_ACTION_URL = "https://example.com/watch"

# The emulator accepts these fixed test credentials (they are not secrets).
EMULATOR_CREDENTIALS = {
    "consumer_key": "emulator-consumer-key",
    "consumer_secret": "emulator-consumer-secret",
    "access_token": "1000000001-emulator-access-token",
    "access_token_secret": "emulator-access-token-secret",
    "account_id": "18ce54d4x5t",
}


class DemoError(Exception):
    """A step failed; the message says which and where its log is."""


class Interrupted(Exception):
    """SIGTERM arrived (Ctrl-C arrives as KeyboardInterrupt)."""


# -- sample assets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    key: str
    content_type: str
    data: bytes
    expected_creative_type: str
    line_item_id: str
    landing_url: str | None

    @property
    def sha256(self) -> str:
        return samples.sha256(self.data)


def sample_assets() -> list[Asset]:
    """One 300 KB MP4 video, and one PNG per display creative type, of exactly that type's size."""
    assets = [Asset(VIDEO_KEY, "video/mp4", samples.mp4(300_000, seed=7), "PREROLL", PREROLL_LINE_ITEM, None)]
    palette = [(29, 155, 240), (0, 186, 124), (249, 24, 128), (255, 212, 0), (120, 86, 255), (255, 122, 0)]
    for index, (creative_type, (width, height)) in enumerate(DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()):
        assets.append(
            Asset(
                key=f"{DISPLAY_PREFIX}{creative_type.lower()}_{width}x{height}.png",
                content_type="image/png",
                data=samples.png(width, height, color=palette[index % len(palette)]),
                expected_creative_type=creative_type,
                line_item_id=DISPLAY_LINE_ITEM,
                landing_url=LANDING_URL,
            )
        )
    return assets


# -- processes ----------------------------------------------------------------------------------------


@dataclass
class Processes:
    """Every child process the demo started, so that all of them are stopped on any exit."""

    running: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self, argv: Sequence[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
        """Start ``argv`` with its stdout and stderr appended to ``log_path``."""
        log = log_path.open("ab")
        process = subprocess.Popen(
            list(argv), env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append((process, log))
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for running, log in self.running:
            if running is process:
                log.close()
        self.running = [(p, log) for p, log in self.running if p is not process]

    def stop_all(self) -> None:
        for process, _ in reversed(self.running):
            self.stop(process)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(
    name: str, url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(f"{name} exited with code {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # It answered: it is up.
        except OSError:
            time.sleep(0.2)
    raise DemoError(f"{name} did not answer at {url} within {timeout:.0f} s; see {log_path}")


def read_url_line(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    """The emulator prints its URL as its first line: wait for it in its log file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        if lines and lines[0].startswith("http://"):
            return lines[0].strip()
        if process.poll() is not None:
            raise DemoError(f"the Ads API emulator exited with code {process.returncode}; see {log_path}")
        time.sleep(0.1)
    raise DemoError(f"the Ads API emulator printed no URL within {timeout:.0f} s; see {log_path}")


# -- output ------------------------------------------------------------------------------------------


class Step:
    """One numbered step: its title line, optional indented notes, then ``ok (1.2 s)  detail``."""

    def __init__(self, title: str) -> None:
        self.detail = ""
        self._open_line = True
        print(f"{title} ...", end=" ", flush=True)

    def note(self, line: str) -> None:
        """An indented line under the title, printed at once (live progress)."""
        if self._open_line:
            print(flush=True)
            self._open_line = False
        print(f"      {line}", flush=True)

    def finish(self, outcome: str) -> None:
        prefix = "" if self._open_line else "      "
        print(prefix + outcome + (f"  {self.detail}" if self.detail else ""), flush=True)


class Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.number = 0

    @contextmanager
    def step(self, title: str) -> Iterator[Step]:
        self.number += 1
        step = Step(f"[{self.number}/{self.total}] {title}")
        started = time.monotonic()
        try:
            yield step
        except (KeyboardInterrupt, Interrupted):
            step.finish("interrupted")
            raise
        except BaseException:
            step.finish("FAILED")
            raise
        step.finish(f"ok ({time.monotonic() - started:.1f} s)")


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows, strict=False)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(
        ("  " + "  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True))).rstrip()
        for line in lines
    )


# -- Airflow -------------------------------------------------------------------------------------------


def airflow_env(home: Path, emulator_url: str, s3_url: str) -> dict[str, str]:
    """The environment of every Airflow command: a private home, SQLite, the two connections.

    Inherited AIRFLOW_* and AWS_* variables are dropped so that nothing outside the demo (another
    Airflow home, a real AWS profile) is used by accident.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "AWS_"))}
    twitter_ads = {
        "conn_type": "twitter_ads",
        "login": EMULATOR_CREDENTIALS["consumer_key"],
        "password": EMULATOR_CREDENTIALS["consumer_secret"],
        "extra": {
            "access_token": EMULATOR_CREDENTIALS["access_token"],
            "access_token_secret": EMULATOR_CREDENTIALS["access_token_secret"],
            "account_id": EMULATOR_CREDENTIALS["account_id"],
            "api_version": 12,
            "ads_api_url": emulator_url,
            "upload_api_url": emulator_url,
            "timeout": 30,
        },
    }
    aws = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_url, "region_name": "us-east-1"},
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW_CONN_TWITTER_ADS_DEFAULT": json.dumps(twitter_ads),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class RunResult:
    dag_id: str
    exit_code: int
    run_state: str | None
    task_states: list[tuple[str, int, str | None]]

    @property
    def failed_tasks(self) -> list[str]:
        return [_task_label(t, i) for t, i, state in self.task_states if state not in ("success", "skipped")]

    @property
    def ok(self) -> bool:
        return (
            self.exit_code == 0
            and self.run_state == "success"
            and not self.failed_tasks
            and bool(self.task_states)
        )

    def summary(self) -> str:
        """``run success, 23 task instances: 23 success``."""
        counts: dict[str, int] = {}
        for _, _, state in self.task_states:
            counts[state or "none"] = counts.get(state or "none", 0) + 1
        described = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        return f"run {self.run_state}, {len(self.task_states)} task instances: {described}"


def _task_label(task_id: str, map_index: int) -> str:
    return task_id if map_index < 0 else f"{task_id}[{map_index}]"


def read_run_states(db_path: Path, dag_id: str) -> tuple[str | None, list[tuple[str, int, str | None]]]:
    """The latest run's state and its task instances' states, read from the SQLite metadata DB."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
        ).fetchone()
        if row is None:
            return None, []
        run_id, run_state = row
        # In the order the tasks first started, which is the DAG's order for these chains.
        tasks = db.execute(
            "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ? "
            "ORDER BY MIN(start_date) OVER (PARTITION BY task_id), task_id, map_index",
            (dag_id, run_id),
        ).fetchall()
    return run_state, [(t, int(i), s) for t, i, s in tasks]


def airflow_command(
    processes: Processes,
    args: Sequence[str],
    env: dict[str, str],
    log_path: Path,
    timeout: float,
    on_tick: Callable[[], None] | None = None,
) -> int:
    """Run ``airflow *args`` with its output in ``log_path``; ``on_tick`` runs every half second."""
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"$ airflow {' '.join(args)}\n")
    process = processes.start([sys.executable, "-m", "airflow", *args], env, log_path)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                return process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    raise DemoError(
                        f"airflow {' '.join(args[:2])} did not finish within {timeout:.0f} s; see {log_path}"
                    ) from None
                if on_tick is not None:
                    on_tick()
    finally:
        processes.stop(process)
        if on_tick is not None:
            on_tick()


class RunWatcher:
    """Prints what happens while ``airflow dags test`` runs: task instances finishing, deferrals."""

    NOTABLE = ("up_for_retry", "up_for_reschedule", "success", "failed", "upstream_failed", "skipped")
    # A deferral starts and ends inside ``dags test`` between two DB polls: its log line is the sign.
    DEFERRED_LOG = re.compile(r"Pausing task as DEFERRED.*\btask_id=(\S+)")
    PROCESSING_LOG = re.compile(r"processing is (pending|in_progress) \((\d+)%\)")

    def __init__(self, db_path: Path, log_path: Path, dag_id: str, step: Step) -> None:
        self.db_path = db_path
        self.log_path = log_path
        self.dag_id = dag_id
        self.step = step
        self.started = time.monotonic()
        self.seen: dict[tuple[str, int], str] = {}
        self.log_offset = 0

    def __call__(self) -> None:
        self._read_log()
        self._read_db()

    def _note(self, text: str) -> None:
        self.step.note(f"{time.monotonic() - self.started:6.1f} s  {text}")

    def _read_log(self) -> None:
        try:
            with self.log_path.open("rb") as log:
                log.seek(self.log_offset)
                chunk = log.read()
        except OSError:
            return
        # Whole lines only: a line still being written is read on the next tick.
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.log_offset += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            deferred = self.DEFERRED_LOG.search(line)
            if deferred:
                self._note(f"{deferred.group(1)}: deferred (waiting in the triggerer)")
            progress = self.PROCESSING_LOG.search(line)
            if progress:
                self._note(f"  video processing: {progress.group(1)} {progress.group(2)}%")

    def _read_db(self) -> None:
        if not self.db_path.exists():
            return
        try:
            with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=0.2) as db:
                rows = db.execute(
                    "SELECT ti.task_id, ti.map_index, ti.rendered_map_index, ti.state, ti.try_number, "
                    "ti.max_tries FROM task_instance ti WHERE ti.dag_id = ? AND ti.run_id = "
                    "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1) "
                    "ORDER BY ti.end_date IS NULL, ti.end_date, ti.task_id, ti.map_index",
                    (self.dag_id, self.dag_id),
                ).fetchall()
        except sqlite3.Error:
            return  # Airflow is writing (or has not created the tables yet): look again next tick.
        for task_id, map_index, rendered, state, try_number, max_tries in rows:
            key = (task_id, int(map_index))
            if state not in self.NOTABLE or self.seen.get(key) == state:
                continue
            self.seen[key] = state
            label = task_id if int(map_index) < 0 else f"{task_id}[{rendered or map_index}]"
            extra = ""
            if state == "up_for_retry":
                extra = f" (try {try_number} of {int(max_tries) + 1}; Airflow retries it after retry_delay)"
            self._note(f"{label}: {state}{extra}")


def run_dag(
    processes: Processes,
    dag_id: str,
    conf: dict[str, Any],
    env: dict[str, str],
    home: Path,
    logs: Path,
    timeout: float,
    step: Step,
) -> tuple[RunResult, Path]:
    log_path = logs / f"{dag_id}.log"
    db_path = home / "airflow.db"
    exit_code = airflow_command(
        processes,
        ["dags", "test", dag_id, "-f", str(DAGS_FOLDER / f"{dag_id}.py"), "-c", json.dumps(conf)],
        env,
        log_path,
        timeout,
        on_tick=RunWatcher(db_path, log_path, dag_id, step),
    )
    run_state, task_states = read_run_states(db_path, dag_id)
    return RunResult(dag_id, exit_code, run_state, task_states), log_path


# -- the emulator's state ------------------------------------------------------------------------------


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Created:
    asset: str
    creative_type: str
    media_key: str
    account_media_id: str
    media_creative_id: str
    line_item: str
    landing_url: str


def created_entities(state: dict[str, Any], assets: Sequence[Asset]) -> tuple[list[Created], list[str]]:
    """One row per media creative made from media uploaded in this run, and a list of problems.

    A problem is an asset without exactly one live account media of its expected creative type and
    exactly one live media creative on its expected line item (a duplicate counts as a problem).
    """
    tables = state.get("tables", {})
    asset_by_sha = {a.sha256: a for a in assets}
    asset_by_key: dict[str, Asset] = {}
    for media in state.get("media", []):
        asset = asset_by_sha.get(media.get("sha256") or "")
        if asset is not None:
            asset_by_key[media["media_key"]] = asset
    line_items = {li["id"]: li for li in tables.get("line_items", [])}

    def live(entity: dict[str, Any]) -> bool:
        return not entity.get("deleted")

    # Image account media carry no media_key (Account Media docs): the media_url they share with
    # their library entry names the media.
    key_by_url = {
        e["media_url"]: e["media_key"] for e in tables.get("media_library", []) if e.get("media_url")
    }
    account_media = []
    for am in tables.get("account_media", []):
        media_key = am.get("media_key") or key_by_url.get(am.get("media_url"))
        if live(am) and media_key in asset_by_key:
            account_media.append({**am, "media_key": media_key})
    account_media_by_id = {am["id"]: am for am in account_media}
    creatives = [
        mc
        for mc in tables.get("media_creatives", [])
        if live(mc) and mc.get("account_media_id") in account_media_by_id
    ]

    rows = []
    position = {asset.key: index for index, asset in enumerate(assets)}

    def asset_order(creative: dict[str, Any]) -> int:
        return position[asset_by_key[account_media_by_id[creative["account_media_id"]]["media_key"]].key]

    for creative in sorted(creatives, key=asset_order):
        am = account_media_by_id[creative["account_media_id"]]
        line_item = line_items.get(creative.get("line_item_id"), {})
        rows.append(
            Created(
                asset=asset_by_key[am["media_key"]].key,
                creative_type=am.get("creative_type", "?"),
                media_key=am["media_key"],
                account_media_id=am["id"],
                media_creative_id=creative["id"],
                line_item=f"{creative.get('line_item_id')} ({line_item.get('objective', '?')})",
                landing_url=creative.get("landing_url") or "-",
            )
        )

    problems = []
    for asset in assets:
        keys = [k for k, a in asset_by_key.items() if a is asset]
        if not keys:
            problems.append(f"{asset.key}: never uploaded")
            continue
        its_media = [am for am in account_media if am["media_key"] in keys]
        types = sorted(am.get("creative_type", "?") for am in its_media)
        if types != [asset.expected_creative_type]:
            problems.append(
                f"{asset.key}: account media {types or 'none'}, expected [{asset.expected_creative_type}]"
            )
        ids = {am["id"] for am in its_media}
        its_creatives = [mc for mc in creatives if mc["account_media_id"] in ids]
        on_line_items = sorted(mc.get("line_item_id") for mc in its_creatives)
        landing_urls = sorted({mc.get("landing_url") or "" for mc in its_creatives})
        if its_creatives and landing_urls != [asset.landing_url or ""]:
            problems.append(f"{asset.key}: landing URLs {landing_urls}, expected {asset.landing_url}")
        if on_line_items != [asset.line_item_id]:
            problems.append(
                f"{asset.key}: media creatives on {on_line_items or 'none'}, expected [{asset.line_item_id}]"
            )
    return rows, problems


@dataclass(frozen=True)
class Promoted:
    """One card, the post made with it and that post's promotion, as the closing table shows them."""

    card_id: str
    card_type: str
    media: int
    tweet_id: str
    promoted_tweet_id: str
    line_item: str


def promoted_entities(state: dict[str, Any]) -> tuple[list[Promoted], list[str]]:
    """One row per live card, with its post and promoted post; and a list of problems.

    Each promoted-post DAG must have made exactly one card of its type, one nullcast post with it,
    and one promoted post of that post on its line item (a duplicate counts as a problem).
    """
    tables = state.get("tables", {})
    cards = [c for c in tables.get("cards", []) if not c.get("deleted")]
    tweets = tables.get("tweets", [])
    promoted = [p for p in tables.get("promoted_tweets", []) if not p.get("deleted")]
    line_items = {li["id"]: li for li in tables.get("line_items", [])}
    rows, problems = [], []
    for card in cards:
        posts = [t for t in tweets if t.get("card_uri") == card["card_uri"]]
        tweet_id = posts[0]["id_str"] if len(posts) == 1 else "-"
        promotions = [p for p in promoted if p.get("tweet_id") == tweet_id]
        line_item = promotions[0].get("line_item_id") if len(promotions) == 1 else "-"
        media = card["components"][0]
        rows.append(
            Promoted(
                card_id=card["id"],
                card_type=card.get("card_type", "?"),
                media=len(media.get("media_keys") or [media.get("media_key")]),
                tweet_id=tweet_id,
                promoted_tweet_id=promotions[0]["id"] if len(promotions) == 1 else "-",
                line_item=f"{line_item} ({line_items.get(line_item, {}).get('objective', '?')})",
            )
        )
        if len(posts) != 1 or not all(
            t.get("nullcast") and t["user"]["id_str"] == POSTING_USER for t in posts
        ):
            problems.append(f"card {card['id']}: {len(posts)} posts, expected one nullcast post")
        if len(promotions) != 1:
            problems.append(f"card {card['id']}: its post has {len(promotions)} promoted posts, expected 1")
    found = sorted((r.card_type, r.line_item.split()[0]) for r in rows)
    expected = sorted((card_type, line_item) for _, card_type, line_item in PROMOTED_EXPECTED)
    if found != expected:
        problems.append(f"cards and line items {found}, expected {expected}")
    if len(tweets) != len(PROMOTED_EXPECTED):
        problems.append(f"{len(tweets)} posts, expected {len(PROMOTED_EXPECTED)}")
    return rows, problems


# -- main ----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the example DAGs offline against moto S3 and the Ads API emulator."
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (Airflow home, logs)"
    )
    parser.add_argument(
        "--processing-seconds", type=float, default=3.0, help="emulated video processing time"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per Airflow command")
    parser.add_argument("--summary-json", type=Path, help="also write the created entities to this JSON file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Only look: importing Airflow here would load its settings from the caller's environment.
    missing = [name for name in ("airflow", "boto3", "moto") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"error: {', '.join(missing)} not installed for {sys.executable}; run `make demo`",
            file=sys.stderr,
        )
        return 2

    def on_sigterm(signum: int, frame: object) -> None:
        raise Interrupted

    signal.signal(signal.SIGTERM, on_sigterm)
    work_dir = Path(tempfile.mkdtemp(prefix="twitter-ads-demo-"))
    (work_dir / "demo-logs").mkdir()
    processes = Processes()
    keep = args.keep
    print("X (Twitter) Ads provider demo: example DAGs against moto S3 and the Ads API emulator, offline")
    print(f"  work dir: {work_dir}")
    try:
        run_demo(args, work_dir, processes)
        return 0
    except DemoError as error:
        keep = True
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Interrupted):
        keep = True
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BaseException:
        keep = True
        raise
    finally:
        processes.stop_all()
        if keep:
            print(f"  kept: {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)


def run_demo(args: argparse.Namespace, work_dir: Path, processes: Processes) -> None:
    import boto3

    logs = work_dir / "demo-logs"
    # Servers, DB, assets, one step per DAG run, the read-back.
    progress = Progress(total=4 + len(DEMO_DAGS))

    with progress.step("Starting moto S3 and the Ads API emulator on loopback") as outcome:
        s3_port = free_port()
        s3_url = f"http://127.0.0.1:{s3_port}"
        moto_log = logs / "moto.log"
        moto = processes.start(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
            moto_log,
        )
        emulator_log = logs / "emulator.log"
        emulator = processes.start(
            [
                sys.executable,
                "-m",
                "airflow_provider_twitter_ads.emulator",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--processing-seconds",
                str(args.processing_seconds),
            ],
            dict(os.environ),
            emulator_log,
        )
        emulator_url = read_url_line(emulator, emulator_log, timeout=60)
        wait_until_up("the Ads API emulator", f"{emulator_url}/_emulator/health", emulator, emulator_log, 60)
        wait_until_up("moto S3", f"{s3_url}/moto-api/", moto, moto_log, 60)
        outcome.detail = f"S3 {s3_url}, Ads API {emulator_url}"

    home = work_dir / "airflow"
    home.mkdir()
    env = airflow_env(home, emulator_url, s3_url)

    with progress.step("Creating the Airflow metadata DB (airflow db migrate, SQLite)"):
        migrate_log = logs / "db-migrate.log"
        if airflow_command(processes, ["db", "migrate"], env, migrate_log, args.timeout) != 0:
            raise DemoError(f"airflow db migrate failed; see {migrate_log}\n{tail(migrate_log)}")

    assets = sample_assets()
    with progress.step(f"Writing sample assets to s3://{BUCKET}") as outcome:
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        for asset in assets:
            s3.put_object(Bucket=BUCKET, Key=asset.key, Body=asset.data, ContentType=asset.content_type)
        for index in range(CAROUSEL_IMAGES):
            s3.put_object(
                Bucket=BUCKET,
                Key=f"{CAROUSEL_PREFIX}{index + 1}.png",
                Body=samples.png(1200, 628, salt=b"carousel%d" % index),
                ContentType="image/png",
            )
        s3.put_object(
            Bucket=BUCKET, Key=PROMOTED_VIDEO_KEY, Body=samples.mp4(300_000, seed=11), ContentType="video/mp4"
        )
        video_kb = len(assets[0].data) // 1024
        outcome.detail = (
            f"2 MP4 videos ({video_kb} KB), {len(assets) - 1} display PNGs, "
            f"{CAROUSEL_IMAGES} carousel PNGs (1200x628)"
        )

    runs = [
        (
            PREROLL_DAG,
            {
                "s3_bucket": BUCKET,
                "s3_key": VIDEO_KEY,
                "line_item_id": PREROLL_LINE_ITEM,
                "call_to_action": CALL_TO_ACTION,
                "call_to_action_url": CALL_TO_ACTION_URL,
            },
        ),
        (
            DISPLAY_DAG,
            {
                "s3_bucket": BUCKET,
                "s3_prefix": DISPLAY_PREFIX,
                "line_item_id": DISPLAY_LINE_ITEM,
                "landing_url": LANDING_URL,
            },
        ),
        (CAROUSEL_DAG, {"s3_bucket": BUCKET, "s3_prefix": CAROUSEL_PREFIX, "as_user_id": POSTING_USER}),
        (PROMOTED_VIDEO_DAG, {"s3_bucket": BUCKET, "s3_key": PROMOTED_VIDEO_KEY, "as_user_id": POSTING_USER}),
    ]
    for dag_id, conf in runs:
        with progress.step(f"airflow dags test {dag_id}") as step:
            result, log_path = run_dag(processes, dag_id, conf, env, home, logs, args.timeout, step)
            if not result.ok:
                failed = ", ".join(result.failed_tasks) or "none recorded"
                raise DemoError(
                    f"{dag_id}: exit code {result.exit_code}, run {result.run_state or 'not created'}, "
                    f"failed tasks: {failed}\n"
                    f"  log: {log_path}\n{tail(log_path)}"
                )
            step.detail = result.summary()

    with progress.step("Reading back what the emulator holds") as outcome:
        try:
            state = get_json(f"{emulator_url}/_emulator/state")
        except (OSError, ValueError) as exc:
            raise DemoError(
                f"could not read the emulator's state ({exc}); see {emulator_log}\n{tail(emulator_log)}"
            ) from None
        rows, problems = created_entities(state, assets)
        promoted_rows, promoted_problems = promoted_entities(state)
        problems.extend(promoted_problems)
        ctas = [c for c in state.get("tables", {}).get("preroll_call_to_actions", []) if not c.get("deleted")]
        cta_found = [
            (c.get("line_item_id"), c.get("call_to_action"), c.get("call_to_action_url")) for c in ctas
        ]
        if cta_found != [(PREROLL_LINE_ITEM, CALL_TO_ACTION, CALL_TO_ACTION_URL)]:
            problems.append(
                f"pre-roll call to actions {cta_found}, expected "
                f"[{(PREROLL_LINE_ITEM, CALL_TO_ACTION, CALL_TO_ACTION_URL)}]"
            )
        outcome.detail = f"{len(rows)} media creatives, {len(promoted_rows)} promoted posts"

    print()
    print(
        format_table(
            ["asset", "creative type", "media key", "account media", "media creative", "line item"],
            [
                [r.asset, r.creative_type, r.media_key, r.account_media_id, r.media_creative_id, r.line_item]
                for r in rows
            ],
        )
    )
    landing_urls = sorted({(r.line_item, r.landing_url) for r in rows if r.landing_url != "-"})
    for line_item, url in landing_urls:
        print(f"  landing URL of the media creatives on {line_item}: {url}")
    for cta in ctas:
        print(
            f"  pre-roll call to action on {cta.get('line_item_id')}: "
            f"{cta.get('call_to_action')} -> {cta.get('call_to_action_url')}"
        )
    print()
    print(
        format_table(
            ["card", "card type", "media", "post", "promoted post", "line item"],
            [
                [r.card_id, r.card_type, str(r.media), r.tweet_id, r.promoted_tweet_id, r.line_item]
                for r in promoted_rows
            ],
        )
    )
    print()
    if args.summary_json:
        args.summary_json.write_text(
            json.dumps(
                {
                    "created": [vars(r) for r in rows],
                    "preroll_call_to_actions": ctas,
                    "promoted": [vars(r) for r in promoted_rows],
                    "problems": problems,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if problems:
        raise DemoError(
            "the emulator's state is not what the DAGs should have made:\n  " + "\n  ".join(problems)
        )
    line_item_count = len({r.line_item for r in rows})
    print(
        f"Done: {len(rows)} media creatives on {line_item_count} line items and "
        f"{len(promoted_rows)} promoted posts, every task succeeded."
    )


if __name__ == "__main__":
    with suppress(BrokenPipeError):
        sys.exit(main())
