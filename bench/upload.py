"""Benchmark: streamed S3 -> media upload, its two raw legs, download-then-upload, and parallel appends.

The parent process starts moto's S3 server and the Ads API emulator as subprocesses, stores one
object per size in S3 (an MP4 header, then random bytes), and runs every variant in a fresh child
process so the client's memory is measured alone. A child imports everything, opens its
connections, notes its idle peak RSS, runs one transfer, and reports wall time, peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and the CPU seconds of the client, the emulator and
moto during the transfer. The parent checks each upload's SHA-256 against the emulator's record of
the bytes it assembled. The emulator spools received segments under ``--spool-dir`` (``/dev/shm``
where it exists), so the disk writes of the stand-in are not in the figures.

Variants, all with the same segment plan:

- ``streamed``, ``streamed x4``, ``streamed x16``: ``S3RangeReader`` + ``upload_media`` with 1, 4
  and 16 APPENDs in flight (each APPEND's body streams its segment from S3 in 256 KiB blocks).
- ``baseline``: ``get_object`` read whole into memory, then the same chunked upload from memory.
- ``S3 leg`` (x1, x4): every segment read through ``S3RangeReader`` (its ranged GETs), discarded:
  the S3 side alone.
- ``emulator leg`` (x1, x4): the same chunked upload from one in-memory segment: the API side alone.

The first table also gives the most S3 GET requests any run of a variant made (one per upload when
parallel reads share the sequential GET).

The speed table divides the streamed upload's throughput by its slower leg's, at 1 and 4 in
flight: 1.0 means streaming costs nothing over the slower of its two halves. No client can reach
1.0 here: no APPEND byte leaves before S3's first byte, which moto sends only after reading the
whole object. The table gives that wait (the S3 leg's first block), the ceiling it leaves (the
slower leg's time over the first-byte wait plus the emulator leg's time), and the streamed ratio
over that ceiling. Then, with the emulator adding ``--latency-ms`` to every request, ``streamed``
with 1 and with 4 segments in flight, for the speed-up of parallel appends when the upload is
latency bound.

``BEFORE`` holds the peak RSS over idle that this bench measured on the code before APPEND bodies
streamed (each segment read whole into bytes, then copied into a multipart body); it is printed
next to today's figures.

Usage: ``python bench/upload.py [--sizes 64,256,512] [--segment-kib 4096] [--latency-ms 20]
[--latency-segment-kib 256] [--repeat 1] [--spool-dir /dev/shm]``
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.utils.segments import STREAM_BLOCK_BYTES

MIB = 1024 * 1024
BUCKET = "bench-assets"
WARMUP_KEY = "bench/warmup.txt"
VARIANTS = ("streamed", "streamed x4", "streamed x16", "baseline")
LEGS = ("S3 leg", "S3 leg x4", "emulator leg", "emulator leg x4")
#: Peak RSS over idle (MiB) before APPEND bodies streamed: this bench at 4096 KiB segments, on the
#: same machine, one run per variant (segments read whole, then copied into a multipart body).
BEFORE = {
    (64, "streamed"): 14,
    (64, "streamed x4"): 54,
    (64, "baseline"): 78,
    (256, "streamed"): 14,
    (256, "streamed x4"): 55,
    (256, "baseline"): 270,
    (512, "streamed"): 14,
    (512, "streamed x4"): 55,
    (512, "baseline"): 526,
}
# A memory-backed file system for the emulator's spool: the disk writes of a stand-in are noise here.
_MEMORY_DIR = "/dev/shm"
# Parts used to put the objects into S3: the parent never holds a whole object either.
_PUT_PART = 16 * MIB


# -- child side ------------------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu_seconds(pid: int) -> float:
    """utime + stime of another process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _OneSegmentReader:
    """Serves any range of the plan from one in-memory segment: the emulator leg reads no S3."""

    def __init__(self, segment_bytes: int) -> None:
        self._segment = memoryview(samples.MP4_FTYP + os.urandom(segment_bytes - len(samples.MP4_FTYP)))
        self._size = segment_bytes

    def _slices(self, start: int, end: int, block_bytes: int) -> Iterator[bytes]:
        for at in range(start, end, block_bytes):
            offset = at % self._size
            stop = min(end - at, block_bytes, self._size - offset)
            yield self._segment[offset : offset + stop]

    def read_range(self, start: int, end: int) -> bytes:
        return b"".join(self._slices(start, end, end - start or 1))

    def stream_range(self, start: int, end: int, block_bytes: int) -> Iterator[bytes]:
        return self._slices(start, end, block_bytes)


