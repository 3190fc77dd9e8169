"""`python -m tests.tools.load --sessions 25 --questions 5 --retrieve 200 [--rounds 2]`: load figures for an app.

Starts `python app.py` on a free port (or targets `--url`, with `--pid` for its memory), then fires the
`/retrieve` calls all at once, and then runs the chat sessions side by side, each asking its questions
one after another through `/ask` with its own history, over `gradio_client`. Prints successes, "busy"
refusals, other errors (failures), p50/p95 latencies and the app's resident memory before and after.

`python -m tests.tools.load --compare [--counts 1,4,8,16] [--questions 3] [--rounds 2]` runs the same
sessions through `/ask_stream` against two set-ups in one run, same GGUF, same machine: (a) one app with
the embedded model, (b) `llama-server --parallel 4` behind two app replicas on one `chroma run`
(sessions alternate between the replicas). It prints, per set-up and number of sessions, answers per
minute, first-token and total p50/p95, busy and failed, and the memory of every process per round.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_DIR
from tests.conftest import free_port

QUESTIONS = [
    "How many Sunni civilians did Reuters confirm were killed?",
    "Why did the US-led coalition pause training of Iraqi forces?",
    "What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?",
    "Who wrote the letter suggesting US forces were pulling out of Iraq?",
    "What did they say about it afterwards?",
]
BUSY = ("busy", "queue is full", "too many")
TIMEOUT_S = 600


def _rss_mb(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, float, Any]:
    """("ok" | "busy" | the error), seconds, the result (the message when busy, None on other errors)."""
    started, result = time.monotonic(), None
    try:
        result = call(*args, **kwargs)
        outcome = "ok"
    except Exception as error:  # every failure is counted and shown, none stops the run
        text = str(error)
        busy = any(word in text.lower() for word in BUSY)
        outcome, result = ("busy", text) if busy else (f"{type(error).__name__}: {text[:120]}", None)
    return outcome, time.monotonic() - started, result


def _session(url: str, questions: int) -> list[tuple[str, float, Any]]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    history: list[list[str]] = []
    results: list[tuple[str, float, Any]] = []
    for i in range(questions):
        question = QUESTIONS[i % len(QUESTIONS)]
        results.append(_timed(client.predict, question, list(history), api_name="/ask"))
        if results[-1][0] == "ok":
            history.append([question, results[-1][2]["answer"]])
    return results


def _retrieve_burst(url: str, calls: int) -> list[tuple[str, float, Any]]:
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(min(10, calls))]
    with ThreadPoolExecutor(max_workers=calls) as pool:
        futures = [
            pool.submit(_timed, clients[i % len(clients)].predict, QUESTIONS[i % 4], 5, api_name="/retrieve")
            for i in range(calls)
        ]
        return [f.result() for f in futures]


def _report(name: str, results: list[tuple[str, float, Any]]) -> int:
    ok = sorted(seconds for outcome, seconds, _ in results if outcome == "ok")
    busy = sum(outcome == "busy" for outcome, _, _ in results)
    failures = [outcome for outcome, _, _ in results if outcome not in ("ok", "busy")]

    def pct(q: float) -> str:
        return f"{ok[min(len(ok) - 1, int(q * len(ok)))]:.2f} s" if ok else "-"

    counts = f"{len(results)} calls, {len(ok)} ok, {busy} busy, {len(failures)} failures"
    print(f"{name}: {counts}; p50 {pct(0.5)}, p95 {pct(0.95)}")
    busy_said = next((result for outcome, _, result in results if outcome == "busy"), "")
    if busy_said:
        print(f"  busy means: {busy_said}")
    for failure in sorted(set(failures)):
        print(f"  failure x{failures.count(failure)}: {failure}")
    return len(failures)


def _start_app(data: Path) -> tuple[str, subprocess.Popen[bytes]]:
    from tests.conftest import wait_for_http

    port, log = free_port(), data / "app.log"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data / "data"), "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_DIR, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}/"
    wait_for_http(url, app, log, timeout_s=300)
    return url, app


def _streamed(client: Any, question: str, history: list[list[str]]) -> tuple[dict[str, Any], float]:
    """The last update of /ask_stream and the seconds to the first one holding text."""
    started, first = time.monotonic(), float("nan")
    job = client.submit(question, history, api_name="/ask_stream")
    while not job.done():  # polled: iterating a job the full queue turned away can wait for ever
        if first != first and any(update.get("answer") for update in job.outputs()):  # nan: not seen yet
            first = time.monotonic() - started
        if time.monotonic() - started > TIMEOUT_S:
            raise TimeoutError(f"no answer within {TIMEOUT_S} s")
        time.sleep(0.05)
    last = job.result()  # raises what the server said (busy, or an error)
    if first != first:
        first = time.monotonic() - started  # it came whole
    return last, first


def _stream_session(url: str, questions: int, start: int = 0) -> list[tuple[str, float, float]]:
    """(outcome, first-token seconds, total seconds) of each question of one session, which starts at
    question `start` of QUESTIONS (sessions asking the same prompt at once would measure its cache)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    history: list[list[str]] = []
    results = []
    for i in range(questions):
        question = QUESTIONS[(start + i) % len(QUESTIONS)]
        outcome, seconds, result = _timed(_streamed, client, question, list(history))
        if outcome == "ok":
            reply, first = result
            history.append([question, reply["answer"]])
            results.append(("ok", first, seconds))
        else:
            results.append((outcome, float("nan"), seconds))
    return results


