// PDF through cairo (pages, lines, bars) and pango (text, with the
// DejaVu fonts). Two passes: the first lays the pages out (row heights,
// page breaks), so the second can print "page n of m" on every page.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "server/reports/renderers.hpp"

namespace openmps::server::reports {
namespace {

constexpr double kA4Short = 595.276;
constexpr double kA4Long = 841.89;
constexpr double kMargin = 36;
constexpr double kHeaderHeight = 46;
constexpr double kFooterHeight = 22;
constexpr double kCellPadX = 3;
constexpr double kCellPadY = 2;
constexpr double kLineHeight = 9.5;  // 7 pt text
constexpr double kTitleHeight = 20;
constexpr double kChartHeight = 230;
constexpr double kGap = 12;
// Condensed: a wide table of a landscape page fits without cutting.
constexpr const char* kFont = "DejaVu Sans Condensed 7";
constexpr const char* kBoldFont = "DejaVu Sans Condensed Bold 7";

struct CairoDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct GObjectDeleter {
  void operator()(void* p) const { g_object_unref(p); }
};
struct FontDeleter {
  void operator()(PangoFontDescription* f) const { pango_font_description_free(f); }
};

cairo_status_t appendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

bool rightAligned(CellType t) {
  return t == CellType::kInteger || t == CellType::kDecimal || t == CellType::kPercent;
}

// One text layout reused for every piece of text: creating one per cell
// cost more than drawing it.
class Text {
 public:
  explicit Text(cairo_t* cr)
      : layout_(pango_cairo_create_layout(cr)),
        regular_(pango_font_description_from_string(kFont)),
        bold_(pango_font_description_from_string(kBoldFont)) {}