def _s3_leg(s3_hook: Any, key: str, segment_bytes: int, parallel: int, started: float) -> tuple[int, float]:
    """Every segment of the plan read through ``S3RangeReader.stream_range`` and discarded.

    The reads the streamed upload makes, without the APPENDs. Returns the GETs made and the seconds
    from ``started`` to the first block: what any client streaming from this S3 waits before its
    first APPEND byte. (A fresh ranged GET per segment is no raw figure here: moto copies the whole
    object for every GET, 0.5 s at 512 MiB.)
    """
    from concurrent.futures import ThreadPoolExecutor

    from airflow_provider_twitter_ads.hooks.s3_reader import S3RangeReader
    from airflow_provider_twitter_ads.utils.segments import plan_segments

    first_blocks: list[float] = []
    with S3RangeReader.open(BUCKET, key, s3_hook=s3_hook) as reader:

        def read(start: int, end: int) -> None:
            for _ in reader.stream_range(start, end):
                if start == 0 and not first_blocks:
                    first_blocks.append(time.perf_counter())

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            plan = plan_segments(reader.size, segment_bytes)
            # Announced in order, as upload_media does, so the reads share the GET.
            for segment in plan:
                reader.expect_read(segment.start, segment.end)
            for future in [pool.submit(read, s.start, s.end) for s in plan]:
                future.result()
        return reader.get_requests, first_blocks[0] - started


def _child(
    variant: str, key: str, segment_bytes: int, parallel: int, servers: dict[str, int]
) -> dict[str, Any]:
    import logging

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
    from airflow_provider_twitter_ads.hooks.s3_reader import S3RangeReader
    from airflow_provider_twitter_ads.hooks.upload import upload_media
    from airflow_provider_twitter_ads.utils.segments import BytesRangeReader

    logging.disable(logging.WARNING)
    hook = AdsApiHook()
    s3_hook = S3Hook(aws_conn_id="aws_default")
    client = s3_hook.get_conn()
    # Build both clients (boto3's client and resource models load slowly) and open their connections
    # before measuring: the idle figure includes them, and the timings are of the transfer alone.
    total = int(s3_hook.get_key(key, bucket_name=BUCKET).content_length)
    s3_hook.get_key(WARMUP_KEY, bucket_name=BUCKET)
    hook.test_connection()
    idle = _peak_rss_mib()

    servers_before = {name: _process_cpu_seconds(pid) for name, pid in servers.items()}
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    media_key = None
    s3_gets = 0
    first_byte_seconds = None
    if variant == "baseline":
        data = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        result = upload_media(
            hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", None, segment_bytes, 1
        )
        media_key = result["media_key"]
        s3_gets = 1
        del data
    elif variant == "streamed":
        with S3RangeReader.open(BUCKET, key, s3_hook=s3_hook) as reader:
            result = upload_media(
                hook, reader, reader.size, "video/mp4", "tweet_video", None, segment_bytes, parallel
            )
        media_key = result["media_key"]
        s3_gets = reader.get_requests
    elif variant == "S3 leg":
        s3_gets, first_byte_seconds = _s3_leg(s3_hook, key, segment_bytes, parallel, started)
    elif variant == "emulator leg":
        reader = _OneSegmentReader(segment_bytes)
        upload_media(hook, reader, total, "video/mp4", "tweet_video", None, segment_bytes, parallel)
    else:
        raise ValueError(f"unknown variant {variant!r}")
    elapsed = time.perf_counter() - started
    return {
        "variant": variant,
        "bytes": total,
        "seconds": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "server_cpu_seconds": {
            name: _process_cpu_seconds(pid) - servers_before[name] for name, pid in servers.items()
        },
        "idle_rss_mib": idle,
        "peak_rss_mib": _peak_rss_mib(),
        "media_key": media_key,
        "s3_gets": s3_gets,
        "first_byte_seconds": first_byte_seconds,
    }


