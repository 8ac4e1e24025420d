#include <cmath>
#include <cstdio>

#include "server/reports/renderers.hpp"

namespace openmps::server::reports {
namespace {

void appendField(std::string& out, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
}

std::string plainNumber(Locale locale, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') {
    s.pop_back();
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  if (locale != Locale::kEn) {
    for (char& c : s) {
      if (c == '.') c = ',';
    }
  }
  return s;
}

std::string csvValue(Locale locale, const Value& value, CellType type) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    return std::to_string(*i);
  }
  if (const auto* d = std::get_if<double>(&value)) {
    return plainNumber(locale, *d);
  }
  return cellText(locale, value, type);
}

}  // namespace

std::string renderCsv(const ReportDocument& doc, const CsvOptions& options) {
  std::string out;
  if (options.byteOrderMark) {
    out += "\xEF\xBB\xBF";
  }
  if (options.table >= doc.tables.size()) {
    throw RenderError("the report has no table " + std::to_string(options.table + 1));
  }
  const Table& table = doc.tables[options.table];
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) out += ',';
    appendField(out, table.columns[c].header);
  }
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out += ',';
      appendField(out, csvValue(doc.locale, row[c], table.columns[c].type));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace openmps::server::reports
