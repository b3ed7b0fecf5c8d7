// The strict image decoders of `fovea run` (compiler/driver/image_read.cpp), in process, over every
// format they read: each whole file decodes to the pixels that were encoded; each file cut short at
// many points is refused with a message; each file with a byte flipped anywhere is refused or
// decodes to an image of a sane size (a flipped pixel byte is a valid, different image in formats
// without checksums), and never crashes. Built with AddressSanitizer and UBSan, so a read past a
// buffer in our header checks fails the test rather than passing by luck.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "driver/image_codecs.h"
#include "driver/image_read.h"

namespace fovea::driver {
namespace {

namespace fs = std::filesystem;

/// decodeImage() in the shape these checks read: the image, or nothing with `error` set to the
/// failure's message (which must never be empty).
std::optional<DecodedImage> decode(const std::string& bytes, std::string& error, uint64_t maxBytes = kMaxImageBytes) {
  Result<DecodedImage> image = decodeImage(bytes, maxBytes);
  if (image) return std::move(*image);
  error = image.failure().message;
  return std::nullopt;
}

/// A small image with content in every channel (gradients and a pattern), of odd size.
cv::Mat pattern(int type) {
  cv::Mat m(23, 37, type);
  int channels = m.channels();
  for (int y = 0; y < m.rows; ++y) {
    for (int x = 0; x < m.cols; ++x) {
      for (int c = 0; c < channels; ++c) {
        double v = (x * 7 + y * 11 + c * 50 + (x * y) % 13) % 256;
        switch (m.depth()) {
          case CV_8U: m.ptr<uint8_t>(y)[x * channels + c] = static_cast<uint8_t>(v); break;
          case CV_16U: m.ptr<uint16_t>(y)[x * channels + c] = static_cast<uint16_t>(v * 257 + c); break;
          default: m.ptr<float>(y)[x * channels + c] = static_cast<float>(v / 255.0 - 0.25); break;
        }
      }
    }
  }
  return m;
}

struct Format {
  std::string name;      // test name
  std::string ext;       // what OpenCV encodes
  int type;              // what is encoded, in RGB order
  bool lossless;         // whole file decodes to exactly the encoded pixels
  bool checksummed;      // every flipped byte must be refused (PNG's CRCs cover every chunk)
  std::vector<int> params;
};

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The file's bytes: encoded by OpenCV (a different encoder from our decoders), or by libtiff for
/// f32 TIFF, which OpenCV cannot write as floats.
std::string encode(const Format& f, const cv::Mat& rgb) {
  cv::Mat bgr = rgb.channels() == 1 ? rgb : cv::Mat();  // a new Mat: cvtColor into a shared one would swap `rgb` itself
  if (rgb.channels() == 3) cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  if (rgb.channels() == 4) cv::cvtColor(rgb, bgr, cv::COLOR_RGBA2BGRA);
  if (f.ext == ".tif" && rgb.depth() == CV_32F) {
    fs::path tmp = fs::temp_directory_path() / ("fovea_decode_test_" + std::to_string(::getpid()) + ".tif");
    Status written = codecs::encodeTiff(rgb, tmp.string());
    EXPECT_TRUE(written) << (written ? "" : written.failure().message);
    std::string bytes = readAll(tmp);
    fs::remove(tmp);
    return bytes;
  }
  std::vector<uchar> out;
  EXPECT_TRUE(cv::imencode(f.ext, bgr, out, f.params)) << f.name;
  return std::string(out.begin(), out.end());
}

std::vector<Format> formats() {
  return {
      {"Png8Rgb", ".png", CV_8UC3, true, true, {}},
      {"Png8Gray", ".png", CV_8UC1, true, true, {}},
      {"Png8Rgba", ".png", CV_8UC4, true, true, {}},
      {"Png16Rgb", ".png", CV_16UC3, true, true, {}},
      {"Jpeg", ".jpg", CV_8UC3, false, false, {cv::IMWRITE_JPEG_QUALITY, 90}},
      {"JpegGray", ".jpg", CV_8UC1, false, false, {cv::IMWRITE_JPEG_QUALITY, 90}},
      {"JpegProgressive", ".jpg", CV_8UC3, false, false, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
      {"Tiff8Rgb", ".tif", CV_8UC3, true, false, {}},
      {"Tiff16Gray", ".tif", CV_16UC1, true, false, {}},
      {"TiffLzw", ".tif", CV_8UC3, true, false, {cv::IMWRITE_TIFF_COMPRESSION, 5}},
      {"Tiff32Float", ".tif", CV_32FC3, true, false, {}},
      {"Bmp24", ".bmp", CV_8UC3, true, false, {}},
      {"Bmp8Gray", ".bmp", CV_8UC1, true, false, {}},
      {"Ppm", ".ppm", CV_8UC3, true, false, {}},
      {"Pgm16", ".pgm", CV_16UC1, true, false, {}},
      {"PgmAscii", ".pgm", CV_8UC1, true, false, {cv::IMWRITE_PXM_BINARY, 0}},
      {"Pfm", ".pfm", CV_32FC3, true, false, {}},
  };
}

class Decoder : public ::testing::TestWithParam<Format> {};

void PrintTo(const Format& f, std::ostream* os) { *os << f.name; }

/// Largest difference and count of differing values between two images of one shape and depth.
std::pair<double, int> compare(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a.reshape(1), b.reshape(1), diff);
  double worst = 0;
  cv::minMaxLoc(diff, nullptr, &worst);
  cv::Mat nan = (a.reshape(1) != a.reshape(1)) | (b.reshape(1) != b.reshape(1));  // NaN compares unequal to itself
  if (cv::countNonZero(nan) > 0) worst = HUGE_VAL;
  return {worst, cv::countNonZero(diff)};
}

TEST_P(Decoder, WholeFileGivesTheEncodedPixels) {
  const Format& f = GetParam();
  cv::Mat rgb = pattern(f.type);
  std::string bytes = encode(f, rgb);
  std::string error;
  std::optional<DecodedImage> img = decode(bytes, error);
  ASSERT_TRUE(img) << error;
  EXPECT_TRUE(error.empty()) << error;
  ASSERT_EQ(img->pixels.size(), rgb.size());
  ASSERT_EQ(img->pixels.type(), rgb.type());
  auto [worst, differing] = compare(img->pixels, rgb);
  if (f.lossless) {
    EXPECT_EQ(worst, 0) << "lossless formats give back exactly what was written";
  } else {
    // JPEG at quality 90 on this smooth pattern: the same bytes decoded by OpenCV's own reader
    // are the reference (same library, same IDCT), so the two decodes agree exactly; against the
    // original pixels JPEG's loss stays small.
    cv::Mat theirs = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_UNCHANGED);
    if (theirs.channels() == 3) cv::cvtColor(theirs, theirs, cv::COLOR_BGR2RGB);
    auto [w2, d2] = compare(img->pixels, theirs);
    EXPECT_EQ(w2, 0) << d2 << " values differ from OpenCV's decode of the same file";
    // Against the original: the pattern wraps from 255 to 0 in places, where JPEG (and chroma
    // subsampling) smears values far, but each channel's mean survives: channels in the wrong
    // order would be off by about 50.
    cv::Scalar ours = cv::mean(img->pixels), original = cv::mean(rgb);
    for (int c = 0; c < rgb.channels(); ++c) EXPECT_NEAR(ours[c], original[c], 4) << "channel " << c << " (largest error " << worst << ")";
  }
}

TEST_P(Decoder, EveryCutIsRefusedWithAMessage) {
  const Format& f = GetParam();
  std::string bytes = encode(f, pattern(f.type));
  ASSERT_GT(bytes.size(), 64u);
  // Every cut in the first 64 bytes (the headers), then about 300 more spread over the rest,
  // always including the very last byte.
  std::vector<size_t> cuts;
  for (size_t n = 0; n < 64; ++n) cuts.push_back(n);
  size_t step = std::max<size_t>(1, (bytes.size() - 64) / 300);
  for (size_t n = 64; n < bytes.size(); n += step) cuts.push_back(n);
  cuts.push_back(bytes.size() - 1);
  int accepted = 0;
  std::string firstAccepted;
  for (size_t n : cuts) {
    // What follows the last value of an ASCII PNM is whitespace: cutting only that loses nothing.
    if (bytes.find_first_not_of(" \t\r\n", n) == std::string::npos) continue;
    std::string error;
    std::optional<DecodedImage> img = decode(bytes.substr(0, n), error);
    if (img) {
      if (!accepted++) firstAccepted = std::to_string(n);
      continue;
    }
    EXPECT_FALSE(error.empty()) << "a refusal without a message, cut at " << n;
  }
  EXPECT_EQ(accepted, 0) << accepted << " of " << cuts.size() << " cut files were decoded as whole (the first cut at " << firstAccepted
                         << " of " << bytes.size() << " bytes)";
}

TEST_P(Decoder, FlippedBytesAreRefusedOrGiveASaneImage) {
  const Format& f = GetParam();
  cv::Mat rgb = pattern(f.type);
  std::string bytes = encode(f, rgb);
  size_t step = std::max<size_t>(1, bytes.size() / 400);
  int refused = 0, tried = 0;
  for (size_t at = 0; at < bytes.size(); at += (at < 64 ? 1 : step)) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ mask);
      std::string error;
      // A small limit: a flipped size field must be refused before allocation, not decoded.
      std::optional<DecodedImage> img = decode(damaged, error, 1 << 22);
      ++tried;
      if (!img) {
        ++refused;
        EXPECT_FALSE(error.empty()) << "a refusal without a message, byte " << at;
        continue;
      }
      EXPECT_FALSE(img->pixels.empty()) << "byte " << at;
      EXPECT_LE(img->pixels.total() * img->pixels.elemSize(), size_t{1} << 22) << "byte " << at;
      if (f.checksummed && at >= 8) ADD_FAILURE() << f.name << ": byte " << at << " flipped with " << int(mask) << " decoded (its CRC should catch it)";
    }
  }
  EXPECT_GT(refused, 0) << "no damage at all was noticed in " << tried << " tries";
}

