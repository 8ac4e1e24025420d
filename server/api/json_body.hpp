#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/http_types.hpp"
#include "shared/util/json_fields.hpp"

namespace openmps::server::api {

// A request body read strictly as one JSON object: a missing or wrong
// Content-Type is 415, broken JSON 400, anything but an object or a member
// not in `allowed` 422 naming it. Field errors from fields() become 422
// naming the field (the router turns util::JsonFieldError into that).
class JsonBody {
 public:
  JsonBody(const ApiRequest& request, std::initializer_list<std::string_view> allowed);
  ~JsonBody();
  JsonBody(const JsonBody&) = delete;
  JsonBody& operator=(const JsonBody&) = delete;

  const util::JsonFields& fields() const { return *fields_; }
  // Present with a value other than null.
  bool has(std::string_view key) const { return fields_->find(key).has_value(); }
  // Present as null (which "has" does not count).
  bool isNull(std::string_view key) const;
  // A member that may be null ("clear it"): nullopt when absent.
  std::optional<std::vector<std::int64_t>> idList(std::string_view key, std::size_t max) const;

 private:
  std::unique_ptr<util::JsonDocument> doc_;
  util::JsonPath path_{""};
  std::unique_ptr<util::JsonFields> fields_;
};

}  // namespace openmps::server::api
