#include "server/reports/renderers.hpp"

namespace openmps::server::reports {

std::optional<Format> parseFormat(std::string_view text) {
  if (text == "csv") return Format::kCsv;
  if (text == "xlsx") return Format::kXlsx;
  if (text == "pdf") return Format::kPdf;
  if (text == "json") return Format::kJson;
  return std::nullopt;
}

const char* toString(Format format) {
  switch (format) {
    case Format::kCsv: return "csv";
    case Format::kXlsx: return "xlsx";
    case Format::kPdf: return "pdf";
    case Format::kJson: return "json";
  }
  return "csv";
}

const char* contentType(Format format) {
  switch (format) {
    case Format::kCsv: return "text/csv; charset=utf-8";
    case Format::kXlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case Format::kPdf: return "application/pdf";
    case Format::kJson: return "application/json";
  }
  return "application/octet-stream";
}

const char* fileExtension(Format format) {
  return toString(format);
}

std::string render(const ReportDocument& doc, Format format, const CsvOptions& csv) {
  switch (format) {
    case Format::kCsv: return renderCsv(doc, csv);
    case Format::kXlsx: return renderXlsx(doc);
    case Format::kPdf: return renderPdf(doc);
    case Format::kJson: return renderJson(doc);
  }
  return {};
}

}  // namespace openmps::server::reports
