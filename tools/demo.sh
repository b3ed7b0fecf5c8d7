#!/usr/bin/env bash
# The main job: sets everything up, builds `fovea`, checks every bundled example, runs one on a
# bundled photograph (JIT, with its timing), compiles two ahead of time into native libraries (blur3,
# run on a batch through the runtime, and classify, with an ONNX model), and shows what a diagnostic
# looks like. Results go to build/demo/.
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
echo "output written to $OUT/chelsea_classes.json; its 10 values, one per class:"
# The network is examples/models/tiny_cnn.onnx: a tiny made-up CNN with fixed random weights (see
# tools/make_tiny_cnn.py), not a trained classifier, so the classes have no names and the numbers
# say nothing about the cat; they show the data path (Fovea -> ONNX node -> Fovea) working.
sed -e 's/.*"data":\[//' -e 's/\].*//' "$OUT/chelsea_classes.json" | tr ',' '\n' \
  | awk '{ printf "  class %d: %.4f\n", NR - 1, $1; sum += $1 } END { printf "  (sum %.4f: softmax probabilities)\n", sum }'
echo "note: tiny_cnn.onnx is a small untrained network with made-up weights, so these classes mean nothing;"
echo "      a real model (any ONNX file with one f32 output) goes in the same place"

echo
echo "== what an error looks like (docs/demo/typo.fov has two mistakes on purpose; the FAIL line is expected)"
if "$FOVEA" check docs/demo/typo.fov; then
  echo "demo: docs/demo/typo.fov was accepted, but it has two mistakes on purpose" >&2
  exit 1
fi
echo
echo "demo: done (results in $OUT)"
