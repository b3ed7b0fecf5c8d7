// The hostile-input sweep: every command given what users and broken disks give it. Each case
// must end without a signal and within its time, exit with the status its row states, name the
// culprit in what it prints, and leave no partial output: when it fails, its output folder holds
// exactly what it held before. docs/reliability.md lists every case and what it gives; a test
// below keeps the two lists equal. FOVEA_SWEEP_TABLE=FILE writes the table's rows as they run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <tuple>
#include <sstream>

#include "cli/hostile_fixtures.h"
#include "testing/process.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

struct Case {
  std::string id;                    ///< stable: the reliability page lists it
  std::string what;                  ///< the situation, for the page
  std::vector<std::string> args;     ///< after `fovea`; {F} fixtures, {O} the case's folder, {E} examples, {A} compiled libraries
  std::set<int> exits;               ///< acceptable exit statuses
  std::vector<std::string> mentions; ///< what the output must contain (the culprit)
  std::vector<std::string> creates;  ///< files that must exist afterwards (success cases)
  std::function<void(const fs::path& out)> setup = nullptr;  ///< prepares {O} (damaged libraries)
  double limitSeconds = 120;
};

std::string expand(std::string s, const fs::path& out) {
  auto replace = [&](const std::string& key, const std::string& value) {
    for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size())) s.replace(at, key.size(), value);
  };
  replace("{F}", hostileFixtures());
  replace("{O}", out.string());
  replace("{E}", FOVEA_EXAMPLES_DIR);
  replace("{A}", FOVEA_AOT_DIR);
  return s;
}

/// A copy of the compiled blur3 library in {O}/lib, for cases that damage it.
void copyBlur3(const fs::path& out) {
  fs::create_directories(out / "lib");
  for (const char* f : {"blur3.manifest.json", "libblur3.so", "blur3.a", "blur3.h"}) fs::copy_file(fs::path(FOVEA_AOT_DIR) / f, out / "lib" / f);
}

