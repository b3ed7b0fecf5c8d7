// Pipelines with ONNX models as nodes, compiled at build time and run through the runtime:
// operator models from Debian's libonnx-testdata against the outputs shipped with them, and the
// classify example (pre-processing, a small CNN, softmax) against the same network computed here
// from its weights, on a photograph. Also: a model file replaced after compiling, and many threads.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fovea/json.h"
#include "fovea/onnx_info.h"
#include "fovea/opencv.hpp"
#include "fovea/runtime.hpp"
#include "failure_of.h"

namespace {
namespace fs = std::filesystem;
using fovea::Image;

const std::string kModels = FOVEA_MODELS_DIR;    // what fovea compile wrote
const std::string kTestData = "/usr/share/libonnx-testdata/data/node/";

/// An ONNX tensor as a Fovea image (the same memory order: ONNX's outermost dimension is Fovea's last).
Image toImage(const fovea::onnx::Tensor& t) {
  std::vector<int> shape;
  for (size_t d = t.dims.size(); d-- > 0;) shape.push_back(static_cast<int>(t.dims[d]));
  Image img(halide_type_of<float>(), shape);
  std::memcpy(img.data(), t.values.data(), t.values.size() * sizeof(float));
  return img;
}

/// The largest difference between a Fovea tensor (any strides) and an ONNX one: Fovea's first
/// dimension is ONNX's last, so visiting x fastest walks the ONNX data in order. A NaN on either
/// side (and not on both) is an infinite difference.
float maxError(const Image& got, const fovea::onnx::Tensor& want) {
  EXPECT_EQ(static_cast<size_t>(got.number_of_elements()), want.values.size());
  Halide::Runtime::Buffer<const float> view(got);
  size_t i = 0;
  float worst = 0;
  view.for_each_element([&](const int* pos) {
    if (i < want.values.size()) {
      float a = view(pos), b = want.values[i];
      float d = std::isnan(a) || std::isnan(b) ? (std::isnan(a) && std::isnan(b) ? 0.0f : INFINITY) : std::abs(a - b);
      worst = std::max(worst, d);
    }
    ++i;
  });
  return worst;
}

// The comparison itself: a backend that returned NaN must not pass.
TEST(Models, ComparisonFailsOnNaN) {
  fovea::onnx::Tensor want;
  want.dims = {2};
  want.values = {1.0f, 2.0f};
  Image got(halide_type_of<float>(), 2);
  static_cast<float*>(got.data())[0] = 1.0f;
  static_cast<float*>(got.data())[1] = NAN;
  EXPECT_FALSE(maxError(got, want) <= 1e-5f);
  static_cast<float*>(got.data())[1] = 2.0f;
  EXPECT_LE(maxError(got, want), 0.0f);
}

struct NodeCase {
  const char* pipeline;
  const char* testData;
  int inputs;
};

void PrintTo(const NodeCase& c, std::ostream* os) { *os << c.pipeline << " (" << c.testData << ")"; }

class OnnxNodes : public ::testing::TestWithParam<NodeCase> {};

TEST_P(OnnxNodes, MatchTheOutputsShippedWithTheModel) {
  const NodeCase& c = GetParam();
  fovea::Pipeline p = fovea::Pipeline::open(kModels, c.pipeline);
  std::string dir = kTestData + c.testData + "/test_data_set_0/";
  std::vector<Image> inputs;
  for (int i = 0; i < c.inputs; ++i) inputs.push_back(toImage(fovea::onnx::readTensor(dir + "input_" + std::to_string(i) + ".pb")));
  fovea::onnx::Tensor want = fovea::onnx::readTensor(dir + "output_0.pb");
  std::vector<Image> out = p.run(inputs);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(maxError(out[0], want), 1e-5f) << c.pipeline;
}

INSTANTIATE_TEST_SUITE_P(Debian, OnnxNodes,
                         ::testing::Values(NodeCase{"relu", "test_relu", 1}, NodeCase{"sigmoid", "test_sigmoid", 1},
                                           NodeCase{"softmax", "test_softmax_example", 1}, NodeCase{"maxpool", "test_maxpool_2d_default", 1},
                                           NodeCase{"avgpool", "test_averagepool_2d_default", 1}, NodeCase{"gap", "test_globalaveragepool", 1},
                                           NodeCase{"conv", "test_basic_conv_with_padding", 2}, NodeCase{"gemm", "../pytorch-converted/test_Linear", 1}),
                         [](const ::testing::TestParamInfo<NodeCase>& info) { return std::string(info.param.pipeline); });

TEST(Models, PreAndPostProcessingAroundAModel) {
  fovea::Pipeline p = fovea::Pipeline::open(kModels, "relu_scaled");
  fovea::onnx::Tensor in = fovea::onnx::readTensor(kTestData + "test_relu/test_data_set_0/input_0.pb");
  std::vector<Image> out = p.run({toImage(in)});
  fovea::onnx::Tensor want = in;
  for (float& v : want.values) v = std::max(0.0f, 2.0f * v - 1.0f) + 0.5f;
  EXPECT_LE(maxError(out[0], want), 1e-6f);
}

// --- the classify example against the same network computed here

std::vector<float> weights(const fovea::json::Value& doc, const char* name) {
  std::vector<float> out;
  for (const fovea::json::Value& v : doc.find(name)->find("values")->items()) out.push_back(static_cast<float>(v.asNumber()));
  return out;
}

/// conv 3x3, pad 1, stride 1: in [C][H][W] -> [O][H][W].
std::vector<float> conv3x3(const std::vector<float>& in, int C, int H, int W, const std::vector<float>& w, const std::vector<float>& b, int O) {
  std::vector<float> out(static_cast<size_t>(O * H * W));
  for (int o = 0; o < O; ++o) {
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        float s = b[o];
        for (int c = 0; c < C; ++c) {
          for (int ky = 0; ky < 3; ++ky) {
            for (int kx = 0; kx < 3; ++kx) {
              int iy = y + ky - 1, ix = x + kx - 1;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += in[(c * H + iy) * W + ix] * w[((o * C + c) * 3 + ky) * 3 + kx];
            }
          }
        }
        out[(o * H + y) * W + x] = std::max(0.0f, s);  // relu
      }
    }
  }
  return out;
}

