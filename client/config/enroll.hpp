#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "client/config/client_config.hpp"
#include "shared/envelope/enrollment.hpp"

// Enrolling with the string `openmps-server collector add` printed: the one
// path for `openmps-client enroll` and the local UI.
namespace openmps::client::config {

struct EnrollResult {
  std::optional<envelope::Enrollment> enrollment;  // set when stored
  std::string error;  // why not: unusable string, or batches of the former client waiting
};

// Decodes text, refuses while sealed batches of another client id still
// wait in the outbox, then stores the enrollment in the data directory.
EnrollResult enroll(const ClientConfig& config, std::string_view text);

}  // namespace openmps::client::config
