#include "driver/batch.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "driver/image_files.h"
#include "support/files.h"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Whether a file's name says it is an image: those are processed (or reported when they cannot
/// be), anything else in the folder is skipped and counted.
bool isImageFile(const fs::path& p) {
  static const char* kExtensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pnm", ".pbm", ".exr",
                                      ".hdr", ".pfm", ".jp2", ".gif"};
  std::string ext = p.extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions);
}

/// Where an output of the image `file` goes: --ext if given; else the image's own format if it
/// holds the output, else PNG, TIFF (f32), or JSON.
fs::path outputPath(const BatchOptions& options, const std::string& stem, const fs::path& file, const RunTensor& out, int channels) {
  std::vector<std::string> candidates;
  if (!options.extension.empty()) candidates = {options.extension};
  else candidates = {file.extension().string(), ".png", ".tif", ".json"};
  for (const std::string& ext : candidates) {
    fs::path target = fs::path(options.outputDir) / (stem + ext);
    std::string why = imageOutputProblem(out, channels, target.string());
    if (why.empty() || why == "a .json path") return target;
  }
  return fs::path(options.outputDir) / (stem + candidates.front());  // writeOutput says why not
}

/// Progress on stderr: a bar redrawn in place on a terminal, a line per 10% otherwise.
class Progress {
 public:
  explicit Progress(size_t total) : total_(total), start_(Clock::now()), tty_(isatty(2) != 0) {}

  void done(size_t finished) {
    std::lock_guard<std::mutex> lock(mutex_);
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    double rate = elapsed > 0 ? static_cast<double>(finished) / elapsed : 0;
    double left = rate > 0 ? static_cast<double>(total_ - finished) / rate : 0;
    size_t tenth = total_ ? finished * 10 / total_ : 10;
    if (!tty_ && tenth == lastTenth_ && finished != total_) return;
    lastTenth_ = tenth;
    const int width = 30;
    int filled = total_ ? static_cast<int>(static_cast<double>(width) * static_cast<double>(finished) / static_cast<double>(total_)) : width;
    std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.');
    std::string line = fmt::format("[{}] {}/{} images  {:.1f} images/s  {:.0f} s left", bar, finished, total_, rate, left);
    if (tty_) {
      fmt::print(stderr, "\r{}\x1b[K", line);
      if (finished == total_) fmt::print(stderr, "\n");
    } else {
      fmt::print(stderr, "{}\n", line);
    }
  }
  /// A message above the bar.
  void say(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    fmt::print(stderr, "{}{}\n", tty_ ? "\r\x1b[K" : "", text);
  }

 private:
  size_t total_;
  Clock::time_point start_;
  bool tty_;
  size_t lastTenth_ = SIZE_MAX;
  std::mutex mutex_;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::min<double>(static_cast<double>(v.size() - 1), std::ceil(p * static_cast<double>(v.size())) - 1));
  return v[i];
}

}  // namespace

