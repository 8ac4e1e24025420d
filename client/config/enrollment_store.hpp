#pragma once

#include <optional>

#include "client/config/client_config.hpp"
#include "shared/envelope/enrollment.hpp"

// The enrollment as the client keeps it in its data directory: the key in
// client.key (mode 0600, shared/envelope keys.hpp), everything else, which
// is not secret, in enrollment.json. The JSON file is written last, so a
// crash half-way leaves the client not enrolled rather than enrolled
// without a key.
namespace openmps::client::config {

// Creates the data directory (mode 0700) when missing.
void createDataDir(const ClientConfig& config);

// Creates the data directory (mode 0700) when missing and stores both files.
void storeEnrollment(const ClientConfig& config, const envelope::Enrollment& enrollment);

// nullopt when the client was never enrolled; throws std::runtime_error
// naming the file when one of them is unreadable or damaged.
std::optional<envelope::Enrollment> loadEnrollment(const ClientConfig& config);

}  // namespace openmps::client::config
