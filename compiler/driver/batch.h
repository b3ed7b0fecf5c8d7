#pragma once
// `fovea run ... --input-dir DIR --output-dir DIR [--jobs N]`: every image of a directory through
// one pipeline. Each worker reads, runs and writes one image at a time, so decoding, compute and
// encoding of different images overlap; a progress bar shows images done, rate and time left.

#include <string>
#include <vector>

#include "driver/run_engine.h"

namespace fovea::driver {

struct BatchOptions {
  std::string inputDir, outputDir;
  int jobs = 0;              ///< 0: one per core
  Params params;             ///< by name; the others take their defaults
  std::string extension;     ///< of every output (.json included); empty: the input's own where that
                             ///< format holds the output, else .png, .tif (f32) or .json
};

/// Returns the exit status: 0 all done, 1 some image failed (each reported, the rest completed).
int runBatch(RunEngine& engine, const BatchOptions& options);

}  // namespace fovea::driver
