#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "server/reports/report_document.hpp"

// The report formats. Each turns a ReportDocument into the bytes of a
// file; XLSX (libxlsxwriter) and PDF (cairo + pango) keep their libraries
// inside their own .cpp files.
namespace openmps::server::reports {

enum class Format { kCsv, kXlsx, kPdf, kJson };

std::optional<Format> parseFormat(std::string_view text);  // csv, xlsx, pdf, json
const char* toString(Format format);
const char* contentType(Format format);
const char* fileExtension(Format format);

class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CsvOptions {
  bool byteOrderMark = false;  // for Excel, which reads UTF-8 only with it
  std::size_t table = 0;       // which table (CSV holds one)
};

// RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or
// line break quoted, quotes doubled. Numbers without grouping, decimals
// with the reader's decimal mark, dates in the reader's form.
std::string renderCsv(const ReportDocument& doc, const CsvOptions& options = {});
// Every table with typed values: numbers, booleans, dates as YYYY-MM-DD
// and date-times as YYYY-MM-DDTHH:MM:SS (local time of the document).
std::string renderJson(const ReportDocument& doc);
// A sheet per table (typed cells, header frozen, filters, number and date
// formats of the reader's locale) and a sheet describing the report.
std::string renderXlsx(const ReportDocument& doc);
// A4, organisation, title, period and page numbers on every page, the
// charts, then the tables breaking across pages with their header repeated.
std::string renderPdf(const ReportDocument& doc);

std::string render(const ReportDocument& doc, Format format, const CsvOptions& csv = {});

}  // namespace openmps::server::reports
