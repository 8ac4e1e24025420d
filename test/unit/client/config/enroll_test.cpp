#include "client/config/enroll.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "client/config/enrollment_store.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::config;

namespace {

std::string enrollmentString(std::uint64_t clientId) {
  envelope::Enrollment e;
  e.servers = {"xmlrpcs://mps.example.net:52004"};
  e.clientId = clientId;
  std::array<unsigned char, 32> key{};
  key.fill(static_cast<unsigned char>(clientId));
  e.key = envelope::ClientKey(key);
  return envelope::encodeEnrollment(e);
}

}  // namespace

TEST_CASE("a pasted enrollment string is stored, a broken one is refused and stores nothing") {
  test::TempDir dir("enroll-string-test", false);
  ClientConfig cfg;
  cfg.dataDir = dir.path() / "data";

  const EnrollResult bad = enroll(cfg, "omps1:not-an-enrollment");
  CHECK_FALSE(bad.enrollment);
  CHECK(bad.error.starts_with("the enrollment string is not usable: "));
  CHECK_FALSE(loadEnrollment(cfg));

  const EnrollResult good = enroll(cfg, "  " + enrollmentString(7) + "\n");
  REQUIRE(good.enrollment);
  CHECK(good.error.empty());
  CHECK(good.enrollment->clientId == 7);
  const auto stored = loadEnrollment(cfg);
  REQUIRE(stored);
  CHECK(stored->clientId == 7);
  CHECK(stored->servers == good.enrollment->servers);
}

TEST_CASE("enrolling as another client waits until the former client's batches are sent") {
  test::TempDir dir("enroll-string-test", false);
  ClientConfig cfg;
  cfg.dataDir = dir.path() / "data";
  REQUIRE(enroll(cfg, enrollmentString(7)).enrollment);
  {
    outbox::Database db(cfg.databasePath());
    outbox::SqliteOutbox box(db, 1000);
    box.bindClient(7);
    std::vector<outbox::NewReading> readings(1);
    readings[0].reading.counters["total"] = 1;
    const outbox::WallTime now{std::chrono::seconds{1'800'000'000}};
    box.commit(readings, now);
    REQUIRE(box.formBatch(
        10, [](envelope::Batch&) { return std::string("sealed"); }, now));
  }
  const EnrollResult refused = enroll(cfg, enrollmentString(8));
  CHECK_FALSE(refused.enrollment);
  CHECK(refused.error.find("batches sealed for client 7 still wait") != std::string::npos);
  CHECK(loadEnrollment(cfg)->clientId == 7);
  // The same client again (a re-paste) is fine.
  CHECK(enroll(cfg, enrollmentString(7)).enrollment);
}
