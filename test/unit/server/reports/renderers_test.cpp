#include "server/reports/renderers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/reports/report_context.hpp"

using namespace openmps::server::reports;
using openmps::server::meters::LocalDate;
using openmps::server::meters::LocalTime;

namespace {

ReportDocument sample(Locale locale, std::size_t rows = 3) {
  ReportDocument doc;
  doc.report = "billing";
  doc.title = "Title";
  doc.organisation = "Müller & Söhne, \"Druck\"";
  doc.timeZone = "Europe/Berlin";
  doc.from = {2026, 11, 1};
  doc.to = {2026, 11, 30};
  doc.generatedAt = {{2026, 12, 1}, 6, 5, 0};
  doc.locale = locale;
  Table t{"billing",
          "Title",
          {{"serial", "Serial", CellType::kText, 12},
           {"pages", "Pages", CellType::kInteger, 8},
           {"share", "Share", CellType::kPercent, 8},
           {"rate", "Rate", CellType::kDecimal, 8},
           {"day", "Day", CellType::kDate, 10},
           {"at", "At", CellType::kDateTime, 14},
           {"estimated", "Estimated", CellType::kBoolean, 6},
           {"notes", "Notes", CellType::kText, 30, true}},
          {}};
  for (std::size_t i = 0; i < rows; ++i) {
    t.rows.push_back({std::string("S,") + std::to_string(i), std::int64_t{1234567}, 42.0, 2.5,
                      LocalDate{2026, 11, 30}, LocalTime{{2026, 12, 1}, 3, 7, 9}, i % 2 == 0,
                      std::string("line one\nline \"two\"")});
  }
  t.rows.push_back(
      {std::string("EMPTY"), Value{}, Value{}, Value{}, Value{}, Value{}, Value{}, Value{}});
  doc.tables.push_back(std::move(t));
  doc.charts.push_back({"Chart", {"a", "b"}, {{"s", {1, 2}}}, false});
  return doc;
}

// RFC 4180 reader: enough to read back what renderCsv writes.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  rows.pop_back();  // after the last CRLF
  return rows;
}

}  // namespace

TEST_CASE("CSV follows RFC 4180 and reads back", "[server][reports]") {
  const std::string csv = renderCsv(sample(Locale::kDe));
  CHECK(csv.substr(0, 3) != "\xEF\xBB\xBF");
  CHECK(csv.find("\r\n") != std::string::npos);
  const auto rows = parseCsv(csv);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == std::vector<std::string>{"Serial", "Pages", "Share", "Rate", "Day", "At",
                                            "Estimated", "Notes"});
  CHECK(rows[1] == std::vector<std::string>{"S,0", "1234567", "42", "2,5", "30.11.2026",
                                            "01.12.2026 03:07", "ja", "line one\nline \"two\""});
  CHECK(rows[2][6] == "nein");
  CHECK(rows[4] == std::vector<std::string>{"EMPTY", "", "", "", "", "", "", ""});
  const std::string bom = renderCsv(sample(Locale::kEn), {true, 0});
  CHECK(bom.substr(0, 3) == "\xEF\xBB\xBF");
  CHECK(parseCsv(bom.substr(3))[1][3] == "2.5");
  CHECK(parseCsv(bom.substr(3))[1][4] == "2026-11-30");
  CHECK_THROWS_AS(renderCsv(sample(Locale::kEn), {false, 3}), RenderError);
}

TEST_CASE("JSON keeps types and ISO dates", "[server][reports]") {
  const auto doc = nlohmann::json::parse(renderJson(sample(Locale::kFr)));
  CHECK(doc["report"] == "billing");
  CHECK(doc["from"] == "2026-11-01");
  CHECK(doc["generated_at"] == "2026-12-01T06:05:00");
  const auto& row = doc["tables"][0]["rows"][0];
  CHECK(row["pages"] == 1234567);
  CHECK(row["share"] == 42.0);
  CHECK(row["estimated"] == true);
  CHECK(row["day"] == "2026-11-30");
  CHECK(row["at"] == "2026-12-01T03:07:09");
  CHECK(doc["tables"][0]["rows"][3]["pages"].is_null());
  CHECK(doc["tables"][0]["columns"][1]["type"] == "integer");
}

TEST_CASE("XLSX and PDF are the files they claim to be", "[server][reports]") {
  const std::string xlsx = renderXlsx(sample(Locale::kIt));
  CHECK(xlsx.substr(0, 2) == "PK");  // a ZIP container
  CHECK(xlsx.find("xl/worksheets/sheet1.xml") != std::string::npos);
  const std::string pdf = renderPdf(sample(Locale::kEn, 400));
  CHECK(pdf.substr(0, 5) == "%PDF-");
  std::size_t pages = 0;
  for (std::size_t at = pdf.find("/Type /Page %"); at != std::string::npos;
       at = pdf.find("/Type /Page %", at + 1)) {
    ++pages;
  }
  CHECK(pages > 5);  // 400 rows break across pages
  CHECK(render(sample(Locale::kEn), Format::kCsv) == renderCsv(sample(Locale::kEn)));
}

TEST_CASE("format names and content types", "[server][reports]") {
  CHECK(parseFormat("xlsx") == Format::kXlsx);
  CHECK(parseFormat("XLSX") == std::nullopt);
  CHECK(std::string(contentType(Format::kPdf)) == "application/pdf");
  CHECK(std::string(fileExtension(Format::kJson)) == "json");
}
