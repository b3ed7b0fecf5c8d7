#pragma once
/// A small JSON value with a parser and a writer, for schedule files, manifests and reports.
///
///     std::optional<json::Value> v = json::parse(text, &error);
///     std::string s = json::Value::object({{"name", "blur"}, {"vector", 16}}).dump();

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fovea::json {

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::Bool), bool_(b) {}
  Value(int n) : kind_(Kind::Number), number_(n) {}
  Value(int64_t n) : kind_(Kind::Number), number_(static_cast<double>(n)) {}
  Value(uint64_t n) : kind_(Kind::Number), number_(static_cast<double>(n)) {}
  Value(double n) : kind_(Kind::Number), number_(n) {}
  Value(const char* s) : kind_(Kind::String), string_(s) {}
  Value(std::string s) : kind_(Kind::String), string_(std::move(s)) {}
  static Value array(std::vector<Value> items = {});
  static Value object(std::vector<std::pair<std::string, Value>> members = {});

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool asBool() const { return bool_; }
  double asNumber() const { return number_; }
  const std::string& asString() const { return string_; }
  const std::vector<Value>& items() const { return items_; }
  /// Object members in insertion order.
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }
  /// The member `key` of an object, or nullptr.
  const Value* find(const std::string& key) const;

  Value& push(Value v);
  Value& set(const std::string& key, Value v);

  /// Compact (indent < 0) or pretty-printed JSON text.
  std::string dump(int indent = 2) const;

 private:
  void write(std::string& out, int indent, int depth) const;

  Kind kind_ = Kind::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

/// `text` as the inside of a JSON string: quotes, backslashes and control characters escaped,
/// valid UTF-8 kept, stray bytes replaced by U+FFFD.
std::string escape(std::string_view text);
/// The length of the valid UTF-8 sequence starting at `i`, or 0 if the bytes there are not one.
size_t utf8SequenceLength(std::string_view s, size_t i);

/// Parses a JSON document; on failure returns nothing and describes the problem in `error`
/// ("line 3: expected ':'").
std::optional<Value> parse(const std::string& text, std::string* error);

}  // namespace fovea::json
