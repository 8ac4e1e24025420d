#include "shared/util/json_fields.hpp"

namespace openmps::util {

std::string JsonPath::str() const {
  if (parent_ == nullptr) return std::string(root_);
  std::string base = parent_->str();
  if (isIndex_) return base + "[" + std::to_string(index_) + "]";
  if (base.empty()) return std::string(key_);
  base += '.';
  base += key_;
  return base;
}

std::string stringAt(JsonValue value, const JsonPath& path, std::size_t maxLength) {
  if (!value.isString()) {
    throw JsonFieldError(path.str(), std::string("expected a string, got ") + value.typeName());
  }
  const std::string_view s = value.string();
  if (s.size() > maxLength) {
    throw JsonFieldError(path.str(), "longer than " + std::to_string(maxLength) + " bytes");
  }
  return std::string(s);
}

std::int64_t intAt(JsonValue value, const JsonPath& path, std::int64_t min, std::int64_t max) {
  std::int64_t n = 0;
  if (value.type() == JsonType::kInteger) {
    n = value.integer();
  } else if (value.type() == JsonType::kUnsigned) {
    const auto u = value.unsignedInteger();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      throw JsonFieldError(path.str(), "integer too large");
    n = static_cast<std::int64_t>(u);
  } else {
    throw JsonFieldError(path.str(), std::string("expected an integer, got ") + value.typeName());
  }
  if (n < min || n > max) {
    throw JsonFieldError(path.str(), "value " + std::to_string(n) + " outside " +
                                         std::to_string(min) + ".." + std::to_string(max));
  }
  return n;
}

JsonFields::JsonFields(JsonValue value, const JsonPath& path) : value_(value), path_(path) {
  if (!value_.isObject()) {
    std::string where = path_.str();
    throw JsonFieldError(where.empty() ? "$" : where,
                         std::string("expected an object, got ") + value_.typeName());
  }
}

std::string JsonFields::requireString(std::string_view key, std::size_t maxLength) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return stringAt(*v, JsonPath(path_, key), maxLength);
}

std::string JsonFields::optionalString(std::string_view key, std::size_t maxLength) const {
  const auto v = find(key);
  return v ? stringAt(*v, JsonPath(path_, key), maxLength) : std::string();
}

std::int64_t JsonFields::requireInt(std::string_view key, std::int64_t min,
                                    std::int64_t max) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return intAt(*v, JsonPath(path_, key), min, max);
}

std::optional<std::int64_t> JsonFields::optionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  return intAt(*v, JsonPath(path_, key), min, max);
}

std::optional<bool> JsonFields::optionalBool(std::string_view key) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  if (v->type() != JsonType::kBoolean) {
    throw JsonFieldError(path_.child(key),
                         std::string("expected true or false, got ") + v->typeName());
  }
  return v->boolean();
}

std::optional<JsonValue> JsonFields::optionalArray(std::string_view key,
                                                   std::size_t maxItems) const {
  const auto v = find(key);
  if (!v) return std::nullopt;
  if (!v->isArray()) {
    throw JsonFieldError(path_.child(key), std::string("expected an array, got ") + v->typeName());
  }
  if (v->size() > maxItems) {
    throw JsonFieldError(path_.child(key), "more than " + std::to_string(maxItems) + " entries");
  }
  return v;
}

JsonValue JsonFields::requireArray(std::string_view key, std::size_t maxItems) const {
  if (!find(key)) throw JsonFieldError(path_.child(key), "missing");
  return *optionalArray(key, maxItems);
}

std::optional<JsonValue> JsonFields::optionalObject(std::string_view key) const {
  return find(key);
}

JsonValue JsonFields::requireObject(std::string_view key) const {
  const auto v = find(key);
  if (!v) throw JsonFieldError(path_.child(key), "missing");
  return *v;
}

}  // namespace openmps::util
