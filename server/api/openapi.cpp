#include "server/api/openapi.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace openmps::server::api {
namespace {

// A plain (unquoted) scalar as YAML 1.2's core schema types it.
nlohmann::json plainScalar(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  const bool integer =
      !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos && text != "-";
  if (integer) return std::stoll(text);
  return text;
}

nlohmann::json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = toJson(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(toJson(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      // A quoted scalar has the tag "!": always a string.
      return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : plainScalar(node.Scalar());
    default: return nullptr;
  }
}

}  // namespace

const std::string& openapiJson() {
  static const std::string kJson = toJson(YAML::Load(openapiYaml())).dump();
  return kJson;
}

}  // namespace openmps::server::api
