"""A benchmark's figure: a ratio against its baseline, printed, and recorded as one JSON line in $BENCH_RESULTS when set
(bench/report.py turns the records into docs/performance.md). Called by common.sh's bench_ratio and bench_record.

  ratio.py WORK rounds ROUNDS FIGURE BASELINE MEASURED [options]   the medians of two hyperfine commands over all rounds
                                                                   ($WORK/round-N.json) and the ratio measured/baseline
  ratio.py WORK record FIGURE --baseline-median X --measured-median Y [options]   a figure measured otherwise
  ratio.py WORK median ROUNDS COMMAND                              the median of one hyperfine command over all rounds
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    sub = parser.add_subparsers(dest="kind", required=True)
    rounds = sub.add_parser("rounds")
    rounds.add_argument("rounds", type=int)
    record = sub.add_parser("record")
    median = sub.add_parser("median")
    median.add_argument("rounds", type=int)
    median.add_argument("command")
    for p in (rounds, record):
        p.add_argument("figure", help="an id, the row's key in the results")
        p.add_argument("--title", help="what is measured")
        p.add_argument("--baseline-title", help="what it is measured against")
        p.add_argument("--target", type=float, help="the highest ratio that meets the target")
        p.add_argument("--target-text", help="the target in words, when it is not a ratio")
        p.add_argument("--met", choices=["yes", "no"], help="whether the part of the target in words is met")
        p.add_argument("--note", default="", help="what else the reader needs: counts, causes")
        p.add_argument("--unit", default="s")
    rounds.add_argument("baseline", help="the baseline's hyperfine command name")
    rounds.add_argument("measured", help="the measured hyperfine command name")
    record.add_argument("--baseline-median", type=float, required=True)
    record.add_argument("--measured-median", type=float, required=True)
    record.add_argument("--runs", type=int)
    args = parser.parse_args()

    if args.kind == "median":
        print(f"{statistics.median(times(args.work, args.rounds)[args.command]):.6f}")
        return
    if args.kind == "rounds":
        runs = times(args.work, args.rounds)
        b, m = runs[args.baseline], runs[args.measured]
        baseline_median, measured_median, runs = statistics.median(b), statistics.median(m), len(m)
        ratio_of_means = statistics.mean(m) / statistics.mean(b)
        title, baseline_title = args.title or args.measured, args.baseline_title or args.baseline
    else:
        baseline_median, measured_median, runs = args.baseline_median, args.measured_median, args.runs
        ratio_of_means = None
        title, baseline_title = args.title or args.figure, args.baseline_title or "baseline"

    ratio = measured_median / baseline_median
    # Met when the ratio is at most the target and the check in words (--met) passed, of those given.
    checks = [ratio <= args.target] if args.target is not None else []
    checks += [args.met == "yes"] if args.met else []
    met = all(checks) if checks else None
    target_text = args.target_text or (f"≤ {args.target:.2f}" if args.target is not None else "")
    row = {
        "id": args.figure,
        "title": title,
        "baseline": baseline_title,
        "ratio": round(ratio, 4),
        "ratio_of_means": None if ratio_of_means is None else round(ratio_of_means, 4),
        "measured_median": measured_median,
        "baseline_median": baseline_median,
        "unit": args.unit,
        "runs": runs,
        "target": args.target,
        "target_text": target_text,
        "met": met,
        "note": args.note,
        "load": load(args.work),
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
    }

    verdict = "" if met is None else (" (target met)" if met else " (target NOT met)")
    means = "" if ratio_of_means is None else f", ratio of means {ratio_of_means:.3f}"
    spread = f"{runs} runs each, medians " if runs else ""
    print(f"bench: {title} / {baseline_title}: {spread}{measured_median:.4g} {args.unit} / {baseline_median:.4g} {args.unit}, "
          f"ratio {ratio:.4f}{means}; target {target_text or 'none'}{verdict}"
          + (f"; {args.note}" if args.note else "") + f"; load average {row['load']}")
    if os.environ.get("BENCH_RESULTS"):
        with open(os.environ["BENCH_RESULTS"], "a") as f:
            f.write(json.dumps(row) + "\n")


def times(work, rounds):
    """Every run's time of each hyperfine command over all rounds ($WORK/round-N.json), by command name."""
    runs = {}
    for n in range(1, rounds + 1):
        with open(f"{work}/round-{n}.json") as f:
            for result in json.load(f)["results"]:
                runs.setdefault(result["command"], []).extend(result["times"])
    return runs


def load(work):
    """The 1-minute load averages noted around the rounds (common.sh's bench_rounds), or now: "low-high"."""
    try:
        with open(f"{work}/load") as f:
            values = [float(line) for line in f if line.strip()]
    except OSError:
        values = []
    if not values:
        with open("/proc/loadavg") as f:
            values = [float(f.read().split()[0])]
    return f"{min(values):.1f}-{max(values):.1f}"


def machine():
    """The CPU, cores, memory, .NET SDK and engine: what the reader needs to weigh the numbers."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            memory = int(next(line.split()[1] for line in f if line.startswith("MemTotal"))) / 1024 / 1024
    except (OSError, StopIteration):
        memory = 0
    def output(*command):
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; .NET SDK {output('dotnet', '--version')}; "
            f"Docker {output('docker', 'version', '--format', '{{.Server.Version}}')}")


if __name__ == "__main__":
    sys.exit(main())