# -- parent side -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 60.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def _servers(
    workdir: str, spool_dir: str | None
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, int]]]:
    """moto S3 and the emulator in subprocesses; yields their URLs, the emulator's connection, their PIDs."""
    port = _free_port()
    logs = open(os.path.join(workdir, "servers.log"), "wb")  # noqa: SIM115 - closed below
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=logs, stderr=logs
    )
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_twitter_ads.emulator",
            "--port",
            "0",
            "--processing-seconds",
            "1",
            *(["--upload-spool-dir", spool_dir] if spool_dir else []),
        ],
        stdout=subprocess.PIPE,
        stderr=logs,
        env={**os.environ, "AIRFLOW_HOME": workdir},
    )
    try:
        assert emulator.stdout is not None
        emulator_url = emulator.stdout.readline().decode().strip()
        line = emulator.stdout.readline().decode().strip()
        connection = json.loads(line.split("=", 1)[1].strip("'"))
        s3_url = f"http://127.0.0.1:{port}"
        _wait_for(s3_url)
        _wait_for(f"{emulator_url}/_emulator/health")
        yield s3_url, emulator_url, connection, {"emulator": emulator.pid, "moto": moto.pid}
    finally:
        for process in (emulator, moto):
            process.terminate()
        for process in (emulator, moto):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()


