#include "shared/util/json_fields.hpp"

namespace openmps::util {
namespace {

const char* typeName(const nlohmann::json& v) {
  return v.type_name();
}

}  // namespace

JsonObject::JsonObject(const nlohmann::json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw JsonFieldError(path_.empty() ? "$" : path_,
                         std::string("expected an object, got ") + typeName(value_));
  }
}

std::string JsonObject::childPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonObject::has(std::string_view key) const {
  return find(key) != nullptr;
}

const nlohmann::json* JsonObject::find(std::string_view key) const {
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string stringAt(const nlohmann::json& value, const std::string& path, std::size_t maxLength) {
  if (!value.is_string()) {
    throw JsonFieldError(path, std::string("expected a string, got ") + typeName(value));
  }
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() > maxLength) {
    throw JsonFieldError(path, "longer than " + std::to_string(maxLength) + " bytes");
  }
  return s;
}

std::int64_t intAt(const nlohmann::json& value, const std::string& path, std::int64_t min,
                   std::int64_t max) {
  std::int64_t n = 0;
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    n = value.get<std::int64_t>();
  } else if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) throw JsonFieldError(path, "integer too large");
    n = static_cast<std::int64_t>(u);
  } else {
    throw JsonFieldError(path, std::string("expected an integer, got ") + typeName(value));
  }
  if (n < min || n > max) {
    throw JsonFieldError(path, "value " + std::to_string(n) + " outside " + std::to_string(min) +
                                   ".." + std::to_string(max));
  }
  return n;
}

std::string indexPath(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string JsonObject::requireString(std::string_view key, std::size_t maxLength) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return stringAt(*v, childPath(key), maxLength);
}

std::string JsonObject::optionalString(std::string_view key, std::size_t maxLength) const {
  const auto* v = find(key);
  return v == nullptr ? std::string() : stringAt(*v, childPath(key), maxLength);
}

std::int64_t JsonObject::requireInt(std::string_view key, std::int64_t min,
                                    std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return intAt(*v, childPath(key), min, max);
}

std::optional<std::int64_t> JsonObject::optionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  return intAt(*v, childPath(key), min, max);
}

std::optional<bool> JsonObject::optionalBool(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    throw JsonFieldError(childPath(key),
                         std::string("expected true or false, got ") + typeName(*v));
  }
  return v->get<bool>();
}

const nlohmann::json& JsonObject::optionalArray(std::string_view key, std::size_t maxItems) const {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto* v = find(key);
  if (v == nullptr) return kEmpty;
  if (!v->is_array()) {
    throw JsonFieldError(childPath(key), std::string("expected an array, got ") + typeName(*v));
  }
  if (v->size() > maxItems) {
    throw JsonFieldError(childPath(key), "more than " + std::to_string(maxItems) + " entries");
  }
  return *v;
}

const nlohmann::json& JsonObject::requireArray(std::string_view key, std::size_t maxItems) const {
  if (find(key) == nullptr) throw JsonFieldError(childPath(key), "missing");
  return optionalArray(key, maxItems);
}

JsonObject JsonObject::requireObject(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) throw JsonFieldError(childPath(key), "missing");
  return JsonObject(*v, childPath(key));
}

std::optional<JsonObject> JsonObject::optionalObject(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  return JsonObject(*v, childPath(key));
}

nlohmann::json parseJson(std::string_view text, std::string_view what, std::size_t maxDepth) {
  std::size_t depth = 0;
  bool tooDeep = false;
  auto limit = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& /*parsed*/) {
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      if (++depth > maxDepth) tooDeep = true;
    } else if (event == nlohmann::json::parse_event_t::object_end ||
               event == nlohmann::json::parse_event_t::array_end) {
      --depth;
    }
    return !tooDeep;
  };
  try {
    auto value = nlohmann::json::parse(text.begin(), text.end(), limit, true, false);
    if (tooDeep) {
      throw JsonFieldError(std::string(what), "nested deeper than " + std::to_string(maxDepth));
    }
    return value;
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonFieldError(std::string(what), "not valid JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::out_of_range&) {
    // nlohmann reports a number beyond double's range this way, not as a
    // parse error; untrusted input must still end in a JsonFieldError.
    throw JsonFieldError(std::string(what), "not valid JSON: a number too large to represent");
  }
}

}  // namespace openmps::util