  void set(std::string_view s, double width, bool bold = false, bool wrap = false,
           bool right = false, double size = 0) {
    PangoLayout* l = layout_.get();
    PangoFontDescription* font = bold ? bold_.get() : regular_.get();
    if (size > 0) {
      pango_font_description_set_size(font, static_cast<gint>(size * PANGO_SCALE));
    } else {
      pango_font_description_set_size(font, 7 * PANGO_SCALE);
    }
    pango_layout_set_font_description(l, font);
    pango_layout_set_text(l, s.data(), static_cast<int>(s.size()));
    pango_layout_set_width(l, width > 0 ? static_cast<int>(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_ellipsize(l, wrap || width <= 0 ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(l, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  }

  double height() {
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  double width() {
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }

  void draw(cairo_t* cr, double x, double y) {
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout_.get());
  }

  // A copy of the current text, laid out once and drawn on every page
  // (table headers, the page header): shaping it each time cost as much as
  // a page of cells.
  std::shared_ptr<PangoLayout> keep() {
    return {pango_layout_copy(layout_.get()), GObjectDeleter{}};
  }

 private:
  std::unique_ptr<PangoLayout, GObjectDeleter> layout_;
  std::unique_ptr<PangoFontDescription, FontDeleter> regular_;
  std::unique_ptr<PangoFontDescription, FontDeleter> bold_;
};

// Table cells on one line: cairo's glyphs without Pango's layout (line
// breaking, shaping of every run, bidi), which cost most of the time of a
// large report, and all of a page's cells drawn with one call, so the PDF
// has one text object per page instead of one per cell. Latin text in a
// table needs no more; a text too wide for its column ends in an ellipsis.
class CellText {
 public:
  explicit CellText(cairo_t* cr) : cr_(cr) {
    cairo_save(cr_);
    cairo_select_font_face(cr_, "DejaVu Sans Condensed", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, 7.0);  // points, as the Pango text
    font_ = cairo_scaled_font_reference(cairo_get_scaled_font(cr_));
    cairo_restore(cr_);
    cairo_font_extents_t e{};
    cairo_scaled_font_extents(font_, &e);
    ascent_ = e.ascent;
  }
  ~CellText() { cairo_scaled_font_destroy(font_); }
  CellText(const CellText&) = delete;
  CellText& operator=(const CellText&) = delete;

  // Queues `s` in the box [x, x + width) with its top at y.
  void add(const std::string& s, double x, double y, double width, bool right) {
    double w = 0;
    std::size_t first = glyphs_.size();
    append(s, x, y + ascent_, w);
    if (w > width) {
      glyphs_.resize(first);
      append(fit(s, width), x, y + ascent_, w);
    }
    if (right) {
      for (std::size_t i = first; i < glyphs_.size(); ++i) glyphs_[i].x += width - w;
    }
  }

  // Draws what was queued, in the current colour.
  void flush() {
    if (glyphs_.empty()) return;
    cairo_save(cr_);
    cairo_set_scaled_font(cr_, font_);
    cairo_show_glyphs(cr_, glyphs_.data(), static_cast<int>(glyphs_.size()));
    cairo_restore(cr_);
    glyphs_.clear();
  }

 private:
  // The glyphs of `s` from (x, baseline); `width` gets their advance.
  void append(const std::string& s, double x, double baseline, double& width) {
    cairo_glyph_t* glyphs = nullptr;
    int count = 0;
    if (cairo_scaled_font_text_to_glyphs(font_, x, baseline, s.data(), static_cast<int>(s.size()),
                                         &glyphs, &count, nullptr, nullptr,
                                         nullptr) != CAIRO_STATUS_SUCCESS) {
      return;
    }
    cairo_text_extents_t e{};
    cairo_scaled_font_glyph_extents(font_, glyphs, count, &e);
    width = e.x_advance;
    glyphs_.insert(glyphs_.end(), glyphs, glyphs + count);
    cairo_glyph_free(glyphs);
  }

  double advance(const std::string& s) {
    cairo_text_extents_t e{};
    cairo_scaled_font_text_extents(font_, s.c_str(), &e);
    return e.x_advance;
  }

  // The longest start of `s` (whole characters) that fits with an ellipsis.
  std::string fit(const std::string& s, double width) {
    std::size_t keep = s.size();
    while (keep > 0) {
      do {
        --keep;
      } while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0U) == 0x80U);
      if (advance(s.substr(0, keep) + "\u2026") <= width) break;
    }
    return s.substr(0, keep) + "\u2026";
  }

  cairo_t* cr_;
  cairo_scaled_font_t* font_ = nullptr;
  double ascent_ = 0;
  std::vector<cairo_glyph_t> glyphs_;
};

// ---- layout -----------------------------------------------------------------

struct TableSlice {
  std::size_t table;
  std::size_t firstRow;
  std::size_t endRow;
  bool withTitle;
};

struct Block {
  enum Kind { kChart, kTable } kind;
  std::size_t chart = 0;
  TableSlice slice{};
  double x = 0;  // charts: left edge and width (two side by side on a wide page)
  double width = 0;
};

struct Page {
  std::vector<Block> blocks;
};

struct Geometry {
  double width;
  double height;
  double contentTop() const { return kMargin + kHeaderHeight; }
  double contentBottom() const { return height - kMargin - kFooterHeight; }
  double contentWidth() const { return width - 2 * kMargin; }
};

constexpr double kCharWidth = 3.9;  // 7 pt DejaVu Sans Condensed, an average character
constexpr double kWideChar = 4.8;   // ... and a wide one (capitals, digits)
constexpr std::size_t kSampleRows = 400;

bool flexible(const Column& c) {
  return c.type == CellType::kText;
}

// Columns whose every row says the same (the customer, in a customer's
// report) are said once above the table instead of on every line.
std::vector<bool> constantColumns(const Table& t) {
  std::vector<bool> out(t.columns.size(), false);
  if (t.rows.size() < 2) return out;
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c].type != CellType::kText) continue;
    const auto* first = std::get_if<std::string>(&t.rows[0][c]);
    if (first == nullptr || first->empty()) continue;
    bool same = true;
    for (const auto& row : t.rows) {
      const auto* v = std::get_if<std::string>(&row[c]);
      if (v == nullptr || *v != *first) {
        same = false;
        break;
      }
    }
    out[c] = same;
  }
  return out;
}

// Widths from the content (the longest text of the first rows, measured):
// numbers and dates get what they need; text columns give up what the page
// lacks in proportion to what they have above their minimum.
std::vector<double> columnWidths(const ReportDocument& doc, const Table& t,
                                 const std::vector<bool>& hidden, double available, Text& text) {
  const std::size_t n = t.columns.size();
  std::vector<double> natural(n, 0);
  std::vector<double> minimum(n, 0);
  for (std::size_t c = 0; c < n; ++c) {
    if (hidden[c]) continue;
    const Column& col = t.columns[c];
    // Texts: every row (a length is cheap); numbers and dates: the first
    // rows say how wide they get.
    std::string longest;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      if (const auto* s = std::get_if<std::string>(&t.rows[r][c])) {
        if (s->size() > longest.size()) longest = *s;
      } else if (r < kSampleRows) {
        std::string cell = cellText(doc.locale, t.rows[r][c], col.type);
        if (cell.size() > longest.size()) longest = std::move(cell);
      }
    }
    text.set(longest, 0);
    // Other rows of as many characters may have wider glyphs (W, M, digits).
    const double content =
        std::max(text.width() * 1.05, static_cast<double>(longest.size()) * kWideChar);
    // A header word longer than the column's content breaks inside the
    // word rather than widening a column of dates.
    double header = 0;
    std::string word;
    for (const char ch : col.header + " ") {
      if (ch != ' ') {
        word += ch;
        continue;
      }
      text.set(word, 0, true);
      header = std::max(header, text.width());
      word.clear();
    }
    const double width = std::max(content, std::min(header, std::max(content, 40.0)));
    const double cap = (col.wrap ? 50 : 40) * kCharWidth;
    natural[c] = std::min(width, cap) + 2 * kCellPadX + 1;
    minimum[c] = flexible(col) ? std::min(natural[c], col.minChars * kCharWidth + 2 * kCellPadX)
                               : natural[c];
  }
  double total = 0;
  double slack = 0;
  for (std::size_t c = 0; c < n; ++c) {
    total += natural[c];
    slack += natural[c] - minimum[c];
  }
  std::vector<double> out = natural;
  if (total > available && slack > 0) {
    const double share = std::min(1.0, (total - available) / slack);
    for (std::size_t c = 0; c < n; ++c) out[c] = natural[c] - (natural[c] - minimum[c]) * share;
    total -= slack * share;
  }
  if (total > available) {
    // Still too wide at every minimum: all give way alike (cut, never past the margin).
    for (double& w : out) w *= available / total;
  } else if (total < available) {
    // Room to spare: to the wrapping columns, else to every text column.
    double grow = 0;
    for (std::size_t c = 0; c < n; ++c) grow += (!hidden[c] && t.columns[c].wrap) ? natural[c] : 0;
    const bool wrapOnly = grow > 0;
    if (!wrapOnly) {
      for (std::size_t c = 0; c < n; ++c)
        grow += (!hidden[c] && flexible(t.columns[c])) ? natural[c] : 0;
    }
    for (std::size_t c = 0; c < n && grow > 0; ++c) {
      const bool takes = !hidden[c] && (wrapOnly ? t.columns[c].wrap : flexible(t.columns[c]));
      if (takes) out[c] += (available - total) * natural[c] / grow;
    }
  }
  return out;
}

