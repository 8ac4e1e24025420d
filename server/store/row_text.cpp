#include "server/store/row_text.hpp"

#include <array>
#include <charconv>

namespace openmps::server::store {
namespace {

void appendNumber(std::string& out, std::int64_t number) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), number);
  out.append(buf.data(), result.ptr);
}

void appendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

void appendCopyField(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': break;
      default: out += c;
    }
  }
}

void appendCopyField(std::string& out, std::int64_t number) {
  appendNumber(out, number);
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4U];
          out += kHex[u & 0x0fU];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void appendJson(std::string& out, const model::Supply& s) {
  out += '{';
  appendKey(out, "class");
  appendJsonString(out, s.supplyClass);
  out += ',';
  appendKey(out, "color");
  appendJsonString(out, s.color);
  out += ',';
  appendKey(out, "description");
  appendJsonString(out, s.description);
  out += ',';
  appendKey(out, "index");
  appendNumber(out, s.index);
  out += ',';
  appendKey(out, "level");
  appendNumber(out, s.level);
  out += ',';
  appendKey(out, "level_percent");
  if (s.levelPercent) {
    appendNumber(out, *s.levelPercent);
  } else {
    out += "null";
  }
  out += ',';
  appendKey(out, "max");
  appendNumber(out, s.max);
  out += ',';
  appendKey(out, "part_number");
  appendJsonString(out, s.partNumber);
  out += ',';
  appendKey(out, "serial");
  appendJsonString(out, s.serial);
  out += ',';
  appendKey(out, "state");
  appendJsonString(out, model::toString(s.state));
  out += ',';
  appendKey(out, "type");
  appendJsonString(out, s.type);
  out += ',';
  appendKey(out, "unit");
  appendJsonString(out, s.unit);
  out += '}';
}

void appendJson(std::string& out, const model::Status& st) {
  out += '{';
  appendKey(out, "alerts");
  out += '[';
  bool first = true;
  for (const auto& a : st.alerts) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += '{';
    appendKey(out, "code");
    appendNumber(out, a.code);
    out += ',';
    appendKey(out, "group");
    appendJsonString(out, a.group);
    out += ',';
    appendKey(out, "index");
    appendNumber(out, a.index);
    out += ',';
    appendKey(out, "severity");
    appendJsonString(out, a.severity);
    out += ',';
    appendKey(out, "text");
    appendJsonString(out, a.text);
    out += '}';
  }
  out += "],";
  appendKey(out, "device_status");
  appendJsonString(out, st.deviceStatus);
  out += ',';
  appendKey(out, "errors");
  out += '[';
  first = true;
  for (const auto& e : st.errors) {
    if (!first) {
      out += ',';
    }
    first = false;
    appendJsonString(out, e);
  }
  out += "],";
  appendKey(out, "printer_status");
  appendJsonString(out, st.printerStatus);
  out += ',';
  appendKey(out, "vendor_code");
  appendJsonString(out, st.vendorCode);
  out += '}';
}

void appendJson(std::string& out, const model::Counters& counters) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : counters) {
    if (!first) {
      out += ',';
    }
    first = false;
    appendJsonString(out, name);
    out += ':';
    appendNumber(out, value);
  }
  out += '}';
}

}  // namespace openmps::server::store