INSTANTIATE_TEST_SUITE_P(Formats, Decoder, ::testing::ValuesIn(formats()),
                         [](const ::testing::TestParamInfo<Format>& param) { return param.param.name; });

TEST(DecoderLimits, HeadersClaimingHugeImagesAreRefusedBeforeAllocation) {
  // A 100000 x 100000 RGB PPM header with no data: refused from the header, and the message says so.
  std::string error;
  EXPECT_FALSE(decode("P6\n100000 100000\n255\n", error));
  EXPECT_NE(error.find("100000"), std::string::npos) << error;
  // The same through PNG: a real PNG whose IHDR is patched to 100000 x 100000 (CRC recomputed by
  // re-encoding is not possible, so the check must come before libpng's CRC check or the CRC
  // message must be the answer: either way it is refused without allocating 30 GB).
  std::vector<uchar> png;
  cv::imencode(".png", pattern(CV_8UC3), png);
  std::string bytes(png.begin(), png.end());
  for (int i = 0; i < 4; ++i) {
    bytes[16 + i] = static_cast<char>((100000 >> (24 - 8 * i)) & 0xff);
    bytes[20 + i] = static_cast<char>((100000 >> (24 - 8 * i)) & 0xff);
  }
  error.clear();
  EXPECT_FALSE(decode(bytes, error));
  EXPECT_FALSE(error.empty());
}

TEST(DecoderLimits, UnknownAndUnsupportedFormatsAreNamed) {
  std::string error;
  EXPECT_FALSE(decode("", error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(decode(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), error));
  EXPECT_NE(error.find("WebP"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(decode(std::string("GIF89a\x01\0\x01\0", 10), error));
  EXPECT_NE(error.find("GIF"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(decode("hello, this is text", error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace fovea::driver