class Planner {
 public:
  Planner(const ReportDocument& doc, const Geometry& g, Text& text)
      : doc_(doc), g_(g), text_(text) {}

  std::vector<Page> plan() {
    pages_.emplace_back();
    y_ = g_.contentTop();
    const std::size_t perRow = g_.width > g_.height ? 2 : 1;
    const double width =
        (g_.contentWidth() - kGap * static_cast<double>(perRow - 1)) / static_cast<double>(perRow);
    for (std::size_t c = 0; c < doc_.charts.size(); ++c) {
      const std::size_t column = c % perRow;
      if (column == 0 && c > 0) y_ += kChartHeight + kGap;
      if (column == 0 && y_ + kChartHeight > g_.contentBottom()) newPage();
      Block b{Block::kChart, c, {}, kMargin + static_cast<double>(column) * (width + kGap), width};
      b.slice.firstRow = static_cast<std::size_t>(y_);  // the chart's top, for the painter
      pages_.back().blocks.push_back(b);
    }
    if (!doc_.charts.empty()) y_ += kChartHeight + kGap;
    for (std::size_t t = 0; t < doc_.tables.size(); ++t) {
      planTable(t);
    }
    return pages_;
  }

  double rowHeight(std::size_t t, std::size_t r) { return heights_[t][r]; }
  double headerHeight(std::size_t t) { return headerHeights_[t]; }
  const std::vector<double>& widths(std::size_t t) { return widths_[t]; }
  const std::vector<bool>& hidden(std::size_t t) { return hidden_[t]; }
  // The line under the title that names the columns left out: "Kunde: Acme".
  std::string constantsLine(std::size_t t) {
    const Table& table = doc_.tables[t];
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (!hidden_[t][c]) continue;
      if (!out.empty()) out += "   ";
      out += table.columns[c].header + ": " + std::get<std::string>(table.rows[0][c]);
    }
    return out;
  }

 private:
  void newPage() {
    pages_.emplace_back();
    y_ = g_.contentTop();
  }

  void measure(std::size_t t) {
    const Table& table = doc_.tables[t];
    hidden_[t] = constantColumns(table);
    widths_[t] = columnWidths(doc_, table, hidden_[t], g_.contentWidth(), text_);
    const auto& widths = widths_[t];
    double header = kLineHeight;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (hidden_[t][c]) continue;
      text_.set(table.columns[c].header, widths[c] - 2 * kCellPadX, true, true);
      header = std::max(header, text_.height());
    }
    headerHeights_[t] = header + 2 * kCellPadY;
    auto& h = heights_[t];
    h.assign(table.rows.size(), kLineHeight + 2 * kCellPadY);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (!table.columns[c].wrap || hidden_[t][c]) continue;
      // 7 pt DejaVu averages under 4.5 pt a character: shorter texts fit.
      const auto fits = static_cast<std::size_t>((widths[c] - 2 * kCellPadX) / 5.5);
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto* s = std::get_if<std::string>(&table.rows[r][c]);
        if (s == nullptr || s->size() <= fits) continue;
        text_.set(*s, widths[c] - 2 * kCellPadX, false, true);
        h[r] = std::max(h[r], text_.height() + 2 * kCellPadY);
      }
    }
  }

  void planTable(std::size_t t) {
    const Table& table = doc_.tables[t];
    heights_.resize(doc_.tables.size());
    headerHeights_.resize(doc_.tables.size());
    widths_.resize(doc_.tables.size());
    hidden_.resize(doc_.tables.size());
    measure(t);
    const double head =
        kTitleHeight + headerHeights_[t] + (constantsLine(t).empty() ? 0 : kLineHeight + 2);
    if (y_ + head + (table.rows.empty() ? kLineHeight : heights_[t][0]) > g_.contentBottom()) {
      newPage();
    }
    TableSlice slice{t, 0, 0, true};
    y_ += head;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (y_ + heights_[t][r] > g_.contentBottom() && slice.endRow > slice.firstRow) {
        pages_.back().blocks.push_back({Block::kTable, 0, slice});
        newPage();
        slice = {t, r, r, false};
        y_ += headerHeights_[t];
      }
      y_ += heights_[t][r];
      slice.endRow = r + 1;
    }
    if (table.rows.empty()) {
      y_ += kLineHeight + 2 * kCellPadY;
    }
    pages_.back().blocks.push_back({Block::kTable, 0, slice});
    y_ += kGap;
  }

  const ReportDocument& doc_;
  const Geometry& g_;
  Text& text_;
  std::vector<Page> pages_;
  double y_ = 0;
  std::vector<std::vector<double>> heights_;
  std::vector<double> headerHeights_;
  std::vector<std::vector<double>> widths_;
  std::vector<std::vector<bool>> hidden_;
};

