"""A real Airflow in a temporary home: scheduler, dag-processor, triggerer and api-server processes.

``real_airflow(emulator, s3_url, work_dir)`` migrates a fresh SQLite metadata DB, starts the four
components (LocalExecutor, so task instances run in real worker processes), waits until the DAG
files are parsed, and yields a :class:`RealAirflow` to unpause and trigger DAGs, wait for runs, read
task instances, find and kill a running task's process, and read the emulator's request log. On
exit every process it started is stopped by PID, whatever happened; each component's log is a file
in the home, and :meth:`RealAirflow.log_tails` prints their last lines.

The REST API (``/api/v2``) is the one way in: the simple auth manager runs with
``simple_auth_manager_all_admins``, so no password is needed on this loopback-only instance.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import psutil

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

ROOT = Path(__file__).resolve().parents[2]


def _load_demo() -> ModuleType:
    """``scripts/demo.py`` as a module: its environment, sample assets and state check are reused."""
    name = "twitter_ads_demo_script"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


demo = _load_demo()

COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
#: The scheduler's line for apache/airflow#67287: a trigger fired before the deferring worker exited.
RACE_67287 = re.compile(r"finished with state success, but the task instance's state attribute is queued")
_RACE_TASK = re.compile(r"<TaskInstance: (\S+ \S+) ")
TERMINAL_RUN_STATES = ("success", "failed")
FINISHED_TASK_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")


class HarnessError(Exception):
    """A component did not start or a run did not finish in time; the message says where to look."""


@dataclass(frozen=True)
class TaskInstance:
    """One task instance of a run, as the REST API reports it."""

    task_id: str
    map_index: int
    state: str | None
    try_number: int
    pid: int | None
    rendered_map_index: str | None = None

    @property
    def label(self) -> str:
        if self.map_index < 0:
            return self.task_id
        return f"{self.task_id}[{self.rendered_map_index or self.map_index}]"


@dataclass(frozen=True)
class RunOutcome:
    dag_id: str
    run_id: str
    state: str | None
    task_instances: list[TaskInstance]

    @property
    def not_succeeded(self) -> list[str]:
        return [f"{ti.label}: {ti.state}" for ti in self.task_instances if ti.state != "success"]


@dataclass
class _Component:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]


class RealAirflow:
    """The running components of one Airflow home; made by :func:`real_airflow`."""

    def __init__(self, home: Path, env: dict[str, str], api_url: str, emulator_url: str) -> None:
        self.home = home
        self.env = env
        self.api_url = api_url
        self.emulator_url = emulator_url
        self.started = time.monotonic()
        self.logs = home / "component-logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._components: list[_Component] = []
        # Each component leads its own session, which every process under it inherits (task
        # processes change only their process group), so the session ids find them all.
        self._sessions: set[int] = set()

    # -- processes --------------------------------------------------------------------------------

    def run_command(self, args: Sequence[str], timeout: float) -> None:
        """Run ``airflow *args`` to completion, its output appended to a log file named for it."""
        log_path = self.logs / f"{args[0]}-{args[1] if len(args) > 1 else 'run'}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process.pid)
                process.wait()
                raise HarnessError(
                    f"airflow {' '.join(args)} did not finish in {timeout:.0f} s; see {log_path}"
                ) from None
        if code != 0:
            raise HarnessError(
                f"airflow {' '.join(args)} exited {code}; see {log_path}\n{demo.tail(log_path)}"
            )

    def start_component(self, name: str, *args: str) -> None:
        """Start ``airflow <name> *args`` in its own process group, logging to ``<name>.log``."""
        log_path = self.logs / f"{name}.log"
        log_file = log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "airflow", name, *args],
            env=self.env,
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._components.append(_Component(name, process, log_path, log_file))
        self._sessions.add(process.pid)

    @property
    def component_pids(self) -> dict[str, int]:
        """The PID of each running component, by name (``scheduler``, ``triggerer``, ...)."""
        return {component.name: component.process.pid for component in self._components}

    def check_components(self) -> None:
        """Raise if a component has exited."""
        for component in self._components:
            if component.process.poll() is not None:
                raise HarnessError(
                    f"airflow {component.name} exited with code {component.process.returncode}; "
                    f"see {component.log_path}\n{demo.tail(component.log_path)}"
                )

    def stop(self, grace: float = 20.0) -> list[int]:
        """Stop every component and every process under them; returns the PIDs that needed SIGKILL.

        Components get SIGTERM to their process group and ``grace`` seconds; then anything still
        running in their sessions (task processes run in process groups of their own) gets SIGKILL.
        """
        with suppress(HarnessError):
            self.check_components()
        for component in self._components:
            if component.process.poll() is None:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(component.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for component in self._components:
            with suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        killed = []
        for component in self._components:
            if component.process.poll() is None:
                _kill_group(component.process.pid)
                killed.append(component.process.pid)
            component.process.wait()
            component.log_file.close()
        stragglers = self.processes()
        for process in stragglers:
            # A task process leads its own group: its children go with it.
            with suppress(ProcessLookupError, PermissionError):
                if os.getpgid(process.pid) == process.pid:
                    os.killpg(process.pid, signal.SIGKILL)
            with suppress(psutil.Error):
                process.kill()
            killed.append(process.pid)
        psutil.wait_procs(stragglers, timeout=10)
        self._components.clear()
        return sorted(set(killed))

    def processes(self) -> list[psutil.Process]:
        """Every live process this Airflow started: components, executor workers, task processes.

        Found by session id, not by environment: Airflow's process titles overwrite the memory
        that ``/proc/<pid>/environ`` reads.
        """
        found = []
        for process in psutil.process_iter():
            with suppress(OSError, psutil.Error):
                if os.getsid(process.pid) in self._sessions and is_alive(process):
                    found.append(process)
        return found

    def log_tails(self, lines: int = 40) -> str:
        """The last lines of every component's log, each under its path."""
        return "\n".join(f"--- {path}\n{demo.tail(path, lines)}" for path in sorted(self.logs.glob("*.log")))

    # -- REST API ---------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        """One call of the REST API (``/api/v2`` + ``path``); returns the decoded JSON.

        A GET or PATCH that gets no answer (a busy machine) is sent again, twice at most; a POST
        never is, so that a run is never triggered twice.
        """
        data = None if body is None else json.dumps(body).encode()
        attempts = 3 if method in ("GET", "PATCH") else 1
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(
                f"{self.api_url}/api/v2{path}",
                data=data,
                method=method,
                headers={"content-type": "application/json", "accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")[:2000]
                raise HarnessError(f"{method} {path}: HTTP {error.code}: {detail}") from None
            except OSError as error:
                if attempt == attempts:
                    raise HarnessError(f"{method} {path}: no answer from the api-server ({error})") from None
                time.sleep(1)
        raise AssertionError("unreachable")

    def wait_for_dags(self, dag_ids: Iterable[str], timeout: float) -> None:
        """Wait until the dag-processor has parsed every DAG; raise on an import error."""
        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        while True:
            self.check_components()
            errors = self.api("GET", "/importErrors")["import_errors"]
            if errors:
                raise HarnessError(f"DAG import errors: {json.dumps(errors, indent=2)}")
            found = {dag["dag_id"] for dag in self.api("GET", "/dags?limit=100")["dags"]}
            if wanted <= found:
                return
            if time.monotonic() > deadline:
                raise HarnessError(f"DAGs {sorted(wanted - found)} not parsed within {timeout:.0f} s")
            time.sleep(1)

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any], run_id: str | None = None) -> str:
        """Create a manual run of ``dag_id`` with ``conf``; returns its run id."""
        body: dict[str, Any] = {"logical_date": None, "conf": conf}
        if run_id is not None:
            body["dag_run_id"] = run_id
        return self.api("POST", f"/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}")["state"]

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        """Every task instance of the run (mapped ones one per map index), by task id and index."""
        rows = self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances?limit=1000")
        instances = [
            TaskInstance(
                task_id=row["task_id"],
                map_index=int(row["map_index"]),
                state=row["state"],
                try_number=int(row["try_number"]),
                pid=row.get("pid"),
                rendered_map_index=row.get("rendered_map_index"),
            )
            for row in rows["task_instances"]
        ]
        return sorted(instances, key=lambda ti: (ti.task_id, ti.map_index))

    def wait_for_runs(self, runs: Sequence[tuple[str, str]], timeout: float) -> list[RunOutcome]:
        """Wait until every ``(dag_id, run_id)`` is success or failed; raise after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        pending = list(runs)
        while pending:
            self.check_components()
            pending = [run for run in pending if self.run_state(*run) not in TERMINAL_RUN_STATES]
            if not pending:
                break
            if time.monotonic() > deadline:
                states = {f"{d}/{r}": self.task_instances(d, r) for d, r in pending}
                raise HarnessError(f"runs not finished within {timeout:.0f} s: {states}")
            time.sleep(2)
        return [RunOutcome(d, r, self.run_state(d, r), self.task_instances(d, r)) for d, r in runs]

    def wait_for_task(
        self,
        dag_id: str,
        run_id: str,
        task_id: str,
        states: Sequence[str],
        timeout: float,
        map_index: int = -1,
    ) -> TaskInstance:
        """Wait until the task instance is in one of ``states``; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_components()
            for ti in self.task_instances(dag_id, run_id):
                if ti.task_id == task_id and ti.map_index == map_index and ti.state in states:
                    return ti
            if time.monotonic() > deadline:
                raise HarnessError(
                    f"{dag_id}/{run_id}/{task_id} not in {list(states)} within {timeout:.0f} s"
                )
            time.sleep(0.5)

    # -- task processes ---------------------------------------------------------------------------

    def task_pid(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> int:
        """The PID of the running task's process (the task runner that executes the operator).

        It is the task instance's ``pid``, which the task reports when it starts; it is checked to be
        a live process of this home, so a stale PID of an earlier try is never returned.
        """
        for ti in self.task_instances(dag_id, run_id):
            if ti.task_id == task_id and ti.map_index == map_index:
                if ti.state != "running" or ti.pid is None:
                    raise HarnessError(f"{ti.label} is {ti.state} (pid {ti.pid}), not running")
                if ti.pid not in {p.pid for p in self.processes()}:
                    raise HarnessError(f"{ti.label}: pid {ti.pid} is not a live process of {self.home}")
                return ti.pid
        raise HarnessError(f"{dag_id}/{run_id} has no task instance {task_id}[{map_index}]")

    def kill_task(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> int:
        """SIGKILL the running task's process, as an OOM kill or a lost node would; returns its PID."""
        pid = self.task_pid(dag_id, run_id, task_id, map_index)
        os.kill(pid, signal.SIGKILL)
        return pid

    # -- what the scheduler, the triggerer and the emulator saw -----------------------------------

    def trigger_log(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
        """What the triggerer logged while running the task instance's triggers (every try)."""
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        if map_index >= 0:
            folder /= f"map_index={map_index}"
        return "".join(_read(path) for path in sorted(folder.glob("attempt=*.log.trigger.*.log")))

    def task_log(self, dag_id: str, run_id: str, ti: TaskInstance, lines: int = 80) -> str:
        """The last lines of each try's log of the task instance, each under its path."""
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={ti.task_id}"
        if ti.map_index >= 0:
            folder /= f"map_index={ti.map_index}"
        paths = sorted(path for path in folder.glob("attempt=*.log") if ".trigger." not in path.name)
        return "\n".join(f"--- {path}\n{demo.tail(path, lines)}" for path in paths) or f"no log in {folder}"

    def failure_report(self, outcome: RunOutcome) -> str:
        """The run's outcome and the log tail of every task instance of it that did not succeed."""
        logs = [
            f"=== {ti.label} ({ti.state}, try {ti.try_number})\n{self.task_log(outcome.dag_id, outcome.run_id, ti)}"
            for ti in outcome.task_instances
            if ti.state != "success"
        ]
        return "\n".join([repr(outcome), *logs])

    def race_67287_hits(self) -> list[str]:
        """``dag_id.task_id run_id`` of each time the scheduler logged apache/airflow#67287, in order.

        A hit usually puts the task instance up for retry (``try_number`` 2); not always, when the
        resumed try was already on its way.
        """
        hits = []
        for line in _read(self.logs / "scheduler.log").splitlines():
            if RACE_67287.search(line):
                found = _RACE_TASK.search(line)
                hits.append(found.group(1) if found else "?")
        return hits

    def emulator_requests(self) -> list[dict[str, Any]]:
        """The emulator's request log (API calls only), over its ``/_emulator/requests`` endpoint."""
        with urllib.request.urlopen(f"{self.emulator_url}/_emulator/requests", timeout=30) as response:
            return json.loads(response.read())["requests"]

    def emulator_request_counts(self) -> Counter[str]:
        """Requests by ``METHOD path`` plus the upload ``command`` where there is one."""
        counts: Counter[str] = Counter()
        for entry in self.emulator_requests():
            command = entry.get("query", {}).get("command")
            counts[f"{entry['method']} {entry['path']}" + (f" {command}" if command else "")] += 1
        return counts

    def emulator_state(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.emulator_url}/_emulator/state", timeout=30) as response:
            return json.loads(response.read())


def _quote(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def is_alive(process: psutil.Process) -> bool:
    """Running, and not a zombie (an orphan's zombie lingers where PID 1 does not reap)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def airflow_env(
    home: Path, dags_folder: Path, emulator: AdsApiEmulator, s3_url: str, api_port: int
) -> dict[str, str]:
    """The demo's environment (private home, SQLite, the two connections) for the real components."""
    env = demo.airflow_env(home, emulator.url, s3_url)
    api_url = f"http://127.0.0.1:{api_port}"
    env.update(
        {
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW_CONN_TWITTER_ADS_DEFAULT": json.dumps(emulator.airflow_connection(timeout=30)),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # Two cores shared with other work: a few task processes at a time.
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
            "AIRFLOW__API__BASE_URL": api_url,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            # The scheduler signs the tokens that the api-server checks: one secret for both.
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
    )
    return env


def _wait_for_api(airflow: RealAirflow, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        airflow.check_components()
        try:
            with urllib.request.urlopen(f"{airflow.api_url}/api/v2/monitor/health", timeout=5):
                return
        except (OSError, urllib.error.HTTPError):
            if time.monotonic() > deadline:
                raise HarnessError(f"the api-server did not answer within {timeout:.0f} s") from None
            time.sleep(1)


@contextmanager
def real_airflow(
    emulator: AdsApiEmulator,
    s3_url: str,
    work_dir: Path,
    dag_files: Sequence[Path] = (),
    startup_timeout: float = 240.0,
) -> Iterator[RealAirflow]:
    """A real Airflow on a fresh home under ``work_dir``, its DAGs folder a copy of ``dag_files``.

    Yields once every component is up and every DAG file is parsed; stops everything on exit.
    """
    home = work_dir / "airflow-home"
    dags_folder = home / "dags"
    dags_folder.mkdir(parents=True)
    for path in dag_files:
        shutil.copy2(path, dags_folder / path.name)
    api_port = demo.free_port()
    airflow = RealAirflow(
        home,
        airflow_env(home, dags_folder, emulator, s3_url, api_port),
        f"http://127.0.0.1:{api_port}",
        emulator.url,
    )
    try:
        airflow.run_command(["db", "migrate"], timeout=startup_timeout)
        airflow.start_component(
            "api-server", "--port", str(api_port), "--host", "127.0.0.1", "--workers", "1"
        )
        # Task logs are files in this home, read from there: no log servers on fixed ports.
        airflow.start_component("scheduler", "--skip-serve-logs")
        airflow.start_component("dag-processor")
        airflow.start_component("triggerer", "--skip-serve-logs")
        deadline = time.monotonic() + startup_timeout
        _wait_for_api(airflow, startup_timeout)
        dag_ids = [_dag_id_of(path) for path in dag_files]
        airflow.wait_for_dags(dag_ids, max(1.0, deadline - time.monotonic()))
        yield airflow
    except BaseException:
        print(f"real Airflow in {home} failed; component logs:\n{airflow.log_tails()}")
        raise
    finally:
        airflow.stop()


def _dag_id_of(path: Path) -> str:
    found = re.search(r'dag_id="([^"]+)"', path.read_text(encoding="utf-8"))
    if found is None:
        raise HarnessError(f'{path}: no dag_id="..." found')
    return found.group(1)
