#include "client/config/enrollment_store.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "shared/util/files.hpp"

namespace openmps::client::config {
namespace {

constexpr std::size_t kMaxEnrollmentFileBytes = 64u << 10;

std::string hex(const std::array<unsigned char, 32>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::array<unsigned char, 32> fromHex(const std::string& text, const std::string& where) {
  std::array<unsigned char, 32> out{};
  if (text.size() != 64) {
    throw std::runtime_error(where + ": fingerprint: expected 64 hex digits");
  }
  auto digit = [&](char c) -> unsigned {
    if (c >= '0' && c <= '9') {
      return static_cast<unsigned>(c - '0');
    }
    if (c >= 'a' && c <= 'f') {
      return static_cast<unsigned>(c - 'a' + 10);
    }
    throw std::runtime_error(where + ": fingerprint: expected 64 hex digits");
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<unsigned char>(digit(text[2 * i]) << 4 | digit(text[2 * i + 1]));
  }
  return out;
}

}  // namespace

void createDataDir(const ClientConfig& config) {
  std::error_code ec;
  if (std::filesystem::exists(config.dataDir)) return;
  std::filesystem::create_directories(config.dataDir, ec);
  if (ec) {
    throw std::runtime_error(config.dataDir.string() +
                             ": cannot create the data directory: " + ec.message());
  }
  std::filesystem::permissions(config.dataDir, std::filesystem::perms::owner_all, ec);
}

void storeEnrollment(const ClientConfig& config, const envelope::Enrollment& enrollment) {
  createDataDir(config);
  envelope::writeKeyFile(config.keyPath(), enrollment.key);
  nlohmann::json j;
  j["client_id"] = enrollment.clientId;
  j["servers"] = enrollment.servers;
  j["fingerprint"] = hex(enrollment.certFingerprint);
  util::writeFileAtomically(config.enrollmentPath(), j.dump(2) + "\n", 0644);
}

std::optional<envelope::Enrollment> loadEnrollment(const ClientConfig& config) {
  const auto path = config.enrollmentPath();
  if (!std::filesystem::exists(path)) {
    return std::nullopt;
  }
  const std::string where = path.string();
  envelope::Enrollment e;
  try {
    const auto j = nlohmann::json::parse(util::readFile(path, kMaxEnrollmentFileBytes));
    e.clientId = j.at("client_id").get<std::uint64_t>();
    e.servers = j.at("servers").get<std::vector<std::string>>();
    e.certFingerprint = fromHex(j.at("fingerprint").get<std::string>(), where);
  } catch (const nlohmann::json::exception& ex) {
    throw std::runtime_error(where + ": damaged (" + ex.what() + "); enroll again");
  }
  if (e.clientId == 0 || e.servers.empty()) {
    throw std::runtime_error(where + ": no client id or no server; enroll again");
  }
  e.key = envelope::readKeyFile(config.keyPath());
  return e;
}

}  // namespace openmps::client::config