// ---- drawing ----------------------------------------------------------------

constexpr double kPalette[][3] = {{0.20, 0.40, 0.70},
                                  {0.85, 0.45, 0.15},
                                  {0.30, 0.65, 0.35},
                                  {0.70, 0.25, 0.55},
                                  {0.55, 0.55, 0.55}};

double niceStep(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

class Painter {
 public:
  Painter(const ReportDocument& doc, const Geometry& g, cairo_t* cr, Text& text, Planner& planner)
      : doc_(doc), g_(g), cr_(cr), text_(text), cells_(cr), planner_(planner) {}

  void page(const Page& page, std::size_t number, std::size_t count) {
    header();
    footer(number, count);
    double y = g_.contentTop();
    for (const Block& b : page.blocks) {
      if (b.kind == Block::kChart) {
        const double top = static_cast<double>(b.slice.firstRow);
        y = std::max(y, chart(doc_.charts[b.chart], top, b.x, b.width));
      } else {
        y = table(b.slice, y);
      }
    }
    cairo_show_page(cr_);
  }

 private:
  static void show(cairo_t* cr, const std::shared_ptr<PangoLayout>& layout, double x, double y) {
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout.get());
  }

  void header() {
    if (pageHeader_.empty()) {
      text_.set(doc_.organisation, g_.contentWidth(), true, false, false, 11);
      pageHeader_.push_back(text_.keep());
      text_.set(doc_.title, g_.contentWidth(), false, false, false, 9);
      pageHeader_.push_back(text_.keep());
      const std::string period = text(doc_.locale, "word.period") + ": " +
                                 formatDate(doc_.locale, doc_.from) + " – " +
                                 formatDate(doc_.locale, doc_.to) + "   " +
                                 text(doc_.locale, "word.time-zone") + ": " + doc_.timeZone;
      text_.set(period, g_.contentWidth(), false, false, true, 8);
      pageHeader_.push_back(text_.keep());
    }
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    show(cr_, pageHeader_[0], kMargin, kMargin);
    show(cr_, pageHeader_[1], kMargin, kMargin + 16);
    show(cr_, pageHeader_[2], kMargin, kMargin + 17);
    cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, kMargin, kMargin + kHeaderHeight - 8);
    cairo_line_to(cr_, g_.width - kMargin, kMargin + kHeaderHeight - 8);
    cairo_stroke(cr_);
  }

  void footer(std::size_t number, std::size_t count) {
    cairo_set_source_rgb(cr_, 0.35, 0.35, 0.35);
    const double y = g_.height - kMargin - 10;
    text_.set(
        text(doc_.locale, "word.generated") + " " + formatDateTime(doc_.locale, doc_.generatedAt),
        g_.contentWidth() / 2, false, false, false, 7);
    text_.draw(cr_, kMargin, y);
    text_.set(format(doc_.locale, "word.page", {std::to_string(number), std::to_string(count)}),
              g_.contentWidth() / 2, false, false, true, 7);
    text_.draw(cr_, kMargin + g_.contentWidth() / 2, y);
  }

  double headerRow(const Table& t, std::size_t index, double y) {
    const auto& widths = planner_.widths(index);
    const auto& hidden = planner_.hidden(index);
    const double h = planner_.headerHeight(index);
    cairo_set_source_rgb(cr_, 0.87, 0.89, 0.93);
    cairo_rectangle(cr_, kMargin, y, g_.contentWidth(), h);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    auto& layouts = headerLayouts_[index];
    if (layouts.empty()) {
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        text_.set(t.columns[c].header, std::max(1.0, widths[c] - 2 * kCellPadX), true, true,
                  rightAligned(t.columns[c].type));
        layouts.push_back(text_.keep());
      }
    }
    double x = kMargin;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (hidden[c]) continue;
      show(cr_, layouts[c], x + kCellPadX, y + kCellPadY);
      x += widths[c];
    }
    return y + h;
  }

  double table(const TableSlice& s, double y) {
    const Table& t = doc_.tables[s.table];
    const auto& widths = planner_.widths(s.table);
    const auto& hidden = planner_.hidden(s.table);
    if (s.withTitle) {
      cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
      text_.set(t.title, g_.contentWidth(), true, false, false, 9);
      text_.draw(cr_, kMargin, y + 3);
      y += kTitleHeight;
      if (const auto line = planner_.constantsLine(s.table); !line.empty()) {
        text_.set(line, g_.contentWidth());
        text_.draw(cr_, kMargin, y - 4);
        y += kLineHeight + 2;
      }
    }
    y = headerRow(t, s.table, y);
    if (t.rows.empty()) {
      text_.set(text(doc_.locale, "word.no-rows"), g_.contentWidth());
      text_.draw(cr_, kMargin + kCellPadX, y + kCellPadY);
      return y + kLineHeight + 2 * kCellPadY + kGap;
    }
    for (std::size_t r = s.firstRow; r < s.endRow; ++r) {
      const double h = planner_.rowHeight(s.table, r);
      if ((r - s.firstRow) % 2 == 1) {
        cairo_set_source_rgb(cr_, 0.96, 0.96, 0.96);
        cairo_rectangle(cr_, kMargin, y, g_.contentWidth(), h);
        cairo_fill(cr_);
      }
      cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
      double x = kMargin;
      // Grouped columns: printed where the value changes (and atop a page),
      // as long as every grouped column before them repeats too.
      bool repeats = r > s.firstRow;
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        if (hidden[c]) continue;
        const Column& col = t.columns[c];
        repeats = repeats && col.group && t.rows[r][c] == t.rows[r - 1][c];
        const std::string cell =
            repeats ? std::string() : cellText(doc_.locale, t.rows[r][c], col.type);
        if (cell.empty()) {
          // nothing to draw
        } else if (col.wrap) {
          text_.set(cell, widths[c] - 2 * kCellPadX, false, true, rightAligned(col.type));
          text_.draw(cr_, x + kCellPadX, y + kCellPadY);
        } else {
          cells_.add(cell, x + kCellPadX, y + kCellPadY, widths[c] - 2 * kCellPadX,
                     rightAligned(col.type));
        }
        x += widths[c];
      }
      y += h;
    }
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    cells_.flush();
    return y + kGap;
  }

  double chart(const Chart& ch, double top, double x, double width) {
    const double left = x + 50;
    const double right = x + width - 10;
    const double plotTop = top + 22;
    const double plotBottom = top + kChartHeight - 70;
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    text_.set(ch.title, width, true, false, false, 9);
    text_.draw(cr_, x, top);
    double max = ch.percent ? 100 : 0;
    for (const auto& s : ch.series) {
      for (const double v : s.values) max = std::max(max, v);
    }
    // Counts and pages are labelled as whole numbers: no step below one.
    const double step = ch.percent ? niceStep(max) : std::max(1.0, niceStep(max));
    const double top_value = std::max(step, std::ceil(max / step) * step);
    axis(left, right, plotTop, plotBottom, step, top_value, ch.percent);
    bars(ch, left, right, plotTop, plotBottom, top_value);
    legend(ch, left, top);
    return top + kChartHeight + kGap;
  }

  void axis(double left, double right, double plotTop, double plotBottom, double step,
            double topValue, bool percent) {
    cairo_set_line_width(cr_, 0.4);
    for (double v = 0; v <= topValue + step / 2; v += step) {
      const double y = plotBottom - (plotBottom - plotTop) * v / topValue;
      cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
      cairo_move_to(cr_, left, y);
      cairo_line_to(cr_, right, y);
      cairo_stroke(cr_);
      cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
      const std::string label =
          percent ? formatPercent(doc_.locale, v) : formatInteger(doc_.locale, std::llround(v));
      text_.set(label, 46, false, false, true, 6);
      text_.draw(cr_, left - 50, y - 4);
    }
  }

  void bars(const Chart& ch, double left, double right, double plotTop, double plotBottom,
            double topValue) {
    const std::size_t n = ch.categories.size();
    if (n == 0 || ch.series.empty()) return;
    const double slot = (right - left) / static_cast<double>(n);
    const double barWidth = slot * 0.8 / static_cast<double>(ch.series.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t s = 0; s < ch.series.size(); ++s) {
        const double v = i < ch.series[s].values.size() ? ch.series[s].values[i] : 0;
        const double h = (plotBottom - plotTop) * v / topValue;
        const auto& color = kPalette[s % 5];
        cairo_set_source_rgb(cr_, color[0], color[1], color[2]);
        cairo_rectangle(
            cr_,
            left + slot * static_cast<double>(i) + slot * 0.1 + barWidth * static_cast<double>(s),
            plotBottom - h, barWidth, h);
        cairo_fill(cr_);
      }
      label(ch.categories[i], left + slot * (static_cast<double>(i) + 0.5), plotBottom + 4, slot);
    }
  }

  void label(const std::string& s, double x, double y, double slot) {
    cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
    text_.set(s, 62, false, false, false, 6);
    if (slot >= 60) {
      text_.set(s, slot - 4, false, false, false, 6);
      cairo_move_to(cr_, x - text_.width() / 2, y);
      text_.draw(cr_, x - text_.width() / 2, y);
      return;
    }
    cairo_save(cr_);
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, -M_PI / 4);
    text_.draw(cr_, -text_.width(), -4);
    cairo_restore(cr_);
  }

  void legend(const Chart& ch, double left, double top) {
    if (ch.series.size() < 2) return;
    double x = left + 200;
    for (std::size_t s = 0; s < ch.series.size(); ++s) {
      const auto& color = kPalette[s % 5];
      cairo_set_source_rgb(cr_, color[0], color[1], color[2]);
      cairo_rectangle(cr_, x, top + 3, 8, 8);
      cairo_fill(cr_);
      cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
      text_.set(ch.series[s].name, 120, false, false, false, 7);
      text_.draw(cr_, x + 11, top + 2);
      x += 16 + text_.width();
    }
  }

  const ReportDocument& doc_;
  const Geometry& g_;
  cairo_t* cr_;
  Text& text_;
  CellText cells_;
  Planner& planner_;
  std::vector<std::shared_ptr<PangoLayout>> pageHeader_;
  std::map<std::size_t, std::vector<std::shared_ptr<PangoLayout>>> headerLayouts_;
};

}  // namespace

std::string renderPdf(const ReportDocument& doc) {
  std::size_t widest = 0;
  for (const auto& t : doc.tables) widest = std::max(widest, t.columns.size());
  const bool landscape = widest > 7;
  const Geometry g{landscape ? kA4Long : kA4Short, landscape ? kA4Short : kA4Long};
  std::string out;
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(
      cairo_pdf_surface_create_for_stream(appendBytes, &out, g.width, g.height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError("PDF: cannot create the document");
  }
  const std::string title = doc.title;
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR,
                                 doc.organisation.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "OpenMPS");
  std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
  Text text(cr.get());
  Planner planner(doc, g, text);
  const auto pages = planner.plan();
  Painter painter(doc, g, cr.get(), text, planner);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    painter.page(pages[i], i + 1, pages.size());
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError(std::string("PDF: ") +
                      cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return out;
}

}  // namespace openmps::server::reports