/// The compiled classify example (two segments and its ONNX model) in out/cls.
void copyClassify(const fs::path& out) {
  fs::create_directories(out / "cls");
  for (const char* f : {"classify.manifest.json", "classify.classifier.onnx", "libclassify__s0.so", "libclassify__s1.so",
                        "classify__s0.manifest.json", "classify__s1.manifest.json"}) {
    fs::copy_file(fs::path(FOVEA_MODELS_DIR) / f, out / "cls" / f);
  }
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeAll(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::vector<Case> scriptCases() {
  struct Script {
    const char* key;
    std::string path;
    const char* what;
    std::set<int> exits;
    std::string mention;
  };
  const std::vector<Script> scripts = {
      {"missing", "{F}/nope.fov", "a script that does not exist", {2}, "no such file"},
      {"empty", "{F}/empty.fov", "an empty script", {1, 2}, "empty.fov"},
      {"folder", "{F}/folder.fov", "a directory where the script should be", {2}, "is a directory"},
      {"fifo", "{F}/fifo.fov", "a named pipe as the script (nothing ever writes to it)", {2}, "not a regular file"},
      {"device", "/dev/zero", "/dev/zero as the script (endless)", {2}, "not a regular file"},
      {"binary", "{F}/binary.fov", "a PNG file given as the script", {1}, "binary"},
      {"badutf8", "{F}/badutf8.fov", "a script with invalid UTF-8 bytes", {1}, "UTF-8"},
      {"big", "{F}/big.fov", "a 17 MB script", {2}, "more than the 16 MB"},
      {"nested", "{F}/nested.fov", "an expression nested 5000 parentheses deep", {1}, "nested"},
      {"calls", "{F}/calls_distinct.fov", "functions calling the previous one twice, 30 deep, with different arguments (2^30 calls)", {1},
       "up to 1000 stages"},
      {"chain", "{F}/chain2000.fov", "a chain of 2000 stages", {1}, "up to 1000 stages"},
  };
  std::vector<Case> out;
  for (const Script& s : scripts) {
    out.push_back({std::string("check-") + s.key, s.what, {"check", s.path}, s.exits, {s.mention}});
    out.push_back({std::string("compile-") + s.key, s.what, {"compile", s.path, "--target", "host", "-o", "{O}/lib"}, s.exits, {s.mention}});
    out.push_back({std::string("graph-") + s.key, s.what, {"graph", s.path, "-o", "{O}/g.dot"}, s.exits, {s.mention}});
    // `fovea run` takes a folder for a compiled library: it says it is not one.
    bool folder = std::string(s.key) == "folder";
    out.push_back({std::string("run-") + s.key, s.what, {"run", s.path, "-i", "{F}/photo.png", "-o", "{O}/o.png"}, folder ? std::set<int>{1} : s.exits,
                   {folder ? "not a directory written by fovea compile" : s.mention}});
  }
  // Models that are not models: named, at check time already (their shapes are read there).
  const std::vector<std::tuple<const char*, const char*, const char*>> models = {
      {"folder", "a model path that is a directory", "is a directory"},
      {"missing", "a model file that does not exist", "models/missing.onnx"},
      {"garbage", "a model file that is not ONNX (text)", "models/garbage.onnx"},
      {"cut", "a model file cut in half", "models/cut.onnx"},
  };
  for (const auto& [key, what, mention] : models) {
    std::string script = std::string("{F}/model_") + key + ".fov";
    out.push_back({std::string("check-model-") + key, what, {"check", script}, {1}, {mention}});
    out.push_back({std::string("compile-model-") + key, what, {"compile", script, "--target", "host", "-o", "{O}/lib"}, {1}, {mention}});
  }
  out.push_back({"check-calls-shared", "functions calling the previous one twice, 30 deep, with the same stage (shared, not 2^30 calls)",
                 {"check", "{F}/calls_shared.fov"}, {0}, {"ok"}, {}, nullptr, 20});
  out.push_back({"check-spaces", "a script whose path has spaces and non-ASCII letters", {"check", "{F}/скрипт с пробелом.fov"}, {0}, {"ok"}});
  out.push_back({"compile-spaces", "compiling a script whose path has spaces and non-ASCII letters",
                 {"compile", "{F}/скрипт с пробелом.fov", "--target", "host", "-o", "{O}/lib с пробелом"}, {0}, {"compiled"},
                 {"lib с пробелом/libblur3.so", "lib с пробелом/blur3.manifest.json"}});
  return out;
}

std::vector<Case> imageCases() {
  std::vector<Case> out;
  auto run = [](const std::string& image) {
    return std::vector<std::string>{"run", "{A}", "--pipeline", "blur3", "-i", image, "-o", "{O}/o.png"};
  };
  const std::vector<std::pair<std::string, std::string>> formats = {{"png", "PNG"}, {"jpg", "JPEG"}, {"tif", "TIFF"}, {"bmp", "BMP"}, {"ppm", "PPM"}};
  for (const auto& [ext, name] : formats) {
    out.push_back({"image-" + ext + "-cut16", "a " + name + " cut after 16 bytes", run("{F}/cut16." + ext), {1}, {"cut16." + ext}});
    out.push_back({"image-" + ext + "-cuthalf", "a " + name + " cut in half", run("{F}/cuthalf." + ext), {1}, {"cuthalf." + ext}});
    out.push_back({"image-" + ext + "-cutlast", "a " + name + " missing its last byte", run("{F}/cutlast." + ext), {1}, {"cutlast." + ext}});
    out.push_back({"image-" + ext + "-fliphead", "a " + name + " with its second byte changed", run("{F}/fliphead." + ext), {1}, {"fliphead." + ext}});
  }
  out.push_back({"image-png-flipdata", "a PNG with one byte of its compressed pixel data changed (zlib or the chunk's checksum fails)",
                 run("{F}/flipdata.png"), {1}, {"flipdata.png", "damaged PNG"}});
  out.push_back({"image-jpg-flipdata", "a JPEG with one byte of its compressed data changed (JPEG has no checksum: decoded, or reported "
                 "when the decoder notices)", run("{F}/flipdata.jpg"), {0, 1}, {}});
  out.push_back({"image-tif-flipdata", "a TIFF with one byte of its compressed data changed (no checksum: decoded, or reported)",
                 run("{F}/flipdata.tif"), {0, 1}, {}});
  out.push_back({"image-bmp-flipdata", "a BMP with one pixel byte changed (a valid image)", run("{F}/flipdata.bmp"), {0}, {}, {"o.png"}});
  out.push_back({"image-ppm-flipdata", "a PPM with one pixel byte changed (a valid image)", run("{F}/flipdata.ppm"), {0}, {}, {"o.png"}});
  // PFM holds f32: read by a pipeline with an f32 input (the script is compiled only when the image reads).
  auto runFloat = [](const std::string& image) {
    return std::vector<std::string>{"run", "{F}/nonfinite.fov", "-i", image, "-o", "{O}/o.json"};
  };
  for (const char* cut : {"cut16", "cuthalf", "cutlast", "fliphead"}) {
    out.push_back({std::string("image-pfm-") + cut, std::string("a PFM ") + (std::string(cut) == "fliphead" ? "with its second byte changed" : "cut short"),
                   runFloat(std::string("{F}/") + cut + ".pfm"), {1}, {std::string(cut) + ".pfm"}});
  }
  out.push_back({"image-pgm16-cuthalf", "a 16-bit PGM cut in half", run("{F}/cuthalf16.pgm"), {1}, {"cuthalf16.pgm", "truncated"}});
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> bad = {
      {"empty", "{F}/empty.png", "an empty file named .png", "empty"},
      {"text", "{F}/text.png", "a text file named .png", "not an image"},
      {"folder", "{F}/folder.png", "a directory named x.png", "is a directory"},
      {"dangling", "{F}/dangling.png", "a symbolic link to nothing", "no such file"},
      {"fifo", "{F}/fifo.png", "a named pipe named x.png", "not a regular file"},
      {"missing", "{F}/nope.png", "an image that does not exist", "no such file"},
      {"webp", "{F}/photo.webp", "a WebP image (a format fovea run does not read)", "WebP images are not supported"},
      {"huge-png", "{F}/huge.png", "a PNG whose header claims 100000 x 100000 pixels", "100000 x 100000"},
      {"huge-jpg", "{F}/huge.jpg", "a JPEG whose header claims 65000 x 65000 pixels", "65000 x 65000"},
      {"huge-tif", "{F}/huge.tif", "a TIFF whose header claims 30000 x 30000 pixels", "30000 x 30000"},
      {"huge-bmp", "{F}/huge.bmp", "a BMP whose header claims 100000 x 100000 pixels", "100000 x 100000"},
      {"huge-ppm", "{F}/huge.ppm", "a PPM whose header claims 100000 x 100000 pixels", "100000 x 100000"},
      {"zero-png", "{F}/zero.png", "a PNG of width 0", "zero.png"},
      {"zero-ppm", "{F}/zero.ppm", "a PPM of 0 x 0 pixels", "zero width or height"},
      {"deep", "{F}/deep.png", "a 16-bit PNG given to a u8 input", "holds u16 values"},
  };
  for (const auto& [key, path, what, mention] : bad) {
    out.push_back({"image-" + key, what, run(path), {1}, {fs::path(path).filename().string(), mention}});
  }
  out.push_back({"image-rgba", "a 4-channel PNG given to a color input (its 4 channels go through)", run("{F}/rgba.png"), {0}, {}, {"o.png"}});
  out.push_back({"image-gray", "a gray PNG given to a color input (1 channel)", run("{F}/gray.png"), {0}, {"1 channel"}, {"o.png"}});
  out.push_back({"image-gray-to-rgb-reader", "a gray PNG given to a pipeline that reads channel 2",
                 {"run", "{A}", "--pipeline", "to_gray", "-i", "{F}/gray.png", "-o", "{O}/o.png"}, {1}, {"past its last index 0"}});
  out.push_back({"image-one-pixel", "a 1 x 1 image", run("{F}/one.png"), {0}, {}, {"o.png"}});
  out.push_back({"image-large", "a 6000 x 4000 color image",
                 {"run", "{A}", "--pipeline", "halve", "-i", "{F}/big.png", "-o", "{O}/small.png", "-o", "{O}/mean.json", "--repeat", "1"},
                 {0}, {}, {"small.png", "mean.json"}});
  out.push_back({"image-spaces", "input and output paths with spaces and non-ASCII letters",
                 {"run", "{A}", "--pipeline", "blur3", "-i", "{F}/фото с пробелом.png", "-o", "{O}/выход с пробелом.png"}, {0}, {},
                 {"выход с пробелом.png"}});
  return out;
}

std::vector<Case> parameterCases() {
  std::vector<Case> out;
  auto blur = [](const std::string& set) {
    return std::vector<std::string>{"run", "{A}", "--pipeline", "blur3", "-i", "{F}/photo.png", "-o", "{O}/o.png", "--set", set};
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> floats = {
      {"nan", "strength=nan", "not a finite number"}, {"inf", "strength=inf", "not a finite number"},
      {"neg-inf", "strength=-inf", "not a finite number"}, {"1e40", "strength=1e40", "does not fit"},
      {"1e400", "strength=1e400", "too large for any number type"}, {"text", "strength=abc", "not a number"},
      {"blank", "strength=", "not a number"}, {"unknown", "nope=1", "has no parameter 'nope'"},
  };
  for (const auto& [key, set, mention] : floats) out.push_back({"set-" + key, "--set " + set + " on an f32 parameter in [0, 1]", blur(set), {2}, {mention}});
  out.push_back({"set-twice", "the same --set given twice",
                 {"run", "{A}", "--pipeline", "blur3", "-i", "{F}/photo.png", "-o", "{O}/o.png", "--set", "strength=0.5", "--set", "strength=0.7"},
                 {2}, {"given twice"}});
  auto ints = [](const std::string& set) {
    return std::vector<std::string>{"run", "{F}/ints.fov", "-i", "{F}/photo.png", "-o", "{O}/o.png", "--set", set};
  };
  out.push_back({"set-int-fraction", "--set 2.5 on an i32 parameter (the script, JIT)", ints("n=2.5"), {2}, {"'n'", "not an integer"}});
  out.push_back({"set-int-range", "--set -1 on an i32 parameter in [0, 10]", ints("n=-1"), {2}, {"'n'", "outside its range"}});
  out.push_back({"set-u8-300", "--set 300 on a u8 parameter", ints("b=300"), {2}, {"'b'", "does not fit"}});
  out.push_back({"set-u8-1e40", "--set 1e40 on a u8 parameter", ints("b=1e40"), {2}, {"'b'", "does not fit"}});
  auto flag = [](const std::string& set) {
    return std::vector<std::string>{"run", "{F}/flag.fov", "-i", "{F}/photo.png", "-o", "{O}/o.png", "--repeat", "1", "--set", set};
  };
  out.push_back({"set-bool-true", "--set invert=true on a bool parameter", flag("invert=true"), {0}, {}, {"o.png"}});
  out.push_back({"set-bool-maybe", "--set invert=maybe on a bool parameter", flag("invert=maybe"), {2}, {"invert", "not true, false, 0 or 1"}});
  out.push_back({"set-bool-2", "--set invert=2 on a bool parameter", flag("invert=2"), {2}, {"invert", "give 0 or 1"}});
  return out;
}

std::vector<Case> outputCases() {
  std::vector<Case> out;
  auto blur = [](const std::vector<std::string>& outs) {
    std::vector<std::string> a = {"run", "{A}", "--pipeline", "blur3", "-i", "{F}/photo.png"};
    for (const std::string& o : outs) a.insert(a.end(), {"-o", o});
    return a;
  };
  out.push_back({"out-directory", "-o names a directory", blur({"{O}"}), {2}, {"is a directory"}});
  out.push_back({"out-missing-dir", "-o into a directory that does not exist", blur({"{O}/missing/o.png"}), {1}, {"missing", "does not exist"}});
  out.push_back({"out-unwritable", "-o into a directory that takes no files (/proc)", blur({"/proc/fovea.png"}), {1}, {"/proc"}});
  out.push_back({"out-unknown-format", "-o with an extension no format has", blur({"{O}/o.xyz"}), {2}, {".xyz"}});
  out.push_back({"out-same-twice", "two outputs to the same path",
                 {"run", "{A}", "--pipeline", "halve", "-i", "{F}/photo.png", "-o", "{O}/same.json", "-o", "{O}/same.json"}, {2},
                 {"would both be written"}});
  for (const char* ext : {"jpg", "bmp", "webp"}) {
    out.push_back({std::string("out-u16-") + ext, std::string("a u16 output to .") + ext + " (8-bit only)",
                   {"run", "{F}/wide.fov", "-i", "{F}/photo.png", "-o", std::string("{O}/o.") + ext}, {2}, {"u16"}});
  }
  out.push_back({"out-u16-png", "a u16 output to .png", {"run", "{F}/wide.fov", "-i", "{F}/photo.png", "-o", "{O}/o.png", "--repeat", "1"}, {0}, {},
                 {"o.png"}});
  out.push_back({"out-f32-png", "an f32 output to .png", {"run", "{F}/float.fov", "-i", "{F}/photo.png", "-o", "{O}/o.png"}, {2}, {"f32"}});
  out.push_back({"out-f32-tif", "an f32 output to .tif (exact)", {"run", "{F}/float.fov", "-i", "{F}/photo.png", "-o", "{O}/o.tif", "--repeat", "1"},
                 {0}, {}, {"o.tif"}});
  out.push_back({"out-rgba-jpg", "a 4-channel output to .jpg (JPEG has no alpha)",
                 {"run", "{A}", "--pipeline", "blur3", "-i", "{F}/rgba.png", "-o", "{O}/o.jpg"}, {2}, {"4 channels"}});
  out.push_back({"out-enormous", "an output that would take 16 GB", {"run", "{F}/enormous.fov", "-i", "{F}/photo.png", "-o", "{O}/o.png"}, {1},
                 {"GB"}});
  out.push_back({"out-nonfinite-json", "NaN and infinite values written to JSON (as \"NaN\", \"-Infinity\")",
                 {"run", "{F}/nonfinite.fov", "-i", "{F}/photo.pfm", "-o", "{O}/o.json", "--repeat", "1"}, {0}, {}, {"o.json"}});
  return out;
}

std::vector<Case> artifactCases() {
  std::vector<Case> out;
  const std::vector<std::string> run = {"run", "{O}/lib", "-i", "{F}/photo.png", "-o", "{O}/o.png"};
  out.push_back({"lib-no-so", "a library folder whose .so is missing", run, {1}, {"libblur3.so"},
                 {}, [](const fs::path& o) { copyBlur3(o); fs::remove(o / "lib" / "libblur3.so"); }});
  out.push_back({"lib-no-manifest", "a library folder whose manifest is missing", run, {1}, {"manifest"},
                 {}, [](const fs::path& o) { copyBlur3(o); fs::remove(o / "lib" / "blur3.manifest.json"); }});
  out.push_back({"lib-truncated-so", "a .so cut in half (dlopen would die of SIGBUS)", run, {1}, {"libblur3.so", "damaged"},
                 {}, [](const fs::path& o) {
                   copyBlur3(o);
                   std::string so = readAll(o / "lib" / "libblur3.so");
                   writeAll(o / "lib" / "libblur3.so", so.substr(0, so.size() / 2));
                 }});
  out.push_back({"lib-other-so", "the .so of another pipeline under this one's name", run, {1}, {"libblur3.so", "not the library"},
                 {}, [](const fs::path& o) {
                   copyBlur3(o);
                   fs::copy_file(fs::path(FOVEA_AOT_DIR) / "libhalve.so", o / "lib" / "libblur3.so", fs::copy_options::overwrite_existing);
                 }});
  out.push_back({"lib-edited-manifest", "a manifest edited by hand (a parameter's range widened)", run, {1}, {"differs"},
                 {}, [](const fs::path& o) {
                   copyBlur3(o);
                   std::string m = readAll(o / "lib" / "blur3.manifest.json");
                   m = std::regex_replace(m, std::regex("\"max\": 1"), "\"max\": 10", std::regex_constants::format_first_only);
                   writeAll(o / "lib" / "blur3.manifest.json", m);
                 }});
  out.push_back({"lib-manifest-not-json", "a manifest that is not JSON", run, {1}, {"blur3.manifest.json"},
                 {}, [](const fs::path& o) { copyBlur3(o); writeAll(o / "lib" / "blur3.manifest.json", "{ not json"); }});
  out.push_back({"lib-manifest-version", "a manifest of a future format version", run, {1}, {"version"},
                 {}, [](const fs::path& o) {
                   copyBlur3(o);
                   std::string m = readAll(o / "lib" / "blur3.manifest.json");
                   writeAll(o / "lib" / "blur3.manifest.json", std::regex_replace(m, std::regex("\"version\": 1"), "\"version\": 99"));
                 }});
  out.push_back({"lib-empty-folder", "an empty folder given as a library", run, {1}, {"no NAME.manifest.json"},
                 {}, [](const fs::path& o) { fs::create_directories(o / "lib"); }});
  const std::vector<std::string> classify = {"run", "{O}/cls", "-i", "{F}/photo.png", "-o", "{O}/o.json"};
  out.push_back({"lib-model-missing", "a compiled pipeline with a model whose .onnx file is gone", classify, {1}, {"classify.classifier.onnx"},
                 {}, [](const fs::path& o) { copyClassify(o); fs::remove(o / "cls" / "classify.classifier.onnx"); }});
  out.push_back({"lib-model-cut", "a compiled pipeline with a model whose .onnx file was cut in half", classify, {1}, {"classify.classifier.onnx"},
                 {}, [](const fs::path& o) {
                   copyClassify(o);
                   std::string m = readAll(o / "cls" / "classify.classifier.onnx");
                   writeAll(o / "cls" / "classify.classifier.onnx", m.substr(0, m.size() / 2));
                 }});
  out.push_back({"lib-model-other", "a compiled pipeline whose .onnx file was replaced by another model", classify, {1},
                 {"classify.classifier.onnx"}, {}, [](const fs::path& o) {
                   copyClassify(o);
                   fs::copy_file("/usr/share/libonnx-testdata/data/node/test_relu/model.onnx", o / "cls" / "classify.classifier.onnx",
                                 fs::copy_options::overwrite_existing);
                 }});
  out.push_back({"lib-text-so", "a text file named libx.so", {"run", "{O}/libx.so", "-i", "{F}/photo.png", "-o", "{O}/o.png"}, {1},
                 {"not an ELF file"}, {}, [](const fs::path& o) { writeAll(o / "libx.so", "not a library"); }});
  return out;
}

std::vector<Case> commandCases() {
  std::vector<Case> out;
  out.push_back({"compile-target-arm", "compiling for a target of another architecture",
                 {"compile", "{E}/blur3.fov", "--target", "arm-64-linux", "-o", "{O}/lib"}, {2}, {"arm"}});
  out.push_back({"compile-target-nonsense", "an unknown target", {"compile", "{E}/blur3.fov", "--target", "pentium4", "-o", "{O}/lib"}, {2},
                 {"pentium4"}});
  out.push_back({"compile-out-is-file", "-o names an existing file", {"compile", "{E}/blur3.fov", "--target", "host", "-o", "{O}/file"}, {1},
                 {"not a directory"}, {}, [](const fs::path& o) { writeAll(o / "file", "x"); }});
  out.push_back({"compile-out-unwritable", "-o inside a directory that takes no files (/proc)",
                 {"compile", "{E}/blur3.fov", "--target", "host", "-o", "/proc/fovea-lib"}, {1}, {"/proc/fovea-lib"}});
  out.push_back({"compile-bool-param", "a pipeline with a bool parameter (its header compiles as C)",
                 {"compile", "{F}/flag.fov", "--target", "host", "-o", "{O}/lib"}, {0}, {}, {"lib/libflag.so", "lib/flag.h"}});
  out.push_back({"compile-libc-name", "a pipeline named free (a function the library itself calls)",
                 {"compile", "{F}/flag.fov", "--target", "host", "-o", "{O}/lib", "--function", "free"}, {2}, {"free"}});
  out.push_back({"compile-bad-function", "--function that is no C identifier",
                 {"compile", "{F}/flag.fov", "--target", "host", "-o", "{O}/lib", "--function", "no way"}, {2}, {"no way"}});
  out.push_back({"compile-bad-emit", "--emit of something unknown", {"compile", "{E}/blur3.fov", "-o", "{O}/lib", "--emit", "pdf"}, {2}, {"pdf"}});
  out.push_back({"compile-missing-schedule", "--schedule naming a file that does not exist",
                 {"compile", "{E}/blur3.fov", "--target", "host", "-o", "{O}/lib", "--schedule", "{O}/nope.json"}, {1}, {"nope.json"}});
  out.push_back({"compile-bad-schedule", "--schedule naming a file that is not JSON",
                 {"compile", "{E}/blur3.fov", "--target", "host", "-o", "{O}/lib", "--schedule", "{O}/s.json"}, {1}, {"s.json"},
                 {}, [](const fs::path& o) { writeAll(o / "s.json", "{ nope"); }});
  out.push_back({"graph-bad-extension", "graph -o with an extension it does not draw", {"graph", "{E}/blur3.fov", "-o", "{O}/g.txt"}, {2}, {".dot"}});
  out.push_back({"graph-missing-dir", "graph -o into a directory that does not exist", {"graph", "{E}/blur3.fov", "-o", "{O}/missing/g.dot"}, {1},
                 {"missing"}});
  out.push_back({"batch-mixed", "a batch folder with a truncated JPEG, a 16-bit PNG, a dangling link, a folder named x.png and a WebP",
                 {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{F}/batch", "--output-dir", "{O}/out"}, {1},
                 {"c_truncated.jpg", "d_16bit.png", "e_dangling.png", "f_folder.png", "g.webp", "2 of 7 images"},
                 {"out/a.png", "out/b.jpg"}});
  out.push_back({"batch-ext-json", "a batch with --ext .json", {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{F}/batch_good", "--output-dir",
                 "{O}/out", "--ext", ".json"}, {0}, {}, {"out/a.json", "out/b.json"}});
  out.push_back({"batch-ext-impossible", "a batch of u16 outputs with --ext .jpg",
                 {"run", "{F}/wide.fov", "--input-dir", "{F}/batch_good", "--output-dir", "{O}/out", "--ext", ".jpg"}, {2}, {".jpg", "u16"}});
  out.push_back({"batch-no-input-dir", "--input-dir that does not exist",
                 {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{F}/nope", "--output-dir", "{O}/out"}, {1}, {"nope"}});
  out.push_back({"batch-input-is-file", "--input-dir that is a file",
                 {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{F}/photo.png", "--output-dir", "{O}/out"}, {1}, {"photo.png"}});
  out.push_back({"batch-empty", "an input folder with no images",
                 {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{F}/batch_empty", "--output-dir", "{O}/out"}, {1}, {"no images"}});
  out.push_back({"batch-same-dirs", "--output-dir the same as --input-dir",
                 {"run", "{A}", "--pipeline", "blur3", "--input-dir", "{O}/in", "--output-dir", "{O}/in"}, {1}, {"must differ"},
                 {}, [](const fs::path& o) { fs::create_directories(o / "in"); fs::copy_file(fs::path(hostileFixtures()) / "photo.png", o / "in" / "a.png"); }});
  out.push_back({"bench-random-zero", "bench --input random with a zero extent", {"bench", "{E}/blur3.fov", "--input", "random:0x5x3"}, {2},
                 {"extents from 1 to 65536"}});
  out.push_back({"bench-random-dims", "bench --input random with four extents", {"bench", "{E}/blur3.fov", "--input", "random:8x8x3x2"}, {2},
                 {"give a width and a height"}});
  out.push_back({"bench-random-type", "bench --input random of an unknown type", {"bench", "{E}/blur3.fov", "--input", "random:8x8x3:u9"}, {2},
                 {"'u9' is not a type"}});
  out.push_back({"bench-wrong-type", "bench --input random of a type the input does not take", {"bench", "{E}/blur3.fov", "--input", "random:8x8x3:f32"},
                 {1}, {"input"}});
  out.push_back({"bench-too-many-inputs", "bench with more --input than the pipeline has", {"bench", "{E}/blur3.fov", "--input", "random:8x8x3", "--input",
                 "random:8x8x3"}, {2}, {"has 1 buffer input"}});
  out.push_back({"bench-threads", "bench --threads 0", {"bench", "{E}/blur3.fov", "--threads", "0"}, {2}, {"--threads needs a count"}});
  out.push_back({"bench-bad-image", "bench --input a truncated JPEG", {"bench", "{E}/blur3.fov", "--input", "{F}/cuthalf.jpg"}, {1}, {"cuthalf.jpg"}});
  out.push_back({"bench-set-range", "bench --set a parameter outside its range", {"bench", "{E}/blur3.fov", "--set", "strength=3"}, {2},
                 {"outside its range"}});
  out.push_back({"bench-artifact-schedule", "bench a compiled library with --schedule", {"bench", "{A}", "--pipeline", "blur3", "--schedule", "none"}, {2},
                 {"apply to scripts"}});
  out.push_back({"tune", "fovea tune (not a command yet)", {"tune", "{E}/blur3.fov"}, {2}, {"unknown command 'tune'"}});
  return out;
}

std::vector<Case> allCases() {
  std::vector<Case> all;
  for (auto* make : {scriptCases, imageCases, parameterCases, outputCases, artifactCases, commandCases}) {
    for (Case& c : make()) all.push_back(std::move(c));
  }
  return all;
}

/// Every file under `dir`, relative, with its size (what "nothing was written" compares).
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    out.insert(fs::relative(it->path(), dir).string());
  }
  return out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.id; }

class HostileInput : public ::testing::TestWithParam<Case> {};

TEST_P(HostileInput, FailsCleanly) {
  const Case& c = GetParam();
  fs::path out = fs::path(FOVEA_BINARY_DIR) / "hostile" / c.id;
  fs::remove_all(out);
  fs::create_directories(out);
  if (c.setup) c.setup(out);
  std::set<std::string> before = listing(out);
  std::vector<std::string> argv = {FOVEA_BINARY};
  for (const std::string& a : c.args) argv.push_back(expand(a, out));
  ProcessOutcome r = runProcess(argv, c.limitSeconds);
  std::string shown = r.output.substr(0, 2000);
  if (const char* table = std::getenv("FOVEA_SWEEP_TABLE")) {
    // The line that says what happened: not a note, not the pointer to --help.
    std::string message;
    std::istringstream lines(r.output);
    for (std::string line; message.empty() && std::getline(lines, line);) {
      if (line.find("note:") == std::string::npos && line.rfind("(see ", 0) != 0 && line.find("images from") == std::string::npos) message = line;
    }
    for (const std::string& from : {hostileFixtures() + "/", out.string() + "/", std::string(FOVEA_AOT_DIR) + "/"}) {
      for (size_t at = message.find(from); at != std::string::npos; at = message.find(from)) message.erase(at, from.size());
    }
    for (char& ch : message) ch = ch == '|' ? '/' : ch;
    std::ofstream(table, std::ios::app) << "| " << c.id << " | " << c.what << " | " << r.status << " | " << message.substr(0, 160) << " |\n";
  }
  ASSERT_FALSE(r.timedOut) << "did not finish within " << c.limitSeconds << " s: " << shown;
  ASSERT_EQ(r.signal, 0) << "killed by signal " << r.signal << ": " << shown;
  EXPECT_TRUE(c.exits.count(r.status)) << "exit status " << r.status << ": " << shown;
  for (const std::string& m : c.mentions) EXPECT_NE(r.output.find(expand(m, out)), std::string::npos) << "should mention '" << m << "': " << shown;
  std::set<std::string> after = listing(out);
  for (const std::string& f : after) EXPECT_EQ(f.find(".tmp-"), std::string::npos) << "a temporary file was left: " << f;
  if (r.status != 0 && c.creates.empty()) {
    EXPECT_EQ(before, after) << "a failed command must write nothing: " << shown;
  }
  for (const std::string& f : c.creates) EXPECT_TRUE(fs::exists(out / f)) << f << " was not written: " << shown;
  if (c.id == "out-nonfinite-json") {
    std::string json = readAll(out / "o.json");
    EXPECT_NE(json.find("\"NaN\""), std::string::npos) << json.substr(0, 300);
    EXPECT_EQ(json.find("null"), std::string::npos);
  }
  if (c.id == "compile-bool-param") {
    ProcessOutcome cc = runProcess({"cc", "-std=c99", "-Wall", "-Werror", "-fsyntax-only", "-x", "c", (out / "lib" / "flag.h").string()});
    EXPECT_EQ(cc.status, 0) << "the header must compile as C: " << cc.output;
  }
  if (r.status == 0 || c.setup) fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Sweep, HostileInput, ::testing::ValuesIn(allCases()), [](const ::testing::TestParamInfo<Case>& param) {
  std::string name = param.param.id;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

TEST(HostileInputTable, ReliabilityPageListsEveryCase) {
  std::string page = readAll(fs::path(FOVEA_SOURCE_DIR) / "docs" / "reliability.md");
  std::set<std::string> ids;
  for (const Case& c : allCases()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "two cases are called " << c.id;
    EXPECT_NE(page.find("| " + c.id + " |"), std::string::npos) << "docs/reliability.md does not list case " << c.id;
  }
  std::regex row(R"(\n\| ([a-z0-9-]+) \|)");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), row); it != std::sregex_iterator(); ++it) {
    if ((*it)[1] == "case") continue;  // the table's header
    EXPECT_TRUE(ids.count((*it)[1])) << "docs/reliability.md lists a case the sweep does not run: " << (*it)[1];
  }
}

}  // namespace
}  // namespace fovea::test
