#!/usr/bin/env bash
# Runs the examples benchmark in several rounds (each: medians of 10 repetitions, Fovea, OpenCV and
# memcpy interleaved in one process) and prints a table: medians over the rounds, the spread of the
# OpenCV/Fovea ratio between rounds, and how far Fovea's outputs are from OpenCV's.
# JSON: build/bench/examples.round<N>.json. Usage: bench/run.sh [--rounds N] [extra benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds=$2; shift 2; fi
cmake --build build --target examples_bench -j "$(nproc)" >/dev/null
mkdir -p build/bench
rm -f build/bench/examples.round*.json
for r in $(seq 1 "$rounds"); do
  echo "bench: round $r of $rounds" >&2
  build/bench/examples_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true \
    --benchmark_out="build/bench/examples.round$r.json" --benchmark_out_format=json "$@" >/dev/null
done
/usr/bin/python3 - "$rounds" <<'PY'
import json, statistics, sys
rounds = int(sys.argv[1])
per_round = []   # one {name: median ms} per round
counters = {}
for r in range(1, rounds + 1):
    runs = json.load(open(f"build/bench/examples.round{r}.json"))["benchmarks"]
    per_round.append({x["run_name"]: x["real_time"] for x in runs if x.get("aggregate_name") == "median"})
    for x in runs:
        if x.get("aggregate_name") == "median" and "max_diff" in x:
            counters[x["run_name"]] = (x["max_diff"], x["differing_pct"])
print(f"Medians over {rounds} rounds (each the median of 10 repetitions); ratio range = lowest..highest round")
print("| example | size | Fovea ms | OpenCV ms | OpenCV / Fovea (range) | Fovea / memcpy of the RGB frame | max |Fovea - OpenCV| | values differing |")
print("|---|---|---|---|---|---|---|---|")
for ex in ["Blur3", "Unsharp", "Edges", "Halve", "Histogram"]:
    for size in ["1920/1080", "3840/2160"]:
        f_name, o_name, m_name = (f"{ex}_Fovea/{size}/real_time", f"{ex}_OpenCV/{size}/real_time", f"Memcpy_RGB/{size}/real_time")
        if not all(n in rnd for rnd in per_round for n in (f_name, o_name, m_name)):
            print(f"| {ex.lower()} | {size.replace('/', 'x')} | (missing: a benchmark failed or was filtered out) |||||||")
            continue
        f = statistics.median(r[f_name] for r in per_round)
        o = statistics.median(r[o_name] for r in per_round)
        m = statistics.median(r[m_name] for r in per_round)
        ratios = [r[o_name] / r[f_name] for r in per_round]
        diff, pct = counters.get(f_name, (float("nan"), float("nan")))
        print(f"| {ex.lower()} | {size.replace('/', 'x')} | {f:.3f} | {o:.3f} | {statistics.median(ratios):.2f}x ({min(ratios):.2f}..{max(ratios):.2f}) "
              f"| {f / m:.1f}x | {diff:g} | {pct:.2f}% |")
PY
