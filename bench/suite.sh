#!/usr/bin/env bash
set -euo pipefail
# The application suite and the held-out programs beside their OpenCV twins, in one run, interleaved:
# per program `fovea bench` (JIT for this machine, with the memcpy floor), the OpenCV twin, and again.
# Prints a Markdown table of medians in ms. Needs a build (tools/build.sh): build/compiler/fovea and
# build/bench/opencv_twins.
#   bench/suite.sh                 # every program
#   bench/suite.sh harris blur     # some
cd "$(dirname "$0")/.."
declare -A IN=( [scharr_magnitude]=random:1920x1080 [laplacian]=random:1920x1080 [box5_rgb]=random:1920x1080x3 [morph_gradient]=random:1920x1080 [area_half]=random:1920x1080x3 [gamma_lut]=random:1920x1080x3 [blur]=random:2568x1922 [gaussian5_u8]=random:1920x1080x3 [pyrdown3]=random:1920x1080 [harris]=random:1920x1080x3 [gray_u8]=random:1920x1080x3 [threshold_u8]=random:1920x1080 [sobel_x]=random:1920x1080 )
echo "| program | Fovea ms (round 1, 2) | OpenCV ms (round 1, 2) | memcpy floor ms | Fovea time / OpenCV time (below 1: Fovea faster) |"
echo "|---|---|---|---|---|"
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(scharr_magnitude laplacian box5_rgb morph_gradient area_half gamma_lut blur gaussian5_u8 pyrdown3 harris gray_u8 threshold_u8 sobel_x)
for f in "${programs[@]}"; do
  path=bench/heldout/$f.fov; [ -f $path ] || path=bench/apps/$f.fov
  fv=(); cv=(); fl=""
  for round in 1 2; do
    out=$(build/compiler/fovea bench $path --input ${IN[$f]} --floor --json 2>/dev/null)
    fv+=($(echo "$out" | python3 -c "import json,sys; print('%.3f' % json.load(sys.stdin)['median_ms'])"))
    fl=$(echo "$out" | python3 -c "import json,sys; print('%.3f' % json.load(sys.stdin)['floor_median_ms'])")
    cv+=($(build/bench/opencv_twins $f | awk '{print $2}'))
  done
  ratio=$(python3 -c "print('%.2f' % ((${fv[0]}+${fv[1]})/(${cv[0]}+${cv[1]})))")
  echo "| $f | ${fv[0]}, ${fv[1]} | ${cv[0]}, ${cv[1]} | $fl | $ratio |"
done