int runBatch(RunEngine& engine, const BatchOptions& options) {
  const RunSignature& sig = engine.signature();
  std::error_code ec;
  if (!fs::is_directory(options.inputDir, ec)) {
    fmt::print(stderr, "fovea run: --input-dir '{}' is not a directory\n", options.inputDir);
    return 1;
  }
  std::vector<fs::path> files;
  size_t skipped = 0;
  for (const auto& e : fs::directory_iterator(options.inputDir, ec)) {
    // Images that cannot be read (dangling links, folders named x.png) are kept: they are reported.
    if (isImageFile(e.path())) files.push_back(e.path());
    else ++skipped;
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    fmt::print(stderr, "fovea run: no images in '{}'\n", options.inputDir);
    return 1;
  }
  // The output directory must take files before any work is done.
  fs::create_directories(options.outputDir, ec);
  if (std::string why = whyNotWritableDirectory(options.outputDir); !why.empty()) {
    fmt::print(stderr, "fovea run: cannot write to output directory '{}': it {}\n", options.outputDir, why);
    return 1;
  }
  if (fs::equivalent(options.inputDir, options.outputDir, ec)) {
    fmt::print(stderr, "fovea run: --output-dir must differ from --input-dir (outputs would replace the images)\n");
    return 1;
  }

  int jobs = options.jobs > 0 ? options.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  jobs = std::min<int>(jobs, static_cast<int>(files.size()));
  fmt::print(stderr, "fovea run: {} images from {} with {} ({}), {} job{}{}\n", files.size(), options.inputDir, sig.pipeline, engine.what(), jobs,
             jobs == 1 ? "" : "s", skipped ? fmt::format("; {} other files skipped", skipped) : "");

  Progress progress(files.size());
  std::atomic<size_t> next{0}, finished{0};
  std::mutex statsMutex;
  std::vector<double> latencies, computeTimes;
  double pixels = 0;
  size_t failed = 0;
  size_t notesShown = 0;
  // Output names from the images' names; images that differ only in their extension (a.png,
  // a.jpg) keep it in the name (a_png, a_jpg) so that no output replaces another.
  std::vector<std::string> stems;
  std::map<std::string, int> stemCount;
  for (const fs::path& f : files) ++stemCount[f.stem().string()];
  for (const fs::path& f : files) {
    std::string stem = f.stem().string();
    if (stemCount[stem] > 1) {
      stem = f.filename().string();
      std::replace(stem.begin(), stem.end(), '.', '_');
    }
    stems.push_back(stem);
  }
  auto worker = [&] {
    std::vector<RuntimeBuffer> outputs;
    for (size_t i = next++; i < files.size(); i = next++) {
      const fs::path& file = files[i];
      auto t0 = Clock::now();
      std::string error, notes;
      double computeMs = 0;
      bool ok = false;
      std::optional<InputImage> image;
      try {
        std::error_code linkError;
        if (fs::is_symlink(file, linkError) && !fs::exists(file, linkError)) {
          error = "is a symbolic link to '" + fs::read_symlink(file, linkError).string() + "', which does not exist";
        } else {
          Result<InputImage> read = readInputImage(file.string(), sig.inputs[0], &notes);
          if (read) image = std::move(*read);
          else error = read.failure().message;
        }
        if (image) {
          auto c0 = Clock::now();
          engine.run({image->buffer}, options.params, outputs);
          computeMs = std::chrono::duration<double, std::milli>(Clock::now() - c0).count();
          ok = true;
        }
      } catch (const std::exception& e) {  // RunFailure, or anything else: this image fails, the batch goes on
        error = e.what();
        ok = false;
      }
      for (size_t o = 0; ok && o < outputs.size(); ++o) {
        const RunTensor& out = sig.outputs[o];
        std::string stem = stems[i] + (outputs.size() > 1 ? "." + out.name : "");
        fs::path target = outputPath(options, stem, file, out, outputChannels(out, outputs[o]));
        if (Status written = writeOutput(target.string(), out, outputs[o]); !written) {
          error = fmt::format("cannot write '{}': {}", target.string(), written.failure().message);
          ok = false;
        }
      }
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      {
        std::lock_guard<std::mutex> lock(statsMutex);
        if (ok) {
          latencies.push_back(ms);
          computeTimes.push_back(computeMs);
          pixels += static_cast<double>(image->mat.cols) * image->mat.rows;
          // Every conversion is said (the first 10 in full, then counted at the end).
          if (!notes.empty() && notesShown++ < 10) progress.say("fovea run: note: " + notes.substr(0, notes.size() - 1));
        } else {
          ++failed;
        }
      }
      if (!ok) progress.say(fmt::format("fovea run: {}: {} (skipped)", file.filename().string(), error));
      progress.done(++finished);
    }
  };
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  size_t done = files.size() - failed;
  // A 99th percentile needs about a hundred samples to mean anything; fewer give the slowest.
  std::string tail = latencies.size() >= 100 ? fmt::format("p99 {:.2f} ms", percentile(latencies, 0.99))
                                             : fmt::format("slowest {:.2f} ms", percentile(latencies, 1.0));
  fmt::print("{}: {} of {} images in {:.2f} s: {:.1f} images/s, {:.1f} MPix/s; latency per image (read, run, write) median {:.2f} ms, {}; "
             "compute median {:.2f} ms\n",
             sig.pipeline, done, files.size(), seconds, static_cast<double>(done) / seconds, pixels / seconds / 1e6, percentile(latencies, 0.5), tail,
             percentile(computeTimes, 0.5));
  if (notesShown > 10) fmt::print(stderr, "fovea run: {} more images were converted as noted above\n", notesShown - 10);
  if (failed) fmt::print(stderr, "fovea run: {} image{} failed (reported above)\n", failed, failed == 1 ? "" : "s");
  return failed ? 1 : 0;
}

}  // namespace fovea::driver