std::vector<float> classifyHere(const cv::Mat& rgb, const fovea::json::Value& doc) {
  int width = rgb.cols, height = rgb.rows, bw = width / 32, bh = height / 32;
  const float mean[3] = {0.485f, 0.456f, 0.406f}, stdev[3] = {0.229f, 0.224f, 0.225f};
  auto px = [&](int x, int y, int c) {
    x = std::min(std::max(x, 0), width - 1);
    y = std::min(std::max(y, 0), height - 1);
    return static_cast<float>(rgb.at<cv::Vec3b>(y, x)[c]);
  };
  std::vector<float> t(3 * 32 * 32);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        int cx = x * bw + bw / 2, cy = y * bh + bh / 2;
        float avg = (px(cx, cy, c) + px(cx + 1, cy, c) + px(cx, cy + 1, c) + px(cx + 1, cy + 1, c)) / 4.0f;
        t[(c * 32 + y) * 32 + x] = (avg / 255.0f - mean[c]) / stdev[c];
      }
    }
  }
  std::vector<float> c1 = conv3x3(t, 3, 32, 32, weights(doc, "w1"), weights(doc, "b1"), 8);
  std::vector<float> p1(8 * 16 * 16);
  for (int c = 0; c < 8; ++c) {
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 16; ++x) {
        float m = -1e30f;
        for (int dy = 0; dy < 2; ++dy) {
          for (int dx = 0; dx < 2; ++dx) m = std::max(m, c1[(c * 32 + 2 * y + dy) * 32 + 2 * x + dx]);
        }
        p1[(c * 16 + y) * 16 + x] = m;
      }
    }
  }
  std::vector<float> c2 = conv3x3(p1, 8, 16, 16, weights(doc, "w2"), weights(doc, "b2"), 16);
  std::vector<float> g(16, 0.0f);
  for (int c = 0; c < 16; ++c) {
    for (int i = 0; i < 256; ++i) g[c] += c2[c * 256 + i];
    g[c] /= 256.0f;
  }
  std::vector<float> w3 = weights(doc, "w3"), b3 = weights(doc, "b3"), logits(10);
  for (int k = 0; k < 10; ++k) {
    logits[k] = b3[k];
    for (int c = 0; c < 16; ++c) logits[k] += g[c] * w3[k * 16 + c];
  }
  float top = *std::max_element(logits.begin(), logits.end()), total = 0;
  std::vector<float> prob(10);
  for (int k = 0; k < 10; ++k) total += prob[k] = std::exp(logits[k] - top);
  for (float& p : prob) p /= total;
  return prob;
}

fovea::json::Value readWeights() {
  std::ifstream in(std::string(FOVEA_EXAMPLES_DIR) + "/models/tiny_cnn.weights.json");
  std::stringstream s;
  s << in.rdbuf();
  std::string error;
  auto doc = fovea::json::parse(s.str(), &error);
  EXPECT_TRUE(doc) << error;
  return doc ? *doc : fovea::json::Value();
}

Image wrap(cv::Mat& rgb) { return fovea::fromMat(rgb); }

