#pragma once
/// How the runtime runs the models of a pipeline (`model m = onnx("m.onnx");`): through a backend.
/// OpenCV DNN is built in and the default; another (ONNX Runtime, where it is installed) plugs in
/// with registerModelBackend() and is chosen with the FOVEA_MODEL_BACKEND environment variable or
/// by name. A model is loaded once per opened pipeline and run from any number of threads.
///
///     class MyBackend : public fovea::ModelBackend { ... };
///     fovea::registerModelBackend(std::make_shared<MyBackend>());   // then FOVEA_MODEL_BACKEND=mine

#include <memory>
#include <string>
#include <vector>

#include "fovea/runtime.hpp"

namespace fovea {

/// A tensor a model takes or gives, in ONNX order (outermost first).
struct ModelTensorInfo {
  std::string name;
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape;
};

class LoadedModel {
 public:
  virtual ~LoadedModel() = default;
  /// Runs the model. `inputs` are Fovea tensors (x innermost: the reverse of ONNX order), any
  /// strides; `outputs` receive dense tensors in the same convention. Throws fovea::Error.
  virtual void run(const std::vector<Image>& inputs, std::vector<Image>& outputs) = 0;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;
  virtual std::string name() const = 0;
  /// Loads a model file; `inputs` and `outputs` are what it declares (names, types, shapes).
  /// Throws fovea::Error, also for tensors the backend cannot run.
  virtual std::unique_ptr<LoadedModel> load(const std::string& path, const std::vector<ModelTensorInfo>& inputs,
                                            const std::vector<ModelTensorInfo>& outputs) = 0;
};

void registerModelBackend(std::shared_ptr<ModelBackend> backend);
/// The backend called `name`; empty: $FOVEA_MODEL_BACKEND, else "opencv". Throws when unknown.
std::shared_ptr<ModelBackend> modelBackend(const std::string& name = "");

}  // namespace fovea
