#include "fovea/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace fovea::json {

size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  if (c < 0x80) return 1;
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = at(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
  if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xF4 && c1 >= 0x90) return 0;  // beyond U+10FFFF
  return len;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", c);
          out += hex;
        } else if (c >= 0x80) {
          // Keep valid UTF-8 sequences; replace stray bytes so the document stays valid JSON.
          size_t len = utf8SequenceLength(text, i);
          if (len > 1) {
            out.append(text.substr(i, len));
            i += len - 1;
          } else {
            out += "\\ufffd";
          }
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

Value Value::array(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::Array;
  v.items_ = std::move(items);
  return v;
}

Value Value::object(std::vector<std::pair<std::string, Value>> members) {
  Value v;
  v.kind_ = Kind::Object;
  v.members_ = std::move(members);
  return v;
}

const Value* Value::find(const std::string& key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value& Value::push(Value v) {
  items_.push_back(std::move(v));
  return items_.back();
}

Value& Value::set(const std::string& key, Value v) {
  for (auto& [k, existing] : members_) {
    if (k == key) return existing = std::move(v);
  }
  members_.emplace_back(key, std::move(v));
  return members_.back().second;
}

std::string Value::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  if (indent >= 0) out += '\n';
  return out;
}

void Value::write(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (kind_) {
    case Kind::Null: out += "null"; return;
    case Kind::Bool: out += bool_ ? "true" : "false"; return;
    case Kind::Number:
      if (std::isfinite(number_) && number_ == std::floor(number_) && std::fabs(number_) < 9.0e15) {
        out += std::to_string(static_cast<int64_t>(number_));
      } else if (std::isfinite(number_)) {
        // The shortest text that reads back as the same double (0.1, not 0.10000000000000001).
        char text[32];
        for (int digits = 15; digits <= 17; ++digits) {
          std::snprintf(text, sizeof text, "%.*g", digits, number_);
          if (std::strtod(text, nullptr) == number_) break;
        }
        out += text;
      } else {
        out += "null";
      }
      return;
    case Kind::String: out += '"' + escape(string_) + '"'; return;
    case Kind::Array:
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        items_[i].write(out, indent, depth + 1);
      }
      if (!items_.empty()) newline(depth);
      out += ']';
      return;
    case Kind::Object:
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        out += '"' + escape(members_[i].first) + "\":";
        if (indent >= 0) out += ' ';
        members_[i].second.write(out, indent, depth + 1);
      }
      if (!members_.empty()) newline(depth);
      out += '}';
      return;
  }
}

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : t_(text) {}

  std::optional<Value> document(std::string* error) {
    std::optional<Value> v = value(0);
    skipSpace();
    if (v && pos_ != t_.size()) fail("unexpected text after the JSON value");
    if (!error_.empty()) {
      if (error) *error = "line " + std::to_string(line_) + ": " + error_;
      return std::nullopt;
    }
    return v;
  }

 private:
  void fail(const std::string& message) {
    if (error_.empty()) error_ = message;
  }
  void skipSpace() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' || t_[pos_] == '\r')) {
      if (t_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  bool consume(char c) {
    skipSpace();
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<Value> value(int depth) {
    if (depth > 200) {
      fail("nested too deeply");
      return std::nullopt;
    }
    skipSpace();
    if (pos_ >= t_.size()) {
      fail("unexpected end of text");
      return std::nullopt;
    }
    char c = t_[pos_];
    if (c == '{') return objectValue(depth);
    if (c == '[') return arrayValue(depth);
    if (c == '"') {
      auto s = stringValue();
      if (!s) return std::nullopt;
      return Value(*s);
    }
    if (t_.compare(pos_, 4, "true") == 0) {
      pos_ += 4;
      return Value(true);
    }
    if (t_.compare(pos_, 5, "false") == 0) {
      pos_ += 5;
      return Value(false);
    }
    if (t_.compare(pos_, 4, "null") == 0) {
      pos_ += 4;
      return Value();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      const char* begin = t_.c_str() + pos_;
      char* end = nullptr;
      double n = std::strtod(begin, &end);
      pos_ += static_cast<size_t>(end - begin);
      return Value(n);
    }
    fail(std::string("unexpected character '") + c + "'");
    return std::nullopt;
  }

  std::optional<std::string> stringValue() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < t_.size() && t_[pos_] != '"') {
      char c = t_[pos_++];
      if (c == '\n') {
        fail("line break in a string");
        return std::nullopt;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= t_.size()) break;
      char e = t_[pos_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'u': {
          if (pos_ + 4 > t_.size()) {
            fail("bad \\u escape");
            return std::nullopt;
          }
          unsigned cp = static_cast<unsigned>(std::strtoul(t_.substr(pos_, 4).c_str(), nullptr, 16));
          pos_ += 4;
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: out.push_back(e);
      }
    }
    if (pos_ >= t_.size()) {
      fail("unterminated string");
      return std::nullopt;
    }
    ++pos_;  // closing quote
    return out;
  }

  std::optional<Value> arrayValue(int depth) {
    ++pos_;
    Value v = Value::array();
    if (consume(']')) return v;
    do {
      auto item = value(depth + 1);
      if (!item) return std::nullopt;
      v.push(std::move(*item));
    } while (consume(','));
    if (!consume(']')) {
      fail("expected ',' or ']'");
      return std::nullopt;
    }
    return v;
  }

  std::optional<Value> objectValue(int depth) {
    ++pos_;
    Value v = Value::object();
    if (consume('}')) return v;
    do {
      skipSpace();
      if (pos_ >= t_.size() || t_[pos_] != '"') {
        fail("expected a member name in quotes");
        return std::nullopt;
      }
      auto key = stringValue();
      if (!key) return std::nullopt;
      if (!consume(':')) {
        fail("expected ':'");
        return std::nullopt;
      }
      auto member = value(depth + 1);
      if (!member) return std::nullopt;
      v.set(*key, std::move(*member));
    } while (consume(','));
    if (!consume('}')) {
      fail("expected ',' or '}'");
      return std::nullopt;
    }
    return v;
  }

  const std::string& t_;
  size_t pos_ = 0;
  size_t line_ = 1;
  std::string error_;
};

}  // namespace

std::optional<Value> parse(const std::string& text, std::string* error) { return Parser(text).document(error); }

}  // namespace fovea::json
