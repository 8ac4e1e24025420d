#include "server/receiver/http_handler.hpp"

#include <algorithm>
#include <cctype>

namespace openmps::server::receiver {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoringCase(key, name)) return value;
  }
  return {};
}

HttpResponse HttpHandler::refuse(const HttpRequest& /*request*/, Refusal why,
                                 const std::string& message) {
  HttpResponse response;
  response.status = why == Refusal::kTooLarge ? 413 : 429;
  if (why == Refusal::kRateLimited) response.headers.emplace_back("Retry-After", "60");
  response.body = message + "\n";
  response.closeConnection = true;
  return response;
}

}  // namespace openmps::server::receiver
