#include "cli/hostile_fixtures.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write fixture " + p.string());
}

void imwriteOrThrow(const fs::path& p, const cv::Mat& m, const std::vector<int>& params = {}) {
  if (!cv::imwrite(p.string(), m, params)) throw std::runtime_error("OpenCV cannot write fixture " + p.string());
}

uint32_t crc32(const std::string& bytes) {
  uint32_t table[256];
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  uint32_t c = 0xffffffffu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::string be32(uint32_t v) { return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string le32(uint32_t v) { return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)}; }
std::string le16(uint16_t v) { return {static_cast<char>(v), static_cast<char>(v >> 8)}; }

/// A well-formed PNG (every checksum right) whose IHDR claims width x height RGB, with a few
/// bytes of compressed data: what a decompression bomb looks like to a decoder's first look.
std::string pngClaiming(uint32_t width, uint32_t height) {
  auto chunk = [](const std::string& type, const std::string& data) { return be32(static_cast<uint32_t>(data.size())) + type + data + be32(crc32(type + data)); };
  std::string ihdr = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
  std::string idat("\x78\x9c\x03\x00\x00\x00\x00\x01", 8);  // an empty zlib stream
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", "");
}

/// A little-endian TIFF with one IFD claiming width x height 8-bit RGB, with a strip that is not there.
std::string tiffHeaderOnly(uint32_t width, uint32_t height) {
  std::string ifd;
  auto entry = [&](uint16_t tag, uint16_t type, uint32_t count, uint32_t value) { ifd += le16(tag) + le16(type) + le32(count) + le32(value); };
  entry(256, 4, 1, width);
  entry(257, 4, 1, height);
  entry(258, 3, 1, 8);      // bits per sample (one value applies to all)
  entry(259, 3, 1, 1);      // no compression
  entry(262, 3, 1, 2);      // RGB
  entry(273, 4, 1, 200);    // strip offset
  entry(277, 3, 1, 3);      // samples per pixel
  entry(278, 4, 1, height); // rows per strip
  entry(279, 4, 1, width * 3u * height);
  return std::string("II*\0", 4) + le32(8) + le16(9) + ifd + le32(0);
}

/// The bytes with the one at `at` inverted.
std::string flipped(std::string bytes, size_t at) {
  bytes[at] = static_cast<char>(~static_cast<unsigned char>(bytes[at]));
  return bytes;
}

