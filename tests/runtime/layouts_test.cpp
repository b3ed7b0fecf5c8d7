// The layouts the runtime accepts are computed correctly, not only fast: compiled pipelines run on
// randomly drawn images in every layout a caller can give (OpenCV ROIs with padded rows and views
// inside larger images, planar and interleaved buffers, flipped views with negative strides,
// outputs in caller-owned odd layouts, 1-pixel and 1-row images) and must give, value for value,
// what they give on a dense copy of the same pixels; blur3 is also held to its plain-loop
// reference. Built into the sanitized runtime test too, where any read outside a view is caught.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include <opencv2/core.hpp>

#include "../aot/blur3_reference.h"
#include "fovea/opencv.hpp"
#include "fovea/runtime.hpp"

namespace {

using fovea::Image;

const std::string kDir = FOVEA_AOT_DIR;

enum class Layout { Interleaved, Planar, RoiOfLargerMat, PaddedRows, FlippedRows, FlippedColumns, ChannelsReversed };
const char* name(Layout l) {
  switch (l) {
    case Layout::Interleaved: return "interleaved";
    case Layout::Planar: return "planar";
    case Layout::RoiOfLargerMat: return "ROI of a larger cv::Mat";
    case Layout::PaddedRows: return "rows padded to 64 bytes";
    case Layout::FlippedRows: return "flipped rows (negative y stride)";
    case Layout::FlippedColumns: return "flipped columns (negative x stride)";
    case Layout::ChannelsReversed: return "channels in reverse (negative c stride)";
  }
  return "?";
}
const Layout kLayouts[] = {Layout::Interleaved,  Layout::Planar,         Layout::RoiOfLargerMat,  Layout::PaddedRows,
                           Layout::FlippedRows,  Layout::FlippedColumns, Layout::ChannelsReversed};

/// Memory that a strided view points into, kept alive with it.
struct Storage {
  std::vector<uint8_t> bytes;
  cv::Mat mat;
};

/// A view in `layout` holding the values of `dense` (x, y[, c]), u8. Elements outside the view in
/// its storage hold 0xEE, so that reading them shows up as wrong values.
Image inLayout(const Halide::Runtime::Buffer<uint8_t>& dense, Layout layout, Storage& storage, std::mt19937& rng) {
  int w = dense.dim(0).extent(), h = dense.dim(1).extent();
  int c = dense.dimensions() == 3 ? dense.dim(2).extent() : 1;
  int dims = dense.dimensions();
  Image view;
  switch (layout) {
    case Layout::Interleaved:
    case Layout::PaddedRows:
    case Layout::FlippedRows:
    case Layout::FlippedColumns:
    case Layout::ChannelsReversed: {
      int rowBytes = layout == Layout::PaddedRows ? (w * c + 63) / 64 * 64 + 64 : w * c;
      storage.bytes.assign(static_cast<size_t>(rowBytes) * h, 0xEE);
      uint8_t* base = storage.bytes.data();
      halide_dimension_t d[3] = {{0, w, c, 0}, {0, h, rowBytes, 0}, {0, c, 1, 0}};
      if (layout == Layout::FlippedRows) {
        base += static_cast<size_t>(rowBytes) * (h - 1);
        d[1].stride = -rowBytes;
      }
      if (layout == Layout::FlippedColumns) {
        base += static_cast<size_t>(c) * (w - 1);
        d[0].stride = -c;
      }
      if (layout == Layout::ChannelsReversed) {
        base += c - 1;
        d[2].stride = -1;
      }
      view = Image(halide_type_of<uint8_t>(), base, dims, d);
      break;
    }
    case Layout::Planar: {
      storage.bytes.assign(static_cast<size_t>(w) * h * c, 0xEE);
      halide_dimension_t d[3] = {{0, w, 1, 0}, {0, h, w, 0}, {0, c, w * h, 0}};
      view = Image(halide_type_of<uint8_t>(), storage.bytes.data(), dims, d);
      break;
    }
    case Layout::RoiOfLargerMat: {
      std::uniform_int_distribution<int> margin(0, 9);
      int left = margin(rng), top = margin(rng);
      storage.mat = cv::Mat(h + top + margin(rng), w + left + margin(rng), CV_8UC(c), cv::Scalar::all(0xEE));
      cv::Mat roi = storage.mat(cv::Rect(left, top, w, h));
      view = fovea::fromMat(roi, dims);
      break;
    }
  }
  Halide::Runtime::Buffer<uint8_t> v(view);
  v.copy_from(dense);
  return view;
}

Halide::Runtime::Buffer<uint8_t> randomImage(int w, int h, int c, std::mt19937& rng) {
  Halide::Runtime::Buffer<uint8_t> b = c > 0 ? Halide::Runtime::Buffer<uint8_t>::make_interleaved(w, h, c) : Halide::Runtime::Buffer<uint8_t>(w, h);
  std::uniform_int_distribution<int> value(0, 255);
  b.for_each_value([&](uint8_t& v) { v = static_cast<uint8_t>(value(rng)); });
  return b;
}

/// Every value of two images with the same shape, compared; the first difference described.
testing::AssertionResult sameValues(const Image& a, const Image& b) {
  if (a.dimensions() != b.dimensions()) return testing::AssertionFailure() << "different dimensions";
  for (int d = 0; d < a.dimensions(); ++d) {
    if (a.dim(d).extent() != b.dim(d).extent()) return testing::AssertionFailure() << "dimension " << d << " differs";
  }
  std::string first;
  int64_t differing = 0;
  size_t bytes = a.type().bytes();
  auto address = [&](const Image& img, const int* pos) {
    const halide_buffer_t* hb = img.raw_buffer();
    int64_t offset = 0;
    for (int d = 0; d < hb->dimensions; ++d) offset += int64_t{pos[d] - hb->dim[d].min} * hb->dim[d].stride;
    return hb->host + offset * static_cast<int64_t>(bytes);
  };
  a.for_each_element([&](const int* pos) {
    const uint8_t* pa = address(a, pos);
    const uint8_t* pb = address(b, pos);
    if (std::memcmp(pa, pb, bytes) != 0 && differing++ == 0) {
      for (int d = 0; d < a.dimensions(); ++d) first += (d ? "," : "at ") + std::to_string(pos[d]);
    }
  });
  if (differing == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << differing << " values differ, the first " << first;
}

struct Sized {
  int w, h;
};

/// Sizes drawn for each trial: the odd ones always, then random ones.
std::vector<Sized> sizes(std::mt19937& rng) {
  std::vector<Sized> s = {{1, 1}, {1, 7}, {9, 1}, {2, 2}, {3, 5}};
  std::uniform_int_distribution<int> side(1, 97);
  for (int i = 0; i < 6; ++i) s.push_back({side(rng), side(rng)});
  return s;
}

TEST(Layouts, Blur3GivesTheSameValuesInEveryLayout) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  std::mt19937 rng(7);
  for (Sized s : sizes(rng)) {
    for (int channels : {3, 1, 4}) {
      Halide::Runtime::Buffer<uint8_t> dense = randomImage(s.w, s.h, channels, rng);
      // Strength 1 is the box blur alone: each output is a sum of 9 bytes over 9, never within
      // float noise of a rounding tie, so every layout must give exactly the same bytes. (At other
      // strengths random bytes hit exact .5 ties often, and code specialized for another stride
      // may contract the arithmetic differently and round a tie the other way.)
      std::vector<Image> reference = p.run({Image(dense)}, {{"strength", 1.0}});
      fovea::test::Blur3Error e = fovea::test::blur3Error(dense, Halide::Runtime::Buffer<const uint8_t>(reference[0]), 1.0f);
      EXPECT_EQ(e.worst, 0) << s.w << "x" << s.h << "x" << channels << ": " << e;
      for (Layout layout : kLayouts) {
        Storage storage;
        Image view = inLayout(dense, layout, storage, rng);
        std::vector<Image> out = p.run({view}, {{"strength", 1.0}});
        EXPECT_TRUE(sameValues(out[0], reference[0])) << name(layout) << ", " << s.w << "x" << s.h << "x" << channels;
      }
    }
  }
}

TEST(Layouts, OutputsInCallerLayoutsGetTheSameValues) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  std::mt19937 rng(11);
  for (Sized s : sizes(rng)) {
    Halide::Runtime::Buffer<uint8_t> dense = randomImage(s.w, s.h, 3, rng);
    std::vector<Image> reference = p.run({Image(dense)});
    for (Layout layout : kLayouts) {
      Storage storage;
      // The caller's output buffer, in this layout (its contents overwritten).
      Image target = inLayout(dense, layout, storage, rng);
      std::vector<Image> out = {target};
      p.run({Image(dense)}, {}, out);
      EXPECT_EQ(out[0].data(), target.data()) << name(layout) << ": the caller's buffer is used";
      EXPECT_TRUE(sameValues(out[0], reference[0])) << name(layout) << ", " << s.w << "x" << s.h;
    }
  }
}

