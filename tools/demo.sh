#!/usr/bin/env bash
# The main job: sets everything up, builds `fovea`, checks every bundled example, runs one on a
# bundled photograph (JIT, with its timing), compiles one ahead of time into native libraries, and
# shows what a diagnostic looks like. Results go to build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target fovea
FOVEA=build/compiler/fovea
OUT=build/demo
mkdir -p "$OUT"

echo
echo "== fovea check examples/*.fov"
"$FOVEA" check examples/*.fov

echo
echo "== fovea run: unsharp mask on examples/images/chelsea.png (451x300 RGB)"
"$FOVEA" run examples/unsharp.fov -i examples/images/chelsea.png -o "$OUT/chelsea_unsharp.png" --set amount=2.0 --repeat 20
"$FOVEA" run examples/edges.fov -i examples/images/chelsea.png -o "$OUT/chelsea_edges.png" --repeat 20
"$FOVEA" run examples/histogram.fov -i examples/images/camera.png -o "$OUT/camera_histogram.json" --repeat 20
echo "results: $OUT/chelsea_unsharp.png, $OUT/chelsea_edges.png, $OUT/camera_histogram.json"

echo
echo "== fovea compile examples/blur3.fov (a fat x86-64 library: AVX-512, AVX2, SSE4.1, generic)"
"$FOVEA" compile examples/blur3.fov -o "$OUT/lib" --emit schedule
ls -l "$OUT/lib"

echo
echo "== the compiled library through the runtime, on a batch of images (progress, throughput, latency)"
mkdir -p "$OUT/batch_in"
cp examples/images/*.png "$OUT/batch_in/"
"$FOVEA" run "$OUT/lib" --input-dir "$OUT/batch_in" --output-dir "$OUT/batch_out" --jobs 2
ls "$OUT/batch_out"

echo
echo "== a pipeline with an ONNX model (examples/classify.fov: resize + normalize, a small CNN, softmax)"
"$FOVEA" compile examples/classify.fov -o "$OUT/classify" --target host
"$FOVEA" run "$OUT/classify" -i examples/images/chelsea.png -o "$OUT/chelsea_classes.json" --repeat 20
echo "class probabilities: $(cat "$OUT/chelsea_classes.json")"

echo
echo "== what an error looks like (docs/demo/typo.fov)"
"$FOVEA" check docs/demo/typo.fov || true