void makeFixtures(const fs::path& dir) {
  fs::path examples = FOVEA_EXAMPLES_DIR;
  cv::Mat photo = cv::imread((examples / "images" / "chelsea.png").string(), cv::IMREAD_COLOR);
  cv::Mat gray = cv::imread((examples / "images" / "camera.png").string(), cv::IMREAD_GRAYSCALE);
  if (photo.empty() || gray.empty()) throw std::runtime_error("OpenCV cannot read the bundled photographs");

  // Whole images, each format fovea run reads, written by OpenCV.
  imwriteOrThrow(dir / "photo.png", photo);
  imwriteOrThrow(dir / "photo.jpg", photo);
  imwriteOrThrow(dir / "photo.tif", photo);
  imwriteOrThrow(dir / "photo.bmp", photo);
  imwriteOrThrow(dir / "photo.ppm", photo);
  imwriteOrThrow(dir / "photo.webp", photo);
  cv::Mat gray16;
  gray.convertTo(gray16, CV_16U, 257.0);
  imwriteOrThrow(dir / "photo16.pgm", gray16);
  {  // PFM by hand: little-endian (negative scale), bottom row first
    cv::Mat f;
    gray.convertTo(f, CV_32F, 1.0 / 255);
    std::string bytes = "Pf\n" + std::to_string(f.cols) + " " + std::to_string(f.rows) + "\n-1.0\n";
    for (int y = f.rows - 1; y >= 0; --y) bytes.append(reinterpret_cast<const char*>(f.ptr<float>(y)), static_cast<size_t>(f.cols) * 4);
    writeBytes(dir / "photo.pfm", bytes);
  }
  imwriteOrThrow(dir / "gray.png", gray);
  cv::Mat rgba;
  cv::cvtColor(photo, rgba, cv::COLOR_BGR2BGRA);
  imwriteOrThrow(dir / "rgba.png", rgba);
  cv::Mat deep;
  photo.convertTo(deep, CV_16U, 257.0);
  imwriteOrThrow(dir / "deep.png", deep);
  imwriteOrThrow(dir / "one.png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 20, 30)));
  {  // 6000 x 4000 RGB (72 MB decoded): a smooth ramp, so that the file stays small
    cv::Mat big(4000, 6000, CV_8UC3);
    for (int y = 0; y < big.rows; ++y) {
      for (int x = 0; x < big.cols; ++x) big.at<cv::Vec3b>(y, x) = cv::Vec3b(x & 255, y & 255, (x + y) & 255);
    }
    imwriteOrThrow(dir / "big.png", big);
  }
  fs::copy_file(dir / "photo.png", dir / "фото с пробелом.png");

  // Cut short at three points, and with one byte changed in the header and in the data.
  for (const char* ext : {"png", "jpg", "tif", "bmp", "ppm", "pfm"}) {
    std::string whole = readBytes(dir / (std::string("photo.") + ext));
    writeBytes(dir / (std::string("cut16.") + ext), whole.substr(0, 16));
    writeBytes(dir / (std::string("cuthalf.") + ext), whole.substr(0, whole.size() / 2));
    writeBytes(dir / (std::string("cutlast.") + ext), whole.substr(0, whole.size() - 1));
    writeBytes(dir / (std::string("fliphead.") + ext), flipped(whole, 1));
    writeBytes(dir / (std::string("flipdata.") + ext), flipped(whole, whole.size() / 2));
  }
  {
    std::string whole = readBytes(dir / "photo16.pgm");
    writeBytes(dir / "cuthalf16.pgm", whole.substr(0, whole.size() / 2));
  }

  // Not images, or not whole ones.
  writeBytes(dir / "empty.png", "");
  writeBytes(dir / "text.png", "this is a text file, not an image\n");
  fs::create_directories(dir / "folder.png");
  fs::create_symlink(dir / "nowhere.png", dir / "dangling.png");
  ::mkfifo((dir / "fifo.png").c_str(), 0600);
  writeBytes(dir / "huge.png", pngClaiming(100000, 100000));
  writeBytes(dir / "zero.png", pngClaiming(0, 10));
  writeBytes(dir / "huge.tif", tiffHeaderOnly(30000, 30000));
  writeBytes(dir / "huge.ppm", "P6\n100000 100000\n255\n" + std::string(64, '\x80'));
  writeBytes(dir / "zero.ppm", "P6\n0 0\n255\n");
  writeBytes(dir / "huge.bmp", "BM" + le32(54) + le32(0) + le32(54) + le32(40) + le32(100000) + le32(100000) + le16(1) + le16(24) + le32(0) +
                                   le32(0) + le32(2835) + le32(2835) + le32(0) + le32(0));
  {  // a real JPEG whose SOF0 is changed to claim 65000 x 65000
    std::string jpg = readBytes(dir / "photo.jpg");
    size_t sof = jpg.find("\xff\xc0");
    if (sof == std::string::npos) throw std::runtime_error("no SOF0 in OpenCV's JPEG");
    jpg[sof + 5] = jpg[sof + 7] = static_cast<char>(0xfd);
    jpg[sof + 6] = jpg[sof + 8] = static_cast<char>(0xe8);
    writeBytes(dir / "huge.jpg", jpg);
  }

  // Scripts that are not scripts, or too much of one.
  writeBytes(dir / "empty.fov", "");
  fs::create_directories(dir / "folder.fov");
  ::mkfifo((dir / "fifo.fov").c_str(), 0600);
  writeBytes(dir / "binary.fov", readBytes(dir / "photo.png"));
  writeBytes(dir / "badutf8.fov", "pipeline p(input: u8[x]) -> u8[x] {\n  o(x) = input(x); // \xff\xfe\n  return o;\n}\n");
  {
    std::string big = "// " + std::string(17 << 20, 'x') + "\n";
    writeBytes(dir / "big.fov", big);
  }
  {
    std::string nested = "pipeline p(input: i32[x]) -> i32[x] {\n  o(x) = " + std::string(5000, '(') + "input(x)" + std::string(5000, ')') +
                         ";\n  return o;\n}\n";
    writeBytes(dir / "nested.fov", nested);
  }
  {  // each function calls the previous one twice with the same stage: 2^30 calls if instantiated naively
    std::string s = "fn f0(in) {\n  o(x, y) = in(x, y) + 1;\n  return o;\n}\n";
    std::string t = "fn g0(in, k) {\n  o(x, y) = in(x, y) + k;\n  return o;\n}\n";
    for (int k = 1; k <= 30; ++k) {
      s += "fn f" + std::to_string(k) + "(in) {\n  a = f" + std::to_string(k - 1) + "(in);\n  b = f" + std::to_string(k - 1) +
           "(in);\n  o(x, y) = a(x, y) + b(x, y);\n  return o;\n}\n";
      t += "fn g" + std::to_string(k) + "(in, k) {\n  a = g" + std::to_string(k - 1) + "(in, k + 1);\n  b = g" + std::to_string(k - 1) +
           "(in, k + 2);\n  o(x, y) = a(x, y) + b(x, y);\n  return o;\n}\n";
    }
    writeBytes(dir / "calls_shared.fov", s + "pipeline p(input: i32[x, y]) -> i32[x, y] {\n  r = f30(input);\n  return r;\n}\n");
    writeBytes(dir / "calls_distinct.fov", t + "pipeline p(input: i32[x, y], q: i32 = 1) -> i32[x, y] {\n  r = g30(input, q);\n  return r;\n}\n");
  }
  {
    std::string chain = "pipeline p(input: f32[x, y]) -> f32[x, y] {\n  s0(x, y) = input(x, y);\n";
    for (int k = 1; k < 2000; ++k) chain += "  s" + std::to_string(k) + "(x, y) = s" + std::to_string(k - 1) + "(x, y) * 0.5 + 1.0;\n";
    writeBytes(dir / "chain2000.fov", chain + "  return s1999;\n}\n");
  }
  writeBytes(dir / "скрипт с пробелом.fov", readBytes(examples / "blur3.fov"));
  // Scripts whose model is not a model: a directory, nothing, bytes that are not ONNX, a cut file.
  {
    fs::create_directories(dir / "models" / "folder.onnx");
    writeBytes(dir / "models" / "garbage.onnx", "this is not a protocol buffer at all\n");
    std::string model = readBytes(examples / "models" / "tiny_cnn.onnx");
    writeBytes(dir / "models" / "cut.onnx", model.substr(0, model.size() / 2));
    for (const char* which : {"folder", "missing", "garbage", "cut"}) {
      writeBytes(dir / (std::string("model_") + which + ".fov"),
                 std::string("model net = onnx(\"models/") + which + ".onnx\");\n"
                 "pipeline classify(input: f32[x, y, c, n]) -> f32[k, n] size (10, 1) {\n  out = net(input);\n  return out;\n}\n");
    }
  }
  writeBytes(dir / "flag.fov",
             "pipeline flag(input: u8[x, y, c], invert: bool = false) -> u8[x, y, c] {\n"
             "  o(x, y, c) = select(invert, 255 - input(x, y, c), input(x, y, c));\n  return o;\n}\n");
  writeBytes(dir / "wide.fov",
             "pipeline wide(input: u8[x, y, c]) -> u16[x, y, c] {\n  o(x, y, c) = u16(input(x, y, c)) * 257;\n  return o;\n}\n");
  writeBytes(dir / "float.fov",
             "pipeline float(input: u8[x, y, c]) -> f32[x, y, c] {\n  o(x, y, c) = sqrt(f32(input(x, y, c))) * 0.1234567;\n  return o;\n}\n");
  writeBytes(dir / "enormous.fov",
             "pipeline enormous(input: u8[x, y, c]) -> u8[x, y, c] size (input.width * 200, input.height * 200, 3) {\n"
             "  src = boundary(input, wrap);\n  o(x, y, c) = src(x, y, c);\n  return o;\n}\n");
  writeBytes(dir / "nonfinite.fov",
             "pipeline nonfinite(input: f32[x, y]) -> f32[x, y] {\n  o(x, y) = log(input(x, y) - 0.5);\n  return o;\n}\n");
  writeBytes(dir / "ints.fov",
             "pipeline ints(input: u8[x, y, c], n: i32 = 1 in [0, 10], b: u8 = 0) -> u8[x, y, c] {\n"
             "  o(x, y, c) = u8_sat(i32(input(x, y, c)) * n + i32(b));\n  return o;\n}\n");

  // A batch folder: good photos, one of each kind of trouble.
  fs::path batch = dir / "batch";
  fs::create_directories(batch);
  fs::copy_file(dir / "photo.png", batch / "a.png");
  fs::copy_file(dir / "photo.jpg", batch / "b.jpg");
  fs::copy_file(dir / "cuthalf.jpg", batch / "c_truncated.jpg");
  fs::copy_file(dir / "deep.png", batch / "d_16bit.png");
  fs::create_symlink(dir / "nowhere.png", batch / "e_dangling.png");
  fs::create_directories(batch / "f_folder.png");
  fs::copy_file(dir / "photo.webp", batch / "g.webp");
  writeBytes(batch / "notes.txt", "not an image");
  fs::create_directories(dir / "batch_good");
  fs::copy_file(dir / "photo.png", dir / "batch_good" / "a.png");
  fs::copy_file(dir / "gray.png", dir / "batch_good" / "b.png");
  fs::create_directories(dir / "batch_empty");
}

}  // namespace

const std::string& hostileFixtures() {
  static const std::string dir = [] {
    // The version in the name changes whenever makeFixtures() does: a build folder holding an older
    // set makes the new one beside it (never edits a set other test processes may be reading).
    fs::path final = fs::path(FOVEA_BINARY_DIR) / "hostile_fixtures.v2";
    if (fs::exists(final / ".complete")) return final.string();
    if (fs::exists(final)) fs::remove_all(final);  // left half-made by a crash
    // Made aside and renamed into place: concurrent test processes never see half of it.
    fs::path work = fs::path(FOVEA_BINARY_DIR) / ("hostile_fixtures.tmp." + std::to_string(::getpid()));
    fs::remove_all(work);
    fs::create_directories(work);
    makeFixtures(work);
    writeBytes(work / ".complete", "");
    std::error_code ec;
    fs::rename(work, final, ec);
    if (ec) fs::remove_all(work);  // another process got there first
    return final.string();
  }();
  return dir;
}

}  // namespace fovea::test
