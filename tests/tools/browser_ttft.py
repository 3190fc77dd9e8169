"""Benchmark (not a test): time from pressing Enter to the first visible answer token in a real browser.

`python -m tests.tools.browser_ttft [--url URL] [--runs N]` drives headless Chromium against URL, or against a
fresh `python app.py` (the embedded model) on a free port. Each run opens a new page, asks one of the
example questions and measures in the page, from the Enter keydown to the first answer text in the
chat (a MutationObserver, so no polling delay) and to the sources appearing. Prints one line a run
and the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import QUESTIONS
from tests.conftest import PROJECT_DIR, free_port
from tests.test_browser import ARGS, CHROMIUM

MEASURE = r"""
() => {
  const answers = () => document.querySelectorAll('#chat [data-testid="bot"] .md');  // text, not spinners
  const before = answers().length;
  window.__timing = new Promise((resolve) => {
    let start = 0, first = 0;
    document.querySelector('#question textarea').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !start) start = performance.now();
    }, true);
    new MutationObserver((_, observer) => {
      const bots = answers();
      const text = bots.length > before ? bots[bots.length - 1].innerText.replace(/[…\s]/g, '') : '';
      if (start && !first && text) first = performance.now();
      if (start && first && document.querySelector('#sources section.turn')) {
        observer.disconnect();
        resolve({ttft_s: (first - start) / 1000, total_s: (performance.now() - start) / 1000});
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}
"""


def measure(url: str, runs: int) -> list[dict[str, float]]:
    """Ask `runs` questions, each in a fresh page; the timings measured in the page."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for run in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})  # empty storage: no old turns
            page = context.new_page()
            page.goto(url, wait_until="load")
            box = page.locator("#question textarea")
            box.wait_for(timeout=60_000)
            box.fill(QUESTIONS[run % len(QUESTIONS)])
            page.evaluate(MEASURE)
            box.press("Enter")
            timing = page.evaluate("window.__timing")
            results.append(timing)
            print(f"run {run + 1}: first token {timing['ttft_s']:.2f} s, sources shown {timing['total_s']:.2f} s")
            context.close()
        browser.close()
    return results


def main() -> int:
    """Run the benchmark; prints the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start `python app.py` with a fresh data dir)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = measure(args.url, args.runs) if args.url else _with_fresh_app(args.runs)
    print(
        f"median over {len(results)} runs: first token {statistics.median(r['ttft_s'] for r in results):.2f} s, "
        f"sources shown {statistics.median(r['total_s'] for r in results):.2f} s"
    )
    return 0


def _with_fresh_app(runs: int) -> list[dict[str, float]]:
    import httpx

    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(Path(data) / "data"), "ANONYMIZED_TELEMETRY": "False"}
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_DIR, env=env)
        try:
            url = f"http://127.0.0.1:{port}/"
            while process.poll() is None:
                try:
                    if httpx.get(url + "healthz", timeout=2).status_code == 200:
                        return measure(url, runs)
                except httpx.HTTPError:
                    time.sleep(0.5)
            raise SystemExit(f"app.py exited with {process.returncode}")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