TEST(Models, ClassifyMatchesTheNetworkComputedHere) {
  fovea::json::Value doc = readWeights();
  fovea::Pipeline p = fovea::Pipeline::open(kModels, "classify");
  for (const char* photo : {"chelsea.png", "camera.png"}) {
    cv::Mat bgr = cv::imread(std::string(FOVEA_EXAMPLES_DIR) + "/images/" + photo, cv::IMREAD_COLOR), rgb;
    ASSERT_FALSE(bgr.empty()) << photo;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    std::vector<float> want = classifyHere(rgb, doc);
    std::vector<Image> out = p.run({wrap(rgb)});
    ASSERT_EQ(out[0].dim(0).extent(), 10);
    const float* got = static_cast<const float*>(out[0].data());
    float sum = 0;
    for (int k = 0; k < 10; ++k) {
      EXPECT_NEAR(got[k], want[k], 1e-4f) << photo << " class " << k;
      sum += got[k];
    }
    EXPECT_NEAR(sum, 1.0f, 1e-5f);
  }
}

TEST(Models, ManyThreadsShareOneLoadedModel) {
  fovea::Pipeline p = fovea::Pipeline::open(kModels, "classify");
  cv::Mat bgr = cv::imread(std::string(FOVEA_EXAMPLES_DIR) + "/images/chelsea.png", cv::IMREAD_COLOR), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  std::vector<cv::Mat> images;
  std::vector<std::vector<float>> expected;
  for (int t = 0; t < 6; ++t) {
    cv::Mat m;
    cv::resize(rgb, m, cv::Size(200 + 40 * t, 150 + 30 * t));
    images.push_back(m);
    std::vector<Image> out = p.run({wrap(images.back())});
    const float* v = static_cast<const float*>(out[0].data());
    expected.emplace_back(v, v + 10);
  }
  std::vector<int> mismatches(images.size(), 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < images.size(); ++t) {
    threads.emplace_back([&, t] {
      std::vector<Image> out;
      for (int r = 0; r < 10; ++r) {
        p.run({wrap(images[t])}, {}, out);
        if (std::memcmp(out[0].data(), expected[t].data(), 10 * sizeof(float)) != 0) ++mismatches[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < images.size(); ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

using fovea::test::failureOf;

TEST(Models, AModelFileThatNoLongerFitsIsAClearError) {
  fs::path dir = fs::path(::testing::TempDir()) / "fovea_swapped_model";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(kModels)) {
    if (e.path().filename().string().rfind("classify", 0) == 0 || e.path().filename().string().rfind("libclassify", 0) == 0) {
      fs::copy_file(e.path(), dir / e.path().filename());
    }
  }
  // Another network in its place: its input is [3, 4, 5], not [1, 3, 32, 32].
  fs::copy_file(kTestData + "test_relu/model.onnx", dir / "classify.classifier.onnx", fs::copy_options::overwrite_existing);
  std::string e = failureOf([&] { fovea::Pipeline::open(dir.string(), "classify"); });
  EXPECT_NE(e.find("model 'classifier'"), std::string::npos) << e;
  EXPECT_NE(e.find("compiled for f32 [1, 3, 32, 32]"), std::string::npos) << e;
  // A corrupt one.
  std::ofstream(dir / "classify.classifier.onnx") << "garbage";
  e = failureOf([&] { fovea::Pipeline::open(dir.string(), "classify"); });
  EXPECT_NE(e.find("not a valid ONNX"), std::string::npos) << e;
  fs::remove(dir / "classify.classifier.onnx");
  e = failureOf([&] { fovea::Pipeline::open(dir.string(), "classify"); });
  EXPECT_NE(e.find("cannot read the file"), std::string::npos) << e;
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(Models, CvMatGoesInAndComesOutWithoutCopies) {
  fovea::Pipeline p = fovea::Pipeline::open(kModels, "relu_scaled");  // f32 [x, y, z] with z = 3: a 5x4 3-channel image
  cv::Mat in(4, 5, CV_32FC3);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 5; ++x) in.at<cv::Vec3f>(y, x) = cv::Vec3f(0.1f * static_cast<float>(x) - 0.2f, 0.3f * static_cast<float>(y), -1.0f);
  }
  fovea::Image view = fovea::fromMat(in);
  EXPECT_EQ(view.data(), in.data) << "fromMat is a view";
  std::vector<Image> out = p.run({view});
  cv::Mat result = fovea::toMat(out[0]);
  EXPECT_EQ(static_cast<const void*>(result.data), out[0].data()) << "toMat is a view";
  ASSERT_EQ(result.type(), CV_32FC3);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 5; ++x) {
      for (int c = 0; c < 3; ++c) {
        float v = in.at<cv::Vec3f>(y, x)[c];
        EXPECT_NEAR(result.at<cv::Vec3f>(y, x)[c], std::max(0.0f, 2.0f * v - 1.0f) + 0.5f, 1e-6f);
      }
    }
  }
  EXPECT_NE(failureOf([] { fovea::fromMat(cv::Mat()); }).find("empty"), std::string::npos);
}

}  // namespace