def _row(setup: str, sessions: int, results: list[tuple[str, float, float]], wall: float) -> str:
    ok = [r for r in results if r[0] == "ok"]
    busy = sum(r[0] == "busy" for r in results)
    failed = len(results) - len(ok) - busy

    def pct(values: list[float], q: float) -> str:
        values = sorted(v for v in values if v == v)
        return f"{values[min(len(values) - 1, int(q * len(values)))]:.1f}" if values else "-"

    first, total = [r[1] for r in ok], [r[2] for r in ok]
    return (
        f"| {setup} | {sessions} | {len(ok)} | {60 * len(ok) / wall:.1f} | {pct(first, 0.5)} / {pct(first, 0.95)} s "
        f"| {pct(total, 0.5)} / {pct(total, 0.95)} s | {busy} | {failed} |"
    )


@contextmanager
def _embedded(root: Path) -> Iterator[tuple[list[str], list[subprocess.Popen[bytes]]]]:
    url, app = _start_app(root)
    try:
        yield [url], [app]
    finally:
        app.terminate()
        app.wait(timeout=60)


@contextmanager
def _batched(root: Path) -> Iterator[tuple[list[str], list[subprocess.Popen[bytes]]]]:
    from tests.test_batched_server import batched_stack

    with batched_stack(root) as stack:
        yield stack.urls, stack.processes


def compare(counts: list[int], questions: int, rounds: int) -> int:
    """Both set-ups, every session count, `rounds` times; prints the table; 1 when anything failed."""
    print("| set-up | sessions | answers | answers/min | first token p50 / p95 | total p50 / p95 | busy | failed |")
    print("|---|---|---|---|---|---|---|---|")
    failures, memory = 0, []
    for setup, start in (("embedded model, 1 app", _embedded), ("llama-server --parallel 4, 2 apps", _batched)):
        with tempfile.TemporaryDirectory(prefix="load-") as scratch, start(Path(scratch)) as (urls, processes):
            rss = [sum(_rss_mb(p.pid) for p in processes)]
            for round_ in range(1, rounds + 1):
                for sessions in counts:
                    started = time.monotonic()
                    with ThreadPoolExecutor(max_workers=sessions) as pool:
                        targets = [urls[i % len(urls)] for i in range(sessions)]  # alternate replicas
                        done = list(pool.map(_stream_session, targets, [questions] * sessions, range(sessions)))
                    results = [r for s in done for r in s]
                    name = setup if rounds == 1 else f"{setup}, round {round_}"
                    print(_row(name, sessions, results, time.monotonic() - started), flush=True)
                    failures += sum(r[0] not in ("ok", "busy") for r in results)
                rss.append(sum(_rss_mb(p.pid) for p in processes))
            memory.append(f"{setup}: " + " -> ".join(f"{m:.0f} MB" for m in rss))
    print("\nresident memory of all its processes, at the start and after each round:")
    for line in memory:
        print(f"- {line}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the figures; the exit status is 1 when anything failed but "busy"."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--retrieve", type=int, default=200)
    parser.add_argument("--url", help="a running app (default: start one)")
    parser.add_argument("--pid", type=int, help="the running app's process id, for its memory")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the load (memory flat: round 2 vs round 1)")
    parser.add_argument("--compare", action="store_true", help="the embedded model against llama-server + 2 apps")
    parser.add_argument("--counts", default="1,4,8,16", help="with --compare: the numbers of sessions")
    args = parser.parse_args(argv)
    if args.compare:
        return compare([int(n) for n in args.counts.split(",")], args.questions, args.rounds)
    app = None
    with tempfile.TemporaryDirectory(prefix="load-") as scratch:
        if args.url:
            url, pid = args.url, args.pid
        else:
            url, app = _start_app(Path(scratch))
            pid = app.pid
        failures = 0
        try:
            for round_ in range(1, args.rounds + 1):
                before = _rss_mb(pid)
                started = time.monotonic()
                print(f"round {round_} of {args.rounds}")
                failures += _report(f"/retrieve x{args.retrieve} at once", _retrieve_burst(url, args.retrieve))
                with ThreadPoolExecutor(max_workers=args.sessions) as pool:
                    sessions = list(pool.map(lambda _: _session(url, args.questions), range(args.sessions)))
                name = f"/ask: {args.sessions} sessions x {args.questions} questions"
                failures += _report(name, [r for s in sessions for r in s])
                after = _rss_mb(pid)
                print(f"wall {time.monotonic() - started:.0f} s; app RSS {before:.0f} MB before, {after:.0f} MB after")
        finally:
            if app is not None:
                app.terminate()
                app.wait(timeout=30)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
