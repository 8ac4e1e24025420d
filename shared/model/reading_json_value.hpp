#pragma once

// nlohmann form of the model, for code that embeds readings in larger JSON
// documents (envelope payloads, fleet listings). Include from .cpp files only.

#include <string>

#include <nlohmann/json.hpp>

#include "shared/model/reading.hpp"
#include "shared/util/json_fields.hpp"

namespace openmps::model {

nlohmann::json toJsonValue(const Reading& reading);
nlohmann::json toJsonValue(const Supply& supply);
nlohmann::json toJsonValue(const Status& status);
nlohmann::json toJsonValue(const DeviceIdentity& identity);
nlohmann::json toJsonValue(const Capabilities& capabilities);
// Reads a reading out of a parsed document; path prefixes error messages
// ("items[2].reading").
Reading readingFromJsonValue(util::JsonValue value, const util::JsonPath& path);

}  // namespace openmps::model
