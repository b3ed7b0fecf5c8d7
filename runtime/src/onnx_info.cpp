// A reader of the few protobuf messages of the ONNX format Fovea needs (ModelProto -> GraphProto
// -> ValueInfoProto -> TypeProto.Tensor -> TensorShapeProto; TensorProto), over the wire format:
// each field is a varint key (number << 3 | wire type) followed by a varint, a fixed 32/64-bit
// value, or a length-delimited payload (strings, sub-messages, packed arrays).
#include "fovea/onnx_info.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fovea/runtime.hpp"

namespace fovea::onnx {
namespace {
namespace fs = std::filesystem;

struct Field {
  uint32_t number = 0;
  int wire = 0;
  uint64_t value = 0;              ///< varint and fixed
  const uint8_t* data = nullptr;   ///< length-delimited
  size_t size = 0;
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n, const std::string* origin) : p_(p), end_(p + n), origin_(origin) {}
  bool atEnd() const { return p_ >= end_; }
  bool next(Field& f) {
    if (p_ >= end_) return false;
    uint64_t key = varint();
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire = static_cast<int>(key & 7);
    switch (f.wire) {
      case 0: f.value = varint(); break;
      case 1: f.value = fixed(8); break;
      case 5: f.value = fixed(4); break;
      case 2: {
        uint64_t n = varint();
        if (n > static_cast<uint64_t>(end_ - p_)) fail();
        f.data = p_;
        f.size = static_cast<size_t>(n);
        p_ += n;
        break;
      }
      default: fail();
    }
    return true;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) fail();
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail();
  }

 private:
  uint64_t fixed(int bytes) {
    if (end_ - p_ < bytes) fail();
    uint64_t v = 0;
    std::memcpy(&v, p_, static_cast<size_t>(bytes));
    p_ += bytes;
    return v;
  }
  [[noreturn]] void fail() { throw Error(*origin_ + ": not a valid ONNX (protobuf) file: it is truncated or corrupt"); }

  const uint8_t* p_;
  const uint8_t* end_;
  const std::string* origin_;
};

std::string text(const Field& f) { return std::string(reinterpret_cast<const char*>(f.data), f.size); }

ValueInfo valueInfo(const Field& message, const std::string& origin) {
  ValueInfo v;
  Reader r(message.data, message.size, &origin);
  Field f;
  while (r.next(f)) {
    if (f.number == 1 && f.wire == 2) v.name = text(f);
    if (f.number != 2 || f.wire != 2) continue;  // TypeProto
    Reader type(f.data, f.size, &origin);
    Field t;
    while (type.next(t)) {
      if (t.number != 1 || t.wire != 2) continue;  // TypeProto.Tensor
      Reader tensor(t.data, t.size, &origin);
      Field tf;
      while (tensor.next(tf)) {
        if (tf.number == 1 && tf.wire == 0) v.elemType = static_cast<int>(tf.value);
        if (tf.number != 2 || tf.wire != 2) continue;  // TensorShapeProto
        Reader shape(tf.data, tf.size, &origin);
        Field dim;
        while (shape.next(dim)) {
          if (dim.number != 1 || dim.wire != 2) continue;
          int64_t extent = -1;
          Reader d(dim.data, dim.size, &origin);
          Field df;
          while (d.next(df)) {
            if (df.number == 1 && df.wire == 0) extent = static_cast<int64_t>(df.value);
          }
          v.shape.push_back(extent > 0 ? extent : -1);
        }
      }
    }
  }
  return v;
}

std::string readFile(const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error(path + ": cannot read the file (no such file)");
  if (fs::is_directory(status)) throw Error(path + ": is a directory, not a model file");
  if (!fs::is_regular_file(status)) throw Error(path + ": is not a regular file (a pipe or a device)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read the file (unreadable)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

const char* foveaTypeName(int elemType) {
  switch (elemType) {
    case Float: return "f32";
    case Uint8: return "u8";
    case Int8: return "i8";
    case Uint16: return "u16";
    case Int16: return "i16";
    case Int32: return "i32";
    case Uint32: return "u32";
    case Double: return "f64";
    case Bool: return "bool";
    default: return "";
  }
}

ModelInfo readModelInfo(const std::string& path) {
  std::string bytes = readFile(path);
  if (bytes.empty()) throw Error(path + ": the model file is empty");
  ModelInfo m;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  Reader model(data, bytes.size(), &path);
  Field f;
  bool haveGraph = false;
  std::vector<ValueInfo> inputs;
  std::set<std::string> initializers;
  while (model.next(f)) {
    if (f.number == 1 && f.wire == 0) m.irVersion = static_cast<int64_t>(f.value);
    if (f.number == 8 && f.wire == 2) {  // OperatorSetIdProto
      Reader op(f.data, f.size, &path);
      Field of;
      while (op.next(of)) {
        if (of.number == 2 && of.wire == 0) m.opsets.push_back(static_cast<int64_t>(of.value));
      }
    }
    if (f.number != 7 || f.wire != 2) continue;  // GraphProto
    haveGraph = true;
    Reader graph(f.data, f.size, &path);
    Field g;
    while (graph.next(g)) {
      if (g.wire != 2) continue;
      if (g.number == 11) inputs.push_back(valueInfo(g, path));
      if (g.number == 12) m.outputs.push_back(valueInfo(g, path));
      if (g.number == 5) {  // TensorProto initializer: its name (field 8)
        Reader t(g.data, g.size, &path);
        Field tf;
        while (t.next(tf)) {
          if (tf.number == 8 && tf.wire == 2) initializers.insert(text(tf));
        }
      }
    }
  }
  if (!haveGraph || m.irVersion <= 0 || m.outputs.empty()) throw Error(path + ": not an ONNX model (no graph with outputs in it)");
  for (ValueInfo& v : inputs) {
    if (!initializers.count(v.name)) m.inputs.push_back(std::move(v));
  }
  return m;
}

Tensor readTensor(const std::string& path) {
  std::string bytes = readFile(path);
  Tensor t;
  Reader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &path);
  Field f;
  std::string raw;
  while (r.next(f)) {
    if (f.number == 1 && f.wire == 0) t.dims.push_back(static_cast<int64_t>(f.value));
    if (f.number == 1 && f.wire == 2) {  // packed dims
      Reader d(f.data, f.size, &path);
      while (!d.atEnd()) t.dims.push_back(static_cast<int64_t>(d.varint()));
    }
    if (f.number == 2 && f.wire == 0) t.elemType = static_cast<int>(f.value);
    if (f.number == 8 && f.wire == 2) t.name = text(f);
    if (f.number == 9 && f.wire == 2) raw = text(f);
    if (f.number == 4 && f.wire == 2) {  // packed float_data
      size_t n = f.size / 4;
      size_t at = t.values.size();
      t.values.resize(at + n);
      std::memcpy(t.values.data() + at, f.data, n * 4);
    }
    if (f.number == 4 && f.wire == 5) {
      float v;
      uint32_t bits = static_cast<uint32_t>(f.value);
      std::memcpy(&v, &bits, 4);
      t.values.push_back(v);
    }
  }
  if (t.elemType != Float) throw Error(path + ": only float tensors are supported here (element type " + std::to_string(t.elemType) + ")");
  if (!raw.empty()) {
    t.values.resize(raw.size() / 4);
    std::memcpy(t.values.data(), raw.data(), t.values.size() * 4);
  }
  int64_t count = 1;
  for (int64_t d : t.dims) count *= d;
  if (count != static_cast<int64_t>(t.values.size())) throw Error(path + ": the tensor's data does not match its dimensions");
  return t;
}

}  // namespace fovea::onnx
