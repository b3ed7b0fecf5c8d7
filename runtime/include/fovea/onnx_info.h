#pragma once
/// What Fovea needs to know of an ONNX file without running it: its graph's declared inputs and
/// outputs (names, element types, shapes), read straight from the protobuf encoding. Also reads
/// the TensorProto files (`input_0.pb`) that ONNX test data ships.
///
///     fovea::onnx::ModelInfo m = fovea::onnx::readModelInfo("tiny_cnn.onnx");
///     m.inputs[0].shape;   // {1, 3, 32, 32}, outermost first; -1 for a dimension of unknown size

#include <cstdint>
#include <string>
#include <vector>

namespace fovea::onnx {

/// TensorProto.DataType values Fovea maps to its types.
enum ElementType : int { Float = 1, Uint8 = 2, Int8 = 3, Uint16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, Bool = 9, Double = 11, Uint32 = 12 };
/// "f32", "u8", ... ("" for types Fovea has none of).
const char* foveaTypeName(int elemType);

struct ValueInfo {
  std::string name;
  int elemType = 0;
  std::vector<int64_t> shape;  ///< outermost first; -1: unknown (a symbolic or missing dimension)
};

struct ModelInfo {
  std::vector<ValueInfo> inputs;   ///< graph inputs that are not initializers (weights)
  std::vector<ValueInfo> outputs;
  int64_t irVersion = 0;
  std::vector<int64_t> opsets;
};

/// Throws fovea::Error (fovea/runtime.hpp) naming the file when it is missing or not a model.
ModelInfo readModelInfo(const std::string& path);

struct Tensor {
  std::string name;
  int elemType = 0;
  std::vector<int64_t> dims;  ///< outermost first
  std::vector<float> values;  ///< float tensors only
};

/// Reads a serialized TensorProto of floats. Throws fovea::Error.
Tensor readTensor(const std::string& path);

}  // namespace fovea::onnx
