#include <catch2/catch.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/sequence.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps::envelope;
using openmps::envelope::test::sampleBatch;

namespace {

std::string badPayloadMessage(const std::string& json) {
  try {
    (void)decodeBatch(json);
  } catch (const EnvelopeError& e) {
    CHECK(e.kind() == EnvelopeErrorKind::kBadPayload);
    return e.what();
  }
  FAIL("accepted: " << json);
  return {};
}

}  // namespace

TEST_CASE("a batch payload round-trips", "[envelope]") {
  const Batch b = sampleBatch();
  CHECK(decodeBatch(encodeBatch(b)) == b);
}

TEST_CASE("malformed batch payloads name the field", "[envelope]") {
  const std::string head =
      R"({"format":1,"client_id":17,"batch_seq":42,"created_at":"2026-11-22T08:00:00Z",)";
  const std::string reading =
      R"("reading":{"kind":"meter","read_at":"2026-11-22T08:00:00Z","identity":{}})";
  CHECK_THAT(
      badPayloadMessage(
          R"({"format":2,"client_id":17,"batch_seq":1,"created_at":"2026-11-22T08:00:00Z","items":[]})"),
      Catch::Contains("format"));
  CHECK_THAT(badPayloadMessage(head + R"("items":[{"seq":5,)" + reading + R"(},{"seq":5,)" +
                               reading + "}]}"),
             Catch::Contains("items[1].seq"));
  CHECK_THAT(badPayloadMessage(head + R"("items":[{"seq":0,)" + reading + "}]}"),
             Catch::Contains("items[0].seq"));
  CHECK_THAT(badPayloadMessage(head + R"("items":[{"seq":1}]})"),
             Catch::Contains("items[0].reading"));
  CHECK_THAT(
      badPayloadMessage(
          head +
          R"("items":[{"seq":1,"reading":{"kind":"meter","read_at":"2026-11-22T08:00:00Z","identity":{},"counters":{"total":-5}}}]})"),
      Catch::Contains("items[0].reading.counters.total"));
  CHECK_THAT(
      badPayloadMessage(
          R"({"format":1,"client_id":0,"batch_seq":1,"created_at":"2026-11-22T08:00:00Z","items":[]})"),
      Catch::Contains("client_id"));
  CHECK_THAT(badPayloadMessage(
                 R"({"format":1,"client_id":1,"batch_seq":1,"created_at":"soon","items":[]})"),
             Catch::Contains("created_at"));
  CHECK_THAT(badPayloadMessage(
                 R"({"format":1,"client_id":1,"batch_seq":1,"created_at":"2026-11-22T08:00:00Z"})"),
             Catch::Contains("items"));
  CHECK_THAT(badPayloadMessage("[]"), Catch::Contains("object"));
}

TEST_CASE("too many items are refused", "[envelope]") {
  std::string json =
      R"({"format":1,"client_id":1,"batch_seq":1,"created_at":"2026-11-22T08:00:00Z","items":[)";
  for (std::size_t i = 0; i <= kMaxBatchItems; ++i) json += (i ? ",1" : "1");
  json += "]}";
  CHECK_THAT(badPayloadMessage(json), Catch::Contains("more than"));
}

TEST_CASE("a batch number used twice is new, duplicate or a replay conflict", "[envelope]") {
  std::array<unsigned char, 32> a{};
  a.fill(1);
  std::array<unsigned char, 32> b = a;
  b[31] = 2;
  CHECK(classifyBatch(std::nullopt, a) == SequenceVerdict::kNew);
  CHECK(classifyBatch(a, a) == SequenceVerdict::kDuplicate);
  CHECK(classifyBatch(a, b) == SequenceVerdict::kConflict);
}

TEST_CASE("times finer than a millisecond decode to the millisecond they print as", "[envelope]") {
  // Found by fuzz_batch: a decoded batch must encode to itself.
  const std::string json =
      R"({"format":1,"client_id":7,"batch_seq":3,"created_at":"2026-11-22T08:05:00.0002Z",)"
      R"("items":[{"seq":1,"reading":{"kind":"meter","read_at":"2026-11-22T08:00:00.1239+01:00",)"
      R"("identity":{}}}]})";
  const Batch b = decodeBatch(json);
  CHECK(decodeBatch(encodeBatch(b)) == b);
  CHECK(encodeBatch(b).find("\"created_at\":\"2026-11-22T08:05:00.000Z\"") != std::string::npos);
  CHECK(encodeBatch(b).find("\"read_at\":\"2026-11-22T07:00:00.123Z\"") != std::string::npos);
}
