"""Side-by-side PII benchmark: hushdesk vs Presidio on the same documents, same run.

Each system runs as its own process reading the JSONL documents on stdin (the
hushdesk CLI contract, ``python -m hushdesk.redaction --jsonl``), so peak memory
(max RSS, from wait4) and time are measured the same way for both. Predictions
are scored with the shared scorer.

    bench/pii/setup.sh                 # once: Presidio + spaCy small model in bench/pii/.venv
    .venv/bin/python bench/pii/bench.py [--data DIR] [--sources a,b]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
LABEL_RESTRICTIONS = {"wnut17": "PERSON,ADDRESS,ORGANIZATION"}


@dataclass
class Run:
    seconds: float
    startup_seconds: float
    peak_rss_mb: float
    predictions: Path


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("pii_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_system(command: list[str], env: dict[str, str], source: Path, predictions: Path) -> tuple[float, float]:
    """Run ``command`` with ``source`` on stdin; returns (wall seconds, peak RSS in MB)."""
    with source.open("rb") as stdin, predictions.open("wb") as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=stdin, stdout=stdout, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def measure(name: str, command: list[str], env: dict[str, str], source: Path, out_dir: Path) -> Run:
    empty = out_dir / "empty.jsonl"
    empty.write_text("")
    startup, _ = run_system(command, env, empty, out_dir / f"{name}.empty.out")
    predictions = out_dir / f"{source.stem}.{name}.jsonl"
    seconds, peak = run_system(command, env, source, predictions)
    return Run(seconds, startup, peak, predictions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "pii" / "dev")
    parser.add_argument("--scorer", type=Path, default=SHARED / "bench" / "pii_score.py")
    parser.add_argument("--sources", help="comma-separated source names (default: every *.jsonl)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per system, alternating; the fastest counts (default 1)"
    )
    args = parser.parse_args()

    presidio_python = HERE / ".venv" / "bin" / "python"
    if not presidio_python.exists():
        raise SystemExit("run bench/pii/setup.sh first (it installs the Presidio baseline)")
    hushdesk_python = REPO / ".venv" / "bin" / "python"
    args.out.mkdir(parents=True, exist_ok=True)
    scorer = load_scorer(args.scorer)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"}
    systems = {
        "hushdesk": [str(hushdesk_python if hushdesk_python.exists() else sys.executable),
                     "-m", "hushdesk.redaction", "--jsonl"],
        "presidio": [str(presidio_python), str(HERE / "run_presidio.py")],
    }  # fmt: skip
    wanted = set(args.sources.split(",")) if args.sources else None
    sources = sorted(p for p in args.data.glob("*.jsonl") if wanted is None or p.stem in wanted)
    rows: list[dict[str, object]] = []
    for source in sources:
        chars = sum(len(json.loads(line)["text"]) for line in source.open(encoding="utf-8") if line.strip())
        labels = LABEL_RESTRICTIONS.get(source.stem)
        gold = scorer.load(str(source))
        runs: dict[str, Run] = {}
        for _ in range(args.repeat):  # alternate the systems so machine load hits both alike
            for name, command in systems.items():
                run = measure(name, command, env, source, args.out)
                best = runs.get(name)
                if best is None or run.seconds < best.seconds:
                    runs[name] = run
        for name, run in runs.items():
            result = scorer.score(gold, scorer.load(str(run.predictions)),
                                  set(labels.split(",")) if labels else None)  # fmt: skip
            steady = max(run.seconds - run.startup_seconds, 1e-9)
            rows.append({
                "source": source.stem, "system": name, "docs": result["docs"], "chars": chars,
                "exact_f1": result["overall"]["exact"]["f1"], "partial_f1": result["overall"]["partial"]["f1"],
                "leak_rate": result["chars"]["leak_rate"], "over_redaction": result["chars"]["over_redaction"],
                "chars_per_s": chars / run.seconds, "steady_chars_per_s": chars / steady,
                "startup_s": run.startup_seconds, "peak_rss_mb": run.peak_rss_mb,
            })  # fmt: skip
            print(f"  {source.stem:<22} {name:<9} done in {run.seconds:.1f}s", file=sys.stderr)
    print_table(rows)
    (args.out / "results.json").write_text(json.dumps(rows, indent=1))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def print_table(rows: list[dict[str, object]]) -> None:
    header = (
        f"{'source':<22}{'system':<10}{'exactF1':>8}{'partF1':>8}{'leak':>8}{'over':>8}"
        f"{'chars/s':>10}{'steady/s':>10}{'start s':>8}{'peakMB':>8}"
    )
    print(header)
    print("-" * len(header))
    by_source: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        by_source.setdefault(str(row["source"]), {})[str(row["system"])] = row
        print(
            f"{row['source']!s:<22}{row['system']!s:<10}{row['exact_f1']:>8.3f}{row['partial_f1']:>8.3f}"
            f"{row['leak_rate']:>8.3f}{row['over_redaction']:>8.3f}{row['chars_per_s']:>10.0f}"
            f"{row['steady_chars_per_s']:>10.0f}{row['startup_s']:>8.2f}{row['peak_rss_mb']:>8.0f}"
        )
    print()
    print("hushdesk vs Presidio (targets: leak <= 1/3, over <= +0.02, exact F1 >= +0.20, speed >= 10x, memory <= 1x)")
    for source, pair in by_source.items():
        ours, base = pair.get("hushdesk"), pair.get("presidio")
        if not ours or not base:
            continue

        def f(row: dict[str, object], key: str) -> float:
            value = row[key]
            assert isinstance(value, (int, float))
            return float(value)

        leak, base_leak = f(ours, "leak_rate"), f(base, "leak_rate")
        over, base_over = f(ours, "over_redaction"), f(base, "over_redaction")
        f1, base_f1 = f(ours, "exact_f1"), f(base, "exact_f1")
        speed, base_speed = f(ours, "chars_per_s"), f(base, "chars_per_s")
        memory, base_memory = f(ours, "peak_rss_mb"), f(base, "peak_rss_mb")
        cells = "  ".join(
            [
                f"leak ratio {leak / max(base_leak, 1e-9):.2f} {verdict(leak <= base_leak / 3)}",
                f"over diff {over - base_over:+.3f} {verdict(over <= base_over + 0.02)}",
                f"exactF1 diff {f1 - base_f1:+.3f} {verdict(f1 >= base_f1 + 0.20)}",
                f"speed ratio {speed / base_speed:.2f} {verdict(speed >= 10 * base_speed)}",
                f"memory ratio {memory / base_memory:.2f} {verdict(memory <= base_memory)}",
            ]
        )
        print(f"{source:<22}{cells}")


if __name__ == "__main__":
    main()
