#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "server/config/server_config.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/keys.hpp"

// The server's own secrets: the master key every client key is derived
// from, and the TLS certificate whose fingerprint enrollment strings carry.
namespace openmps::server::config {

struct SecretsReport {
  bool createdMasterKey = false;
  bool createdCertificate = false;
};

// Creates what is missing: a random master key (mode 0600) and, when a
// listener needs TLS, a self-signed ECDSA P-256 certificate for the
// configured names (ten years) with its key (mode 0600). Never overwrites.
// A certificate without its key (or the reverse) is an error, not a reason
// to make a new pair.
SecretsReport ensureServerSecrets(const ServerConfig& config);

envelope::MasterKey loadMasterKey(const ServerConfig& config);

// SHA-256 over the DER form of the PEM certificate in path.
std::array<unsigned char, 32> certificateFingerprint(const std::filesystem::path& path);

// The enrollment string's content for collector `clientId`: the addresses
// clients reach this server at, the certificate's fingerprint to pin, and
// the client's key derived from the master key. The same for `collector
// add` and the API; std::runtime_error when there is no address to give.
envelope::Enrollment enrollmentFor(const ServerConfig& config, const envelope::MasterKey& masterKey,
                                   std::uint64_t clientId);

// Writes a self-signed certificate and key (used by ensureServerSecrets and
// by tests that need another certificate).
void writeSelfSignedCertificate(const std::filesystem::path& certificate,
                                const std::filesystem::path& key,
                                const std::vector<std::string>& names);

}  // namespace openmps::server::config
