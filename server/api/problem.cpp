#include "server/api/problem.hpp"

#include <nlohmann/json.hpp>

namespace openmps::server::api {
namespace {

const char* titleOf(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

ApiResponse problem(int status, const std::string& slug, const std::string& detail,
                    const std::vector<InvalidParam>& params) {
  nlohmann::json doc = {{"type", "urn:openmps:problem:" + slug},
                        {"title", titleOf(status)},
                        {"status", status},
                        {"detail", detail}};
  if (!params.empty()) {
    auto& list = doc["invalid_params"] = nlohmann::json::array();
    for (const auto& p : params) list.push_back({{"name", p.name}, {"reason", p.reason}});
  }
  ApiResponse r;
  r.status = status;
  r.contentType = "application/problem+json";
  r.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

ApiResponse problem(const ApiError& error) {
  return problem(error.status(), error.slug(), error.what(), error.params());
}

void invalidField(const std::string& field, const std::string& reason) {
  throw ApiError(422, "invalid-body", field + ": " + reason, {{field, reason}});
}

}  // namespace openmps::server::api
