#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/api/http_types.hpp"

// Query parameters of the list and history routes, each read strictly:
// a bad value is a 400 naming the parameter and what was expected.
namespace openmps::server::api {

// The parameter's value, nullopt when absent; longer than maxLength: 400.
std::optional<std::string> queryText(const ApiRequest& request, std::string_view name,
                                     std::size_t maxLength = 200);
// A positive id, or nullopt when absent.
std::optional<std::int64_t> queryId(const ApiRequest& request, std::string_view name);
// `limit`: 1..max, `fallback` when absent.
int queryLimit(const ApiRequest& request, int fallback = 50, int max = 500);
// An RFC 3339 instant, or `fallback` when absent.
std::chrono::system_clock::time_point queryTime(const ApiRequest& request, std::string_view name,
                                                std::chrono::system_clock::time_point fallback);
// 400 naming the parameter.
[[noreturn]] void badQuery(std::string_view name, const std::string& reason);

}  // namespace openmps::server::api
