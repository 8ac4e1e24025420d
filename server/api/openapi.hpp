#pragma once

#include <string>

namespace openmps::server::api {

// server/api/openapi.yaml, embedded at build time, as the JSON served at
// /api/v1/openapi.json (converted once, on first use).
const std::string& openapiYaml();
const std::string& openapiJson();

}  // namespace openmps::server::api