TEST(Layouts, HalveAndGrayConversionGiveTheSameValuesInEveryLayout) {
  fovea::Pipeline halve = fovea::Pipeline::open(kDir, "halve");
  fovea::Pipeline gray = fovea::Pipeline::open(kDir, "to_gray");
  std::mt19937 rng(13);
  for (Sized s : sizes(rng)) {
    Halide::Runtime::Buffer<uint8_t> dense = randomImage(s.w, s.h, 3, rng);
    bool halvable = s.w >= 2 && s.h >= 2;
    std::vector<Image> halved = halvable ? halve.run({Image(dense)}) : std::vector<Image>{};
    std::vector<Image> grayed = gray.run({Image(dense)}, {{"bias", 3}});
    for (Layout layout : kLayouts) {
      Storage storage;
      Image view = inLayout(dense, layout, storage, rng);
      if (halvable) {
        std::vector<Image> out = halve.run({view});
        EXPECT_TRUE(sameValues(out[0], halved[0])) << "halve small, " << name(layout) << ", " << s.w << "x" << s.h;
        EXPECT_TRUE(sameValues(out[1], halved[1])) << "halve mean, " << name(layout) << ", " << s.w << "x" << s.h;
      }
      std::vector<Image> out = gray.run({view}, {{"bias", 3}});
      EXPECT_TRUE(sameValues(out[0], grayed[0])) << "to_gray, " << name(layout) << ", " << s.w << "x" << s.h;
    }
  }
}

}  // namespace