def _put_objects(s3_url: str, sizes_mb: list[int]) -> dict[int, tuple[str, str]]:
    """One object per size; returns size -> (key, sha256)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key=WARMUP_KEY, Body=b"warm-up")
    objects = {}
    for size_mb in sizes_mb:
        key = f"bench/{size_mb}mb.mp4"
        total = size_mb * MIB
        digest = hashlib.sha256()
        upload = client.create_multipart_upload(Bucket=BUCKET, Key=key, ContentType="video/mp4")
        parts = []
        for number, start in enumerate(range(0, total, _PUT_PART), start=1):
            chunk = os.urandom(min(_PUT_PART, total - start))
            if start == 0:
                chunk = samples.MP4_FTYP + chunk[len(samples.MP4_FTYP) :]
            digest.update(chunk)
            etag = client.upload_part(
                Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=chunk
            )["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
        client.complete_multipart_upload(
            Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
        )
        objects[size_mb] = (key, digest.hexdigest())
    return objects


def _run_child(
    env: dict[str, str], variant: str, key: str, segment_bytes: int, parallel: int, servers: dict[str, int]
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--key",
        key,
        "--child-segment-bytes",
        str(segment_bytes),
        "--child-parallel",
        str(parallel),
        "--child-servers",
        json.dumps(servers),
    ]
    done = subprocess.run(command, env=env, capture_output=True, timeout=1800, check=False)
    lines = [line for line in done.stdout.decode().splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{variant} child failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def _emulator_sha(emulator_url: str, media_key: str) -> str | None:
    import requests

    state = requests.get(f"{emulator_url}/_emulator/state", timeout=30).json()
    return next((m["sha256"] for m in state["media"] if m["media_key"] == media_key), None)


def _set_latency(emulator_url: str, seconds: float) -> None:
    import requests

    requests.post(
        f"{emulator_url}/_emulator/config", json={"latency": seconds}, timeout=10
    ).raise_for_status()


def _parallelism(variant: str) -> int:
    return int(variant.rsplit(" x", 1)[1]) if " x" in variant else 1


def _run_variant(
    env: dict[str, str],
    emulator_url: str,
    key: str,
    sha: str,
    variant: str,
    segment_bytes: int,
    servers: dict[str, int],
) -> dict[str, Any]:
    child_variant = variant.rsplit(" x", 1)[0]
    run = _run_child(env, child_variant, key, segment_bytes, _parallelism(variant), servers)
    if run["media_key"] is not None and _emulator_sha(emulator_url, run["media_key"]) != sha:
        raise RuntimeError(f"{variant}: the emulator's bytes differ from the S3 object {key}")
    return run


def _measure(
    env: dict[str, str],
    emulator_url: str,
    key: str,
    sha: str,
    variants: tuple[str, ...],
    segment_bytes: int,
    repeat: int,
    servers: dict[str, int],
) -> dict[str, dict[str, Any]]:
    """Each variant ``repeat`` times, in rounds that rotate the order so no variant always runs last."""
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for round_number in range(repeat):
        shift = round_number % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            runs[variant].append(_run_variant(env, emulator_url, key, sha, variant, segment_bytes, servers))
    summary = {}
    for variant, variant_runs in runs.items():
        # The fastest run: the machine is shared, slower runs measure the neighbours.
        best = min(variant_runs, key=lambda r: r["seconds"])
        summary[variant] = {
            **best,
            "variant": variant,
            "mb_per_s": best["bytes"] / MIB / best["seconds"],
            "cpu_seconds": min(r["cpu_seconds"] for r in variant_runs),
            "cores": _cores(best),
            "rss_over_idle_mib": max(r["peak_rss_mib"] - r["idle_rss_mib"] for r in variant_runs),
            # The most in any run: a GET more than the plan needs is a race between parallel reads.
            "s3_gets": max(r["s3_gets"] for r in variant_runs),
            "first_byte_seconds": min(
                (r["first_byte_seconds"] for r in variant_runs if r["first_byte_seconds"] is not None),
                default=None,
            ),
        }
    return summary


def _ceiling(s3_leg: dict[str, Any], api_leg: dict[str, Any]) -> float:
    """The best streamed / slower-leg ratio any client streaming from this S3 could reach.

    No APPEND byte can leave before S3's first byte, and the emulator takes the bytes no faster than
    in its own leg, so a streamed upload takes at least the S3 leg's first-byte time plus the
    emulator leg's time. Over the slower leg's throughput, that bound is the ceiling.
    """
    streamed_at_best = max(s3_leg["seconds"], s3_leg["first_byte_seconds"] + api_leg["seconds"])
    slower_seconds = max(s3_leg["seconds"], api_leg["seconds"])
    return slower_seconds / streamed_at_best


def _cores(run: dict[str, Any]) -> dict[str, float]:
    """Cores each process kept busy during the transfer (CPU seconds over wall seconds)."""
    busy = {"client": run["cpu_seconds"], **run["server_cpu_seconds"]}
    return {name: seconds / run["seconds"] for name, seconds in busy.items()}


def _busiest(cores: dict[str, float]) -> str:
    name = max(cores, key=lambda n: cores[n])
    return f"{name} {cores[name]:.2f}"


def _print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="64,256,512", help="object sizes in MiB, comma-separated")
    parser.add_argument("--segment-kib", type=int, default=4096, help="segment size (default 4096 KiB)")
    parser.add_argument(
        "--latency-ms", type=float, default=20.0, help="emulator latency for the speed-up run"
    )
    parser.add_argument(
        "--latency-segment-kib",
        type=int,
        default=256,
        help="segment size for the speed-up run (default 256)",
    )
    parser.add_argument("--latency-size", type=int, default=None, help="object for the speed-up run (MiB)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; the fastest is reported")
    parser.add_argument(
        "--spool-dir",
        default=_MEMORY_DIR if os.path.isdir(_MEMORY_DIR) else "",
        help=f"where the emulator keeps received segments (default: {_MEMORY_DIR} when it exists; "
        "empty: the system's temp dir, on disk)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--child-segment-bytes", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-parallel", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-servers", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        servers = json.loads(args.child_servers)
        result = _child(args.child, args.key, args.child_segment_bytes, args.child_parallel, servers)
        print("RESULT " + json.dumps(result), flush=True)
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    segment_bytes = args.segment_kib * 1024
    spool_dir = args.spool_dir or None
    if spool_dir is not None and not os.path.isdir(spool_dir):
        parser.error(f"--spool-dir {spool_dir!r} is not a directory")
    with (
        tempfile.TemporaryDirectory(prefix="bench-upload-") as workdir,
        _servers(workdir, spool_dir) as servers,
    ):
        s3_url, emulator_url, connection, pids = servers
        print(f"Emulator segment spool: {spool_dir or tempfile.gettempdir()}", flush=True)
        env = {
            **os.environ,
            "AIRFLOW_HOME": workdir,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW_CONN_TWITTER_ADS_DEFAULT": json.dumps(connection),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
                {
                    "conn_type": "aws",
                    "login": "bench",
                    "password": "bench",
                    "extra": {"endpoint_url": s3_url, "region_name": "us-east-1"},
                }
            ),
        }
        print(f"Putting {', '.join(f'{s} MiB' for s in sizes)} into S3 (moto)...", flush=True)
        objects = _put_objects(s3_url, sizes)

        rows, speed_rows = [], []
        for size in sizes:
            key, sha = objects[size]
            results = _measure(env, emulator_url, key, sha, VARIANTS + LEGS, segment_bytes, args.repeat, pids)
            for variant in VARIANTS:
                r = results[variant]
                before = BEFORE.get((size, variant))
                rows.append(
                    [
                        f"{size} MiB",
                        variant,
                        f"{r['mb_per_s']:.0f}",
                        f"{r['seconds']:.2f}",
                        f"{r['cpu_seconds']:.2f}",
                        f"{r['peak_rss_mib']:.0f}",
                        f"{r['rss_over_idle_mib']:.1f}",
                        "-" if before is None else str(before),
                        str(r["s3_gets"]),
                        _busiest(r["cores"]),
                    ]
                )
            for suffix, streamed in (("", "streamed"), (" x4", "streamed x4")):
                s3_leg, api_leg = results[f"S3 leg{suffix}"], results[f"emulator leg{suffix}"]
                slower = min(s3_leg["mb_per_s"], api_leg["mb_per_s"])
                ratio = results[streamed]["mb_per_s"] / slower
                ceiling = _ceiling(s3_leg, api_leg)
                cores = results[streamed]["cores"]
                speed_rows.append(
                    [
                        f"{size} MiB",
                        str(_parallelism(streamed)),
                        f"{results[streamed]['mb_per_s']:.0f}",
                        f"{s3_leg['mb_per_s']:.0f}",
                        f"{api_leg['mb_per_s']:.0f}",
                        f"{ratio:.2f}",
                        f"{s3_leg['first_byte_seconds'] * 1000:.0f}",
                        f"{ceiling:.2f}",
                        f"{ratio / ceiling:.2f}",
                        f"{results[streamed]['cpu_seconds']:.2f}",
                        " / ".join(f"{cores[n]:.2f}" for n in ("client", "emulator", "moto")),
                        f"{_busiest(s3_leg['cores'])}; {_busiest(api_leg['cores'])}",
                    ]
                )
            print(f"  {size} MiB done", flush=True)
        _print_table(
            f"Upload from S3, {args.segment_kib} KiB segments in {STREAM_BLOCK_BYTES // 1024} KiB blocks "
            "(idle process: imports and open connections; before: peak over idle when each segment "
            "was read whole)",
            [
                "object",
                "variant",
                "MiB/s",
                "seconds",
                "client CPU s",
                "peak RSS MiB",
                "over idle MiB",
                "before MiB",
                "S3 GETs",
                "busiest (cores)",
            ],
            rows,
        )
        _print_table(
            f"Streamed upload against its raw legs, {args.segment_kib} KiB segments "
            f"({os.cpu_count()} cores shared by client, emulator and moto)",
            [
                "object",
                "in flight",
                "streamed MiB/s",
                "S3 leg MiB/s",
                "emulator leg MiB/s",
                "streamed / slower leg",
                "S3 first byte ms",
                "ceiling",
                "streamed / ceiling",
                "client CPU s",
                "cores client / emulator / moto",
                "busiest in S3 leg; emulator leg",
            ],
            speed_rows,
        )

        latency_size = args.latency_size or sizes[0]
        key, sha = objects.get(latency_size) or _put_objects(s3_url, [latency_size])[latency_size]
        _set_latency(emulator_url, args.latency_ms / 1000)
        latency_segment = args.latency_segment_kib * 1024
        pair = ("streamed", "streamed x4")
        latency_runs = _measure(env, emulator_url, key, sha, pair, latency_segment, args.repeat, pids)
        one, four = latency_runs["streamed"], latency_runs["streamed x4"]
        _set_latency(emulator_url, 0.0)
        segments = -(-latency_size * MIB // latency_segment)
        _print_table(
            f"{args.latency_ms:g} ms emulator latency per request, {latency_size} MiB in {segments} segments "
            f"of {args.latency_segment_kib} KiB",
            ["segments in flight", "MiB/s", "seconds", "over idle MiB", "speed-up"],
            [
                [
                    "1",
                    f"{one['mb_per_s']:.1f}",
                    f"{one['seconds']:.2f}",
                    f"{one['rss_over_idle_mib']:.0f}",
                    "1.0x",
                ],
                [
                    "4",
                    f"{four['mb_per_s']:.1f}",
                    f"{four['seconds']:.2f}",
                    f"{four['rss_over_idle_mib']:.0f}",
                    f"{one['seconds'] / four['seconds']:.1f}x",
                ],
            ],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
