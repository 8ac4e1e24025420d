#include "shared/envelope/batch.hpp"

#include "shared/envelope/envelope_error.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::envelope {
namespace {

using nlohmann::json;

// Identifiers stay below 2^53 so any JSON reader sees them exactly.
constexpr std::int64_t kMaxId = (std::int64_t{1} << 53) - 1;
constexpr int kFormat = 1;

}  // namespace

std::string encodeBatch(const Batch& batch) {
  json items = json::array();
  for (const auto& item : batch.items) {
    items.push_back(json{{"seq", item.seq}, {"reading", model::toJsonValue(item.reading)}});
  }
  const json doc{{"format", kFormat},
                 {"client_id", batch.clientId},
                 {"batch_seq", batch.batchSeq},
                 {"client_version", batch.clientVersion},
                 {"created_at", util::formatRfc3339(batch.createdAt)},
                 {"items", std::move(items)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Batch decodeBatch(std::string_view text) {
  try {
    // A flat document and paths formatted only for an error: a DOM of
    // nlohmann objects and a path string per field cost the server more
    // than storing the batch (server/README.md, benchmark).
    const util::JsonDocument doc(text, "batch");
    const util::JsonPath root;
    const util::JsonFields o(doc.root(), root);
    const auto format = o.requireInt("format", 0, INT32_MAX);
    if (format != kFormat) {
      throw util::JsonFieldError("format", "batch format " + std::to_string(format) +
                                               " is not supported (this version reads 1)");
    }
    Batch batch;
    batch.clientId = static_cast<std::uint64_t>(o.requireInt("client_id", 1, kMaxId));
    batch.batchSeq = static_cast<std::uint64_t>(o.requireInt("batch_seq", 1, kMaxId));
    batch.clientVersion = o.optionalString("client_version", 64);
    const std::string created = o.requireString("created_at", 64);
    const auto createdAt = util::parseRfc3339(created);
    if (!createdAt)
      throw util::JsonFieldError("created_at", "not an RFC 3339 time: '" + created + "'");
    // The JSON form carries milliseconds (what encodeBatch writes): finer
    // digits are dropped, so that a decoded batch encodes to itself.
    batch.createdAt = std::chrono::floor<std::chrono::milliseconds>(*createdAt);
    const util::JsonValue items = o.requireArray("items", kMaxBatchItems);
    const util::JsonPath itemsPath(root, "items");
    batch.items.reserve(items.size());
    std::uint64_t previous = 0;
    std::size_t i = 0;
    for (const util::JsonValue value : items) {
      const util::JsonPath path(itemsPath, i++);
      const util::JsonFields item(value, path);
      BatchItem out;
      out.seq = static_cast<std::uint64_t>(item.requireInt("seq", 1, kMaxId));
      if (out.seq <= previous) {
        throw util::JsonFieldError(path.child("seq"), "item numbers must increase (" +
                                                          std::to_string(out.seq) + " after " +
                                                          std::to_string(previous) + ")");
      }
      previous = out.seq;
      const auto reading = item.find("reading");
      if (!reading) throw util::JsonFieldError(path.child("reading"), "missing");
      out.reading = model::readingFromJsonValue(*reading, util::JsonPath(path, "reading"));
      batch.items.push_back(std::move(out));
    }
    return batch;
  } catch (const util::JsonFieldError& e) {
    throw EnvelopeError(EnvelopeErrorKind::kBadPayload, std::string("batch payload: ") + e.what());
  }
}

}  // namespace openmps::envelope
