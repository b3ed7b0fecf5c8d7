#!/usr/bin/env bash
# Runs the examples benchmark (medians of 10 repetitions, interleaved by Google Benchmark's order)
# and prints ratios: Fovea against OpenCV, and against a memcpy of the frame.
# JSON: build/bench/examples.json. Usage: bench/run.sh [extra benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target examples_bench -j "$(nproc)" >/dev/null
mkdir -p build/bench
build/bench/examples_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true \
  --benchmark_out=build/bench/examples.json --benchmark_out_format=json "$@" >/dev/null
/usr/bin/python3 - <<'PY'
import json
runs = json.load(open("build/bench/examples.json"))["benchmarks"]
med = {r["run_name"]: r["real_time"] for r in runs if r.get("aggregate_name") == "median"}
print("| example | size | Fovea ms | OpenCV ms | OpenCV / Fovea | Fovea / memcpy of the RGB frame |")
print("|---|---|---|---|---|---|")
for ex in ["Blur3", "Unsharp", "Edges", "Halve", "Histogram"]:
    for size in ["1920/1080", "3840/2160"]:
        f, o, m = med.get(f"{ex}_Fovea/{size}/real_time"), med.get(f"{ex}_OpenCV/{size}/real_time"), med.get(f"Memcpy_RGB/{size}/real_time")
        if f and o and m:
            print(f"| {ex.lower()} | {size.replace('/', 'x')} | {f:.3f} | {o:.3f} | {o / f:.2f}x | {f / m:.1f}x |")
PY
