#include <cstdio>

#include <nlohmann/json.hpp>

#include "server/reports/renderers.hpp"

namespace openmps::server::reports {
namespace {

std::string isoTime(const meters::LocalTime& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d", meters::formatDate(t.date).c_str(), t.hour,
                t.minute, t.second);
  return buf;
}

nlohmann::json jsonValue(const Value& v) {
  struct Visitor {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(std::int64_t i) const { return i; }
    nlohmann::json operator()(double d) const { return d; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(const meters::LocalDate& d) const { return meters::formatDate(d); }
    nlohmann::json operator()(const meters::LocalTime& t) const { return isoTime(t); }
  };
  return std::visit(Visitor{}, v);
}

const char* typeName(CellType t) {
  switch (t) {
    case CellType::kText: return "text";
    case CellType::kInteger: return "integer";
    case CellType::kDecimal: return "decimal";
    case CellType::kPercent: return "percent";
    case CellType::kDate: return "date";
    case CellType::kDateTime: return "datetime";
    case CellType::kBoolean: return "boolean";
  }
  return "text";
}

}  // namespace

std::string renderJson(const ReportDocument& doc) {
  nlohmann::json out;
  out["report"] = doc.report;
  out["title"] = doc.title;
  out["organisation"] = doc.organisation;
  out["time_zone"] = doc.timeZone;
  out["from"] = meters::formatDate(doc.from);
  out["to"] = meters::formatDate(doc.to);
  out["generated_at"] = isoTime(doc.generatedAt);
  out["locale"] = toString(doc.locale);
  out["tables"] = nlohmann::json::array();
  for (const Table& t : doc.tables) {
    nlohmann::json table;
    table["key"] = t.key;
    table["title"] = t.title;
    table["columns"] = nlohmann::json::array();
    for (const Column& c : t.columns) {
      table["columns"].push_back(
          {{"key", c.key}, {"header", c.header}, {"type", typeName(c.type)}});
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : t.rows) {
      nlohmann::json r = nlohmann::json::object();
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        r[t.columns[c].key] = jsonValue(row[c]);
      }
      rows.push_back(std::move(r));
    }
    table["rows"] = std::move(rows);
    out["tables"].push_back(std::move(table));
  }
  return out.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace openmps::server::reports
