// `openmps-server collector list` output (text and JSON).
#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "server/store/pg_admin.hpp"

namespace openmps::server::store {
namespace {

using nlohmann::json;

json orNull(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

std::string orDash(const std::string& s, std::size_t width) {
  if (s.empty()) {
    return "-";
  }
  return s.size() > width ? s.substr(0, width - 1) + "~" : s;
}

}  // namespace

std::string collectorsToText(const std::vector<CollectorRow>& rows) {
  std::string out;
  std::array<char, 512> line{};
  const char* format = "%-16s %-20s %-20s %-9s %-20s %s\n";
  std::snprintf(line.data(), line.size(), format, "ID", "CUSTOMER", "NAME", "STATE", "LAST SEEN",
                "LAST FROM");
  out += line.data();
  for (const auto& c : rows) {
    const std::string from =
        c.lastCarrier.empty() ? "-" : c.lastCarrier + (c.lastPeer.empty() ? "" : " " + c.lastPeer);
    std::snprintf(line.data(), line.size(), format, std::to_string(c.id).c_str(),
                  orDash(c.customer, 20).c_str(), orDash(c.name, 20).c_str(),
                  c.revokedAt.empty() ? "active" : "revoked", orDash(c.lastSeenAt, 20).c_str(),
                  orDash(from, 60).c_str());
    out += line.data();
  }
  out += std::to_string(rows.size()) + " collector(s)\n";
  return out;
}

std::string collectorsToJson(const std::vector<CollectorRow>& rows) {
  json out = json::array();
  for (const auto& c : rows) {
    out.push_back(json{{"id", c.id},
                       {"customer", c.customer},
                       {"name", c.name},
                       {"created_at", c.createdAt},
                       {"revoked_at", orNull(c.revokedAt)},
                       {"last_seen_at", orNull(c.lastSeenAt)},
                       {"last_carrier", orNull(c.lastCarrier)},
                       {"last_peer", orNull(c.lastPeer)},
                       {"last_batch_seq", c.lastBatchSeq}});
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace openmps::server::store
