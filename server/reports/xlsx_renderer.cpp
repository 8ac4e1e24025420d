// XLSX through libxlsxwriter, which writes files only (1.1.4 has no memory
// output): the workbook goes to a private temporary folder and is read back.
#include <cstdlib>
#include <filesystem>
#include <set>

#include <unistd.h>
#include <xlsxwriter.h>

#include "server/reports/renderers.hpp"
#include "shared/util/files.hpp"

namespace openmps::server::reports {
namespace {

constexpr std::size_t kMaxXlsxBytes = std::size_t{1} << 30;

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/openmps-xlsx-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      throw RenderError("cannot create a temporary folder for the XLSX file");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct Formats {
  lxw_format* header;
  lxw_format* integer;
  lxw_format* decimal;
  lxw_format* percent;
  lxw_format* date;
  lxw_format* dateTime;
  lxw_format* text;
  lxw_format* label;
};

Formats makeFormats(lxw_workbook* wb, Locale locale) {
  Formats f{};
  f.header = workbook_add_format(wb);
  format_set_bold(f.header);
  format_set_bottom(f.header, LXW_BORDER_THIN);
  format_set_bg_color(f.header, 0xDDE4EE);
  format_set_text_wrap(f.header);
  format_set_align(f.header, LXW_ALIGN_VERTICAL_TOP);
  f.integer = workbook_add_format(wb);
  format_set_num_format(f.integer, "#,##0");
  f.decimal = workbook_add_format(wb);
  format_set_num_format(f.decimal, "#,##0.0");
  f.percent = workbook_add_format(wb);
  format_set_num_format(f.percent, "0%");
  f.date = workbook_add_format(wb);
  format_set_num_format(f.date, excelDateFormat(locale));
  f.dateTime = workbook_add_format(wb);
  format_set_num_format(f.dateTime, excelDateTimeFormat(locale));
  f.text = workbook_add_format(wb);
  f.label = workbook_add_format(wb);
  format_set_bold(f.label);
  return f;
}

// Excel sheet names: at most 31 characters, none of []:*?/\, unique.
std::string sheetName(const std::string& title, std::set<std::string>& used) {
  std::string name;
  for (const char c : title) {
    if (std::string_view("[]:*?/\\").find(c) == std::string_view::npos) {
      name += c;
    }
  }
  // At most 28 bytes (room for " 2"), cut before a character, not inside one.
  if (name.size() > 28) {
    std::size_t cut = 28;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0U) == 0x80U) {
      --cut;
    }
    name.resize(cut);
  }
  if (name.empty()) {
    name = "Sheet";
  }
  std::string unique = name;
  for (int n = 2; used.contains(unique); ++n) {
    unique = name + " " + std::to_string(n);
  }
  used.insert(unique);
  return unique;
}

lxw_datetime toExcel(const meters::LocalTime& t) {
  return {t.date.year, static_cast<int>(t.date.month), static_cast<int>(t.date.day), t.hour,
          t.minute,    static_cast<double>(t.second)};
}

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR) {
    throw RenderError(std::string("XLSX: ") + what + ": " + lxw_strerror(error));
  }
}

void writeCell(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const Value& v, CellType type,
               const Formats& f) {
  if (std::holds_alternative<std::monostate>(v)) {
    return;
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    check(worksheet_write_string(ws, r, c, s->c_str(), f.text), "cell");
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    check(worksheet_write_number(ws, r, c, static_cast<double>(*i), f.integer), "cell");
  } else if (const auto* d = std::get_if<double>(&v)) {
    const bool percent = type == CellType::kPercent;
    check(worksheet_write_number(ws, r, c, percent ? *d / 100.0 : *d,
                                 percent ? f.percent : f.decimal),
          "cell");
  } else if (const auto* b = std::get_if<bool>(&v)) {
    check(worksheet_write_boolean(ws, r, c, *b ? 1 : 0, nullptr), "cell");
  } else if (const auto* date = std::get_if<meters::LocalDate>(&v)) {
    lxw_datetime dt = toExcel({*date, 0, 0, 0});
    check(worksheet_write_datetime(ws, r, c, &dt, f.date), "cell");
  } else if (const auto* t = std::get_if<meters::LocalTime>(&v)) {
    lxw_datetime dt = toExcel(*t);
    check(worksheet_write_datetime(ws, r, c, &dt, f.dateTime), "cell");
  }
}

void writeTable(lxw_workbook* wb, const Table& table, const Formats& f,
                std::set<std::string>& used) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheetName(table.title, used).c_str());
  if (ws == nullptr) {
    throw RenderError("XLSX: cannot add a sheet for '" + table.title + "'");
  }
  const auto columns = static_cast<lxw_col_t>(table.columns.size());
  for (lxw_col_t c = 0; c < columns; ++c) {
    worksheet_set_column(ws, c, c, table.columns[c].width, nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  if (columns > 0) {
    worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(table.rows.size()), columns - 1);
  }
  worksheet_set_row(ws, 0, 30, nullptr);
  for (lxw_col_t c = 0; c < columns; ++c) {
    check(worksheet_write_string(ws, 0, c, table.columns[c].header.c_str(), f.header), "header");
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (lxw_col_t c = 0; c < columns; ++c) {
      writeCell(ws, static_cast<lxw_row_t>(r + 1), c, table.rows[r][c], table.columns[c].type, f);
    }
  }
}

void writeAbout(lxw_workbook* wb, const ReportDocument& doc, const Formats& f,
                std::set<std::string>& used) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheetName(doc.title, used).c_str());
  worksheet_set_column(ws, 0, 0, 22, nullptr);
  worksheet_set_column(ws, 1, 1, 60, nullptr);
  const std::pair<std::string, std::string> lines[] = {
      {text(doc.locale, "col.customer"), doc.organisation},
      {text(doc.locale, "word.period"),
       formatDate(doc.locale, doc.from) + " – " + formatDate(doc.locale, doc.to)},
      {text(doc.locale, "word.time-zone"), doc.timeZone},
      {text(doc.locale, "word.generated"), formatDateTime(doc.locale, doc.generatedAt)},
  };
  check(worksheet_write_string(ws, 0, 0, doc.title.c_str(), f.label), "title");
  lxw_row_t row = 2;
  for (const auto& [label, value] : lines) {
    check(worksheet_write_string(ws, row, 0, label.c_str(), f.label), "about");
    check(worksheet_write_string(ws, row, 1, value.c_str(), nullptr), "about");
    ++row;
  }
}

}  // namespace

std::string renderXlsx(const ReportDocument& doc) {
  const TempDir dir;
  const std::string file = (dir.path() / "report.xlsx").string();
  std::string tmp = dir.path().string();
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows stream to disk: memory stays flat
  options.tmpdir = tmp.data();
  options.use_zip64 = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(file.c_str(), &options);
  if (wb == nullptr) {
    throw RenderError("XLSX: cannot create the workbook");
  }
  try {
    lxw_doc_properties props{};
    std::string title = doc.title;
    std::string company = doc.organisation;
    props.title = title.data();
    props.company = company.data();
    workbook_set_properties(wb, &props);
    const Formats f = makeFormats(wb, doc.locale);
    std::set<std::string> used;
    for (const Table& t : doc.tables) {
      writeTable(wb, t, f, used);
    }
    writeAbout(wb, doc, f, used);
  } catch (...) {
    workbook_close(wb);
    throw;
  }
  check(workbook_close(wb), "writing the file");
  return util::readFile(file, kMaxXlsxBytes);
}

}  // namespace openmps::server::reports
