// The default model backend: OpenCV's DNN module (CPU), one network per loaded model. OpenCV's Net
// is not safe to run from several threads at once: calls on one model are serialized.
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <opencv2/core.hpp>
#include <opencv2/core/cuda.hpp>
#include <opencv2/dnn.hpp>

#include "fovea/model_backend.hpp"

namespace fovea {
namespace {

/// A dense copy (x innermost, no gaps) unless the tensor already is one.
Image dense(const Image& in) {
  bool isDense = true;
  int64_t stride = 1;
  for (int d = 0; d < in.dimensions(); ++d) {
    isDense = isDense && in.dim(d).stride() == stride;
    stride *= in.dim(d).extent();
  }
  if (isDense) return in;
  std::vector<int> shape;
  for (int d = 0; d < in.dimensions(); ++d) shape.push_back(in.dim(d).extent());
  Image copy(in.type(), shape);
  for (int d = 0; d < in.dimensions(); ++d) copy.translate(d, in.dim(d).min());  // same coordinates: copy_from copies all of it
  copy.copy_from(in);
  return copy;
}

class OpenCvModel : public LoadedModel {
 public:
  OpenCvModel(cv::dnn::Net net, std::vector<ModelTensorInfo> inputs, std::string output, std::string path)
      : net_(std::move(net)), inputs_(std::move(inputs)), output_(std::move(output)), path_(std::move(path)) {}

  void run(const std::vector<Image>& inputs, std::vector<Image>& outputs) override {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      std::vector<Image> keep;
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].type() != halide_type_of<float>()) throw Error(path_ + ": OpenCV DNN runs f32 tensors");
        keep.push_back(dense(inputs[i]));
        std::vector<int> sizes;
        for (int d = keep.back().dimensions(); d-- > 0;) sizes.push_back(keep.back().dim(d).extent());
        cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<void*>(keep.back().data()));
        net_.setInput(blob, i < inputs_.size() ? inputs_[i].name : "");
      }
      cv::Mat out = net_.forward(output_);
      if (out.depth() != CV_32F) throw Error(path_ + ": OpenCV DNN returned a tensor that is not f32");
      if (!out.isContinuous()) out = out.clone();
      std::vector<int> shape;
      for (int d = out.dims; d-- > 0;) shape.push_back(out.size[d]);
      if (shape.empty()) shape.push_back(1);
      outputs.resize(1);
      outputs[0] = Image(halide_type_of<float>(), shape);
      std::memcpy(outputs[0].data(), out.ptr<float>(), outputs[0].size_in_bytes());
    } catch (const cv::Exception& e) {
      throw Error(path_ + ": OpenCV DNN failed to run the model: " + e.err);
    }
  }

 private:
  cv::dnn::Net net_;
  std::vector<ModelTensorInfo> inputs_;
  std::string output_;
  std::string path_;
  std::mutex mutex_;
};

class OpenCvBackend : public ModelBackend {
 public:
  std::string name() const override { return "opencv"; }
  std::unique_ptr<LoadedModel> load(const std::string& path, const std::vector<ModelTensorInfo>& inputs,
                                    const std::vector<ModelTensorInfo>& outputs) override {
    for (const auto* list : {&inputs, &outputs}) {
      for (const ModelTensorInfo& t : *list) {
        if (t.type != ElementType::F32) throw Error(path + ": tensor '" + t.name + "' is " + toString(t.type) + "; OpenCV DNN runs f32 tensors only");
      }
    }
    if (outputs.size() != 1) throw Error(path + ": Fovea runs models with one output");
    try {
      cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
      if (net.empty()) throw Error(path + ": OpenCV DNN read no network from it");
      // OpenCV's CUDA backend where OpenCV was built with it and a GPU is there; its CPU one otherwise.
      if (cv::cuda::getCudaEnabledDeviceCount() > 0 && !std::getenv("FOVEA_MODEL_CPU")) {
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_CUDA);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CUDA);
      } else {
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      }
      return std::make_unique<OpenCvModel>(std::move(net), inputs, outputs[0].name, path);
    } catch (const cv::Exception& e) {
      throw Error(path + ": OpenCV DNN cannot load the model: " + e.err);
    }
  }
};

std::mutex& backendsMutex() {
  static std::mutex m;
  return m;
}
std::vector<std::shared_ptr<ModelBackend>>& backends() {
  static std::vector<std::shared_ptr<ModelBackend>> list{std::make_shared<OpenCvBackend>()};
  return list;
}

}  // namespace

void registerModelBackend(std::shared_ptr<ModelBackend> backend) {
  std::lock_guard<std::mutex> lock(backendsMutex());
  backends().push_back(std::move(backend));
}

std::shared_ptr<ModelBackend> modelBackend(const std::string& name) {
  std::string want = name;
  if (want.empty()) {
    const char* env = std::getenv("FOVEA_MODEL_BACKEND");
    want = env && *env ? env : "opencv";
  }
  std::lock_guard<std::mutex> lock(backendsMutex());
  std::string have;
  for (const auto& b : backends()) {
    if (b->name() == want) return b;
    have += (have.empty() ? "" : ", ") + b->name();
  }
  throw Error("no model backend '" + want + "' (available: " + have + ")");
}

}  // namespace fovea
