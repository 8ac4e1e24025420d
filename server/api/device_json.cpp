#include "server/api/device_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>
#include <utility>

#include "server/store/row_text.hpp"
#include "shared/util/json_fields.hpp"

namespace openmps::server::api {
namespace {

using store::appendJsonString;
using util::JsonType;
using util::JsonValue;

// A page of 100 devices is about 100 kB; growing the buffer from empty
// copied it a dozen times.
constexpr std::size_t kBytesPerDevice = 1200;

void appendInt(std::string& out, std::int64_t number) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), number);
  out.append(buf.data(), result.ptr);
}

void appendUnsigned(std::string& out, std::uint64_t number) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), number);
  out.append(buf.data(), result.ptr);
}

bool isInteger(const JsonValue& v) {
  return v.type() == JsonType::kInteger || v.type() == JsonType::kUnsigned;
}

void appendInteger(std::string& out, const JsonValue& v) {
  if (v.type() == JsonType::kInteger) {
    appendInt(out, v.integer());
  } else {
    appendUnsigned(out, v.unsignedInteger());
  }
}

void appendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// A stored string member, "" when missing or not a string.
void appendText(std::string& out, const std::optional<JsonValue>& v) {
  appendJsonString(out, v && v->isString() ? v->string() : std::string_view());
}

void appendIntegerOr(std::string& out, const std::optional<JsonValue>& v,
                     std::string_view fallback) {
  if (v && isInteger(*v)) {
    appendInteger(out, *v);
  } else {
    out += fallback;
  }
}

// The stored JSON was written by ingest; anything unreadable shows as
// unknown (as nlohmann's lenient parse did), never as an error.
template <typename Write>
bool withDocument(std::string_view text, std::string_view what, Write write) {
  try {
    const util::JsonDocument doc(text, what);
    return write(doc.root());
  } catch (const util::JsonFieldError&) {
    return false;
  }
}

void appendStatus(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  const bool written = withDocument(text, "stored status", [&out](JsonValue root) {
    if (!root.isObject() || root.size() == 0) return false;
    out += '{';
    appendKey(out, "printer_status");
    appendText(out, root.find("printer_status"));
    out += ',';
    appendKey(out, "device_status");
    appendText(out, root.find("device_status"));
    out += ',';
    appendKey(out, "errors");
    out += '[';
    bool first = true;
    if (const auto errors = root.find("errors"); errors && errors->isArray()) {
      for (const JsonValue e : *errors) {
        if (!e.isString()) continue;
        if (!first) out += ',';
        first = false;
        appendJsonString(out, e.string());
      }
    }
    out += "]}";
    return true;
  });
  if (!written) {
    out.resize(start);
    out += "null";
  }
}

// Members in key order, the last of duplicates winning (as a JSON object
// read into a map has them), integers only.
void appendCounters(std::string& out, std::string_view text,
                    std::vector<std::pair<std::string_view, JsonValue>>& scratch) {
  out += '{';
  withDocument(text, "stored counters", [&out, &scratch](JsonValue root) {
    if (!root.isObject()) return false;
    scratch.clear();
    for (const JsonValue member : root) scratch.emplace_back(member.key(), member);
    std::stable_sort(scratch.begin(), scratch.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    bool first = true;
    for (std::size_t i = 0; i < scratch.size(); ++i) {
      const auto& [key, value] = scratch[i];
      if (i + 1 < scratch.size() && scratch[i + 1].first == key) continue;
      if (!isInteger(value)) continue;
      if (!first) out += ',';
      first = false;
      appendJsonString(out, key);
      out += ':';
      appendInteger(out, value);
    }
    return true;
  });
  out += '}';
}

// The members of a stored supply the API shows, in one pass over it.
struct SupplyMembers {
  static constexpr std::array<std::string_view, 8> kNames = {
      "index", "description", "type", "color", "level_percent", "state", "part_number", "serial"};
  std::array<std::optional<JsonValue>, kNames.size()> values;

  explicit SupplyMembers(const JsonValue& supply) {
    for (const JsonValue member : supply) {
      const auto key = member.key();
      for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == key) values[i] = member;
      }
    }
  }
};

void appendSupply(std::string& out, const JsonValue& supply) {
  const SupplyMembers m(supply);
  out += '{';
  for (std::size_t i = 0; i < SupplyMembers::kNames.size(); ++i) {
    if (i > 0) out += ',';
    const auto name = SupplyMembers::kNames[i];
    appendKey(out, name);
    if (name == "index") {
      appendIntegerOr(out, m.values[i], "0");
    } else if (name == "level_percent") {
      appendIntegerOr(out, m.values[i], "null");
    } else {
      appendText(out, m.values[i]);
    }
  }
  out += '}';
}

void appendSupplies(std::string& out, std::string_view text) {
  out += '[';
  withDocument(text, "stored supplies", [&out](JsonValue root) {
    if (!root.isArray()) return false;
    bool first = true;
    for (const JsonValue s : root) {
      if (!s.isObject()) continue;
      if (!first) out += ',';
      first = false;
      appendSupply(out, s);
    }
    return true;
  });
  out += ']';
}

void appendRef(std::string& out, std::int64_t id, std::string_view name) {
  out += "{\"id\":";
  appendInt(out, id);
  out += ",\"name\":";
  appendJsonString(out, name);
  out += '}';
}

void appendMember(std::string& out, std::string_view key, std::string_view text) {
  out += ',';
  appendKey(out, key);
  appendJsonString(out, text);
}

void appendRow(std::string& out, const store::DeviceListRow& d,
               std::vector<std::pair<std::string_view, JsonValue>>& scratch) {
  out += "{\"id\":";
  appendInt(out, d.id);
  appendMember(out, "serial", d.serial);
  appendMember(out, "manufacturer", d.manufacturer);
  appendMember(out, "model", d.model);
  appendMember(out, "kind", d.kind);
  appendMember(out, "ip", d.ip);
  appendMember(out, "host_name", d.hostName);
  appendMember(out, "location", d.location);
  out += ",\"customer\":";
  appendRef(out, d.customerId, d.customerName);
  out += ",\"site\":";
  if (d.siteId == 0) {
    out += "null";
  } else {
    appendRef(out, d.siteId, d.siteName);
  }
  out += ",\"last_seen_at\":";
  if (d.lastSeenAt.empty()) {
    out += "null";
  } else {
    appendJsonString(out, d.lastSeenAt);
  }
  out += ",\"status\":";
  appendStatus(out, d.statusJson);
  out += ",\"counters\":";
  appendCounters(out, d.countersJson, scratch);
  out += ",\"supplies\":";
  appendSupplies(out, d.suppliesJson);
  out += '}';
}

}  // namespace

void appendDeviceSummary(std::string& out, const store::DeviceListRow& row) {
  std::vector<std::pair<std::string_view, JsonValue>> scratch;
  appendRow(out, row, scratch);
}

std::string devicePageJson(const std::vector<store::DeviceListRow>& rows,
                           const std::optional<std::string>& nextAfter) {
  std::string out;
  out.reserve(64 + rows.size() * kBytesPerDevice);
  std::vector<std::pair<std::string_view, JsonValue>> scratch;
  out += "{\"items\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    appendRow(out, rows[i], scratch);
  }
  out += "],\"next_after\":";
  if (nextAfter) {
    appendJsonString(out, *nextAfter);
  } else {
    out += "null";
  }
  out += '}';
  return out;
}

}  // namespace openmps::server::api
