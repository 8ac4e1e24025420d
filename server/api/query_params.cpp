#include "server/api/query_params.hpp"

#include "server/api/problem.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {

void badQuery(std::string_view name, const std::string& reason) {
  const std::string param(name);
  throw ApiError(400, "invalid-query", param + ": " + reason, {{param, reason}});
}

std::optional<std::string> queryText(const ApiRequest& request, std::string_view name,
                                     std::size_t maxLength) {
  const auto it = request.query.find(std::string(name));
  if (it == request.query.end()) return std::nullopt;
  if (it->second.size() > maxLength) {
    badQuery(name, "longer than " + std::to_string(maxLength) + " characters");
  }
  return it->second;
}

std::optional<std::int64_t> queryId(const ApiRequest& request, std::string_view name) {
  const auto text = queryText(request, name, 20);
  if (!text || text->empty()) return std::nullopt;
  const auto n = util::parseInt(*text);
  if (!n || *n <= 0) badQuery(name, "expected an id (a positive number)");
  return *n;
}

int queryLimit(const ApiRequest& request, int fallback, int max) {
  const auto text = queryText(request, "limit", 10);
  if (!text) return fallback;
  const auto n = util::parseInt(*text);
  if (!n || *n < 1 || *n > max)
    badQuery("limit", "expected a number from 1 to " + std::to_string(max));
  return static_cast<int>(*n);
}

std::chrono::system_clock::time_point queryTime(const ApiRequest& request, std::string_view name,
                                                std::chrono::system_clock::time_point fallback) {
  const auto text = queryText(request, name, 40);
  if (!text || text->empty()) return fallback;
  const auto t = util::parseRfc3339(*text);
  if (!t) badQuery(name, "expected an RFC 3339 time such as 2026-03-01T00:00:00Z");
  return *t;
}

}  // namespace openmps::server::api
