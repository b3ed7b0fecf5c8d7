#!/usr/bin/env bash
# Times every example under each schedule on 1920x1080 frames, in the same run, interleaved
# (two rounds, the median of each `fovea run --repeat N` kept, the lower of the two rounds shown).
# Writes build/bench/schedules.json and prints a markdown table with ratios to --schedule none.
# Usage: bench/schedules.sh [repeat=30] [schedules="none heuristic mullapudi2016 adams2019"]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-30}
SCHEDULES=${2:-"none heuristic mullapudi2016 adams2019"}
FOVEA=build/compiler/fovea
OUT=build/bench
mkdir -p "$OUT"
"$FOVEA" run bench/upscale.fov -i examples/images/chelsea.png -o "$OUT/frame_rgb.png" --repeat 1 >/dev/null
"$FOVEA" run bench/upscale.fov -i examples/images/camera.png -o "$OUT/frame_gray_rgb.png" --repeat 1 >/dev/null

declare -A input=( [blur3]="$OUT/frame_rgb.png" [unsharp]="$OUT/frame_rgb.png" [edges]="$OUT/frame_rgb.png"
                   [halve]="$OUT/frame_rgb.png" [histogram]="$OUT/frame_gray_rgb.png" )
declare -A outputs=( [blur3]="-o $OUT/o.png" [unsharp]="-o $OUT/o.png" [edges]="-o $OUT/o.png"
                     [halve]="-o $OUT/o.png -o $OUT/o.json" [histogram]="-o $OUT/o.json" )
declare -A best
for round in 1 2; do
  for ex in blur3 unsharp edges halve histogram; do
    for s in $SCHEDULES; do
      line=$("$FOVEA" run examples/$ex.fov -i "${input[$ex]}" ${outputs[$ex]} --schedule "$s" --repeat "$REPEAT" 2>/dev/null | tail -n 1)
      ms=$(echo "$line" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
      key="$ex/$s"
      if [ -z "${best[$key]:-}" ] || awk "BEGIN{exit !($ms < ${best[$key]})}"; then best[$key]=$ms; fi
      echo "round $round: $ex $s $ms ms" >&2
    done
  done
done

{
  echo "{\"frame\": \"1920x1080\", \"repeat\": $REPEAT, \"results\": ["
  first=1
  for ex in blur3 unsharp edges halve histogram; do
    for s in $SCHEDULES; do
      [ $first -eq 1 ] || echo ","
      first=0
      printf '{"example": "%s", "schedule": "%s", "median_ms": %s}' "$ex" "$s" "${best[$ex/$s]}"
    done
  done
  echo "]}"
} > "$OUT/schedules.json"

printf "| example |"; for s in $SCHEDULES; do printf " %s ms |" "$s"; done; printf " heuristic vs none |\n"
printf "|---|"; for s in $SCHEDULES; do printf -- "---|"; done; printf -- "---|\n"
for ex in blur3 unsharp edges halve histogram; do
  printf "| %s |" "$ex"
  for s in $SCHEDULES; do printf " %s |" "${best[$ex/$s]}"; done
  awk "BEGIN{printf \" %.1fx faster |\n\", ${best[$ex/none]} / ${best[$ex/heuristic]}}"
done
