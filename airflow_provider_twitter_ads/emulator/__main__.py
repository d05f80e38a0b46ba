"""Run the Ads API emulator as a command: ``python -m airflow_provider_twitter_ads.emulator``.

It prints its base URL (one line, first) and the matching ``AIRFLOW_CONN_TWITTER_ADS_DEFAULT`` value,
then serves until SIGINT or SIGTERM. It listens on loopback unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from airflow_provider_twitter_ads.emulator.faults import FaultInjector
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.state import LINE_ITEM_NOT_FOUND_CODES, EmulatorConfig


def build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_twitter_ads.emulator",
        description="A local X Ads API and media upload API for offline DAG runs and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, any free port)")
    parser.add_argument(
        "--processing-seconds",
        type=_non_negative_float,
        default=defaults.processing_seconds,
        help=f"how long video/GIF processing takes (default: {defaults.processing_seconds})",
    )
    parser.add_argument(
        "--check-after-secs",
        type=_non_negative_int,
        default=defaults.check_after_secs,
        help=f"check_after_secs in processing_info (default: {defaults.check_after_secs})",
    )
    parser.add_argument(
        "--latency",
        type=_non_negative_float,
        default=defaults.latency,
        help="seconds added to every API request (default: 0)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive_int,
        default=defaults.rate_limit,
        help="requests per endpoint family per window (x-rate-limit-*)",
    )
    parser.add_argument(
        "--account-rate-limit",
        type=_positive_int,
        default=defaults.account_rate_limit,
        help="requests per account per endpoint family per window (x-account-rate-limit-*)",
    )
    parser.add_argument(
        "--rate-limit-window",
        type=_positive_float,
        default=defaults.rate_limit_window,
        help=f"rate-limit window in seconds (default: {defaults.rate_limit_window:g})",
    )
    parser.add_argument(
        "--upload-expires-after-secs",
        type=_positive_int,
        default=defaults.upload_expires_after_secs,
        help="lifetime of an upload session after INIT",
    )
    parser.add_argument(
        "--upload-spool-dir",
        default=defaults.upload_spool_dir,
        help="directory under which received upload segments wait for FINALIZE (default: the system's temp dir)",
    )
    parser.add_argument("--account-id", default=defaults.account_id, help="the seeded ads account id")
    parser.add_argument(
        "--image-account-media-media-key",
        action=argparse.BooleanOptionalAction,
        default=defaults.image_account_media_media_key,
        help="give image account media a media_key (default: off, as the media pages describe)",
    )
    parser.add_argument(
        "--line-item-not-found-code",
        choices=LINE_ITEM_NOT_FOUND_CODES,
        default=defaults.line_item_not_found_code,
        help="the 404 code of a missing line item (default: LINE_ITEM_NOT_FOUND, as the error codes page lists)",
    )
    parser.add_argument(
        "--faults",
        metavar="JSON_OR_FILE",
        help='fault plan, e.g. \'{"random": {"rates": {"error": 0.05}, "seed": 1}}\' or a path to a JSON file',
    )
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator configuration the command-line arguments describe."""
    return EmulatorConfig(
        account_id=args.account_id,
        processing_seconds=args.processing_seconds,
        check_after_secs=args.check_after_secs,
        latency=args.latency,
        rate_limit=args.rate_limit,
        account_rate_limit=args.account_rate_limit,
        rate_limit_window=args.rate_limit_window,
        upload_expires_after_secs=args.upload_expires_after_secs,
        upload_spool_dir=args.upload_spool_dir,
        image_account_media_media_key=args.image_account_media_media_key,
        line_item_not_found_code=args.line_item_not_found_code,
    )


def load_fault_plan(value: str) -> dict[str, Any]:
    """A fault plan from inline JSON or from a JSON file's path."""
    text = value if value.lstrip()[:1] in ("{", "[") else Path(value).read_text(encoding="utf-8")
    plan = json.loads(text)
    if not isinstance(plan, dict):
        raise ValueError(f"--faults must be a JSON object, got {type(plan).__name__}")
    return plan


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    faults = FaultInjector()
    if args.faults:
        try:
            faults.configure(load_fault_plan(args.faults))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            parser.error(f"--faults: {exc}")
    if args.upload_spool_dir:
        # Checked now: a spool that cannot be made would otherwise fail the first APPEND with a 500.
        try:
            Path(args.upload_spool_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            parser.error(
                f"--upload-spool-dir: {args.upload_spool_dir!r} is not a usable directory ({exc.strerror})"
            )
    emulator = AdsApiEmulator(config_from_args(args), host=args.host, port=args.port)
    emulator.faults = faults
    if not _is_loopback(args.host):
        print(
            f"warning: listening on {args.host}; the emulator accepts fixed test credentials",
            file=sys.stderr,
        )

    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    emulator.start()
    # The URL goes first and alone on its line: scripts read it to find a port chosen by the OS.
    print(emulator.url, flush=True)
    print(
        "AIRFLOW_CONN_TWITTER_ADS_DEFAULT='" + json.dumps(emulator.airflow_connection()) + "'",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(convert: Callable[[str], float], *, allow_zero: bool) -> Callable[[str], float]:
    """An argparse type: ``convert``'s value, at least 0 (``allow_zero``) or above 0."""

    def parse(text: str) -> float:
        value = convert(text)
        if value < 0 or (value == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(f"must be {'>=' if allow_zero else '>'} 0, got {text}")
        return value

    return parse


_non_negative_float = _number(float, allow_zero=True)
_positive_float = _number(float, allow_zero=False)
_non_negative_int = _number(int, allow_zero=True)
_positive_int = _number(int, allow_zero=False)


if __name__ == "__main__":
    sys.exit(main())
