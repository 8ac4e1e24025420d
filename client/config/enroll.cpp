#include "client/config/enroll.hpp"

#include <filesystem>
#include <string>

#include "client/config/enrollment_store.hpp"
#include "client/outbox/sqlite_outbox.hpp"

namespace openmps::client::config {
namespace {

// Sealed batches belong to the client id they were sealed for; the outbox
// refuses to switch while some still wait (see run).
// The former client id when batches sealed for it still wait.
std::optional<std::uint64_t> formerClientWaiting(const ClientConfig& config,
                                                 std::uint64_t newClientId) {
  const auto previous = loadEnrollment(config);
  if (!previous || previous->clientId == newClientId ||
      !std::filesystem::exists(config.databasePath())) {
    return std::nullopt;
  }
  outbox::Database db(config.databasePath());
  outbox::SqliteOutbox box(db, config.outbox.maxItems);
  if (box.stats().pendingBatches == 0) return std::nullopt;
  return previous->clientId;
}

}  // namespace

EnrollResult enroll(const ClientConfig& config, std::string_view text) {
  EnrollResult out;
  envelope::Enrollment enrollment;
  try {
    enrollment = envelope::decodeEnrollment(std::string(text));
  } catch (const envelope::EnrollmentError& e) {
    out.error = std::string("the enrollment string is not usable: ") + e.what();
    return out;
  }
  if (const auto former = formerClientWaiting(config, enrollment.clientId)) {
    out.error = "batches sealed for client " + std::to_string(*former) +
                " still wait to be sent; run the client until 'status' shows none waiting, "
                "then enroll again";
    return out;
  }
  storeEnrollment(config, enrollment);
  out.enrollment = std::move(enrollment);
  return out;
}

}  // namespace openmps::client::config
