#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "server/api/http_types.hpp"

// RFC 9457 problem details: every error of the API is one, naming what was
// wrong and, for bad input, the field.
namespace openmps::server::api {

struct InvalidParam {
  std::string name;  // the field's path in the body ("user.role") or the parameter
  std::string reason;
};

// Thrown by a route to answer with a problem; the request's transaction is
// rolled back. `slug` becomes the problem type ("urn:openmps:problem:SLUG").
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string slug, const std::string& detail,
           std::vector<InvalidParam> params = {})
      : std::runtime_error(detail),
        status_(status),
        slug_(std::move(slug)),
        params_(std::move(params)) {}
  int status() const { return status_; }
  const std::string& slug() const { return slug_; }
  const std::vector<InvalidParam>& params() const { return params_; }

 private:
  int status_;
  std::string slug_;
  std::vector<InvalidParam> params_;
};

// application/problem+json with type, title (from the status), status,
// detail and, when given, invalid_params.
ApiResponse problem(int status, const std::string& slug, const std::string& detail,
                    const std::vector<InvalidParam>& params = {});
ApiResponse problem(const ApiError& error);

// A body field was wrong: 422 naming it.
[[noreturn]] void invalidField(const std::string& field, const std::string& reason);

}  // namespace openmps::server::api
