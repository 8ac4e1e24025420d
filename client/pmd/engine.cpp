#include "client/pmd/engine.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <unordered_map>

#include "client/pmd/printer_mib.hpp"
#include "shared/model/reading_json.hpp"
#include "shared/util/args.hpp"
#include "shared/util/text.hpp"

namespace openmps::client::pmd {

using openmps::pmd::Aggregate;
using openmps::pmd::CheckAction;
using openmps::pmd::Condition;
using openmps::pmd::Definition;
using openmps::pmd::Rule;
using openmps::pmd::Source;
using openmps::pmd::SourceKind;
using openmps::pmd::SupplyTable;
using openmps::snmp::ValueType;

// ---------------------------------------------------------------- Snapshot

void Snapshot::add(const VarBind& varbind) {
  if (varbind.value.isException()) {
    return;
  }
  values_[varbind.oid] = varbind.value;
}

void Snapshot::add(const std::vector<VarBind>& varbinds) {
  for (const auto& vb : varbinds) {
    add(vb);
  }
}

const Value* Snapshot::find(const Oid& oid) const {
  auto it = values_.find(oid);
  return it == values_.end() ? nullptr : &it->second;
}

std::vector<std::pair<Oid, const Value*>> Snapshot::subtree(const Oid& root) const {
  std::vector<std::pair<Oid, const Value*>> out;
  for (auto it = values_.upper_bound(root); it != values_.end() && root.isPrefixOf(it->first);
       ++it) {
    out.emplace_back(it->first.suffixAfter(root), &it->second);
  }
  return out;
}

bool indexEndsWith(const Oid& index, const Oid& ending) {
  const auto& arcs = index.arcs();
  const auto& tail = ending.arcs();
  return tail.size() <= arcs.size() &&
         std::equal(tail.begin(), tail.end(),
                    arcs.end() - static_cast<std::ptrdiff_t>(tail.size()));
}

std::optional<Oid> keyRowOf(const Oid& index, std::uint32_t length) {
  if (length == 0) return index;
  if (length > index.size()) return std::nullopt;
  const auto& arcs = index.arcs();
  return Oid(std::vector<std::uint32_t>(arcs.begin(), arcs.begin() + length));
}

bool Snapshot::hasAnyUnder(const Oid& root) const {
  auto it = values_.lower_bound(root);
  return it != values_.end() && root.isPrefixOf(it->first);
}

namespace {

const Oid& sysDescrOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.1.0");
  return kOid;
}
const Oid& sysObjectIdOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.2.0");
  return kOid;
}
const Oid& sysContactOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.4.0");
  return kOid;
}
const Oid& sysNameOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.5.0");
  return kOid;
}
const Oid& sysLocationOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.1.6.0");
  return kOid;
}
const Oid& printerMibOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.43");
  return kOid;
}
const Oid& hrPrinterTableOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.25.3.5");
  return kOid;
}
const Oid& hrDeviceTypeOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.25.3.2.1.2");
  return kOid;
}
const Oid& hrDevicePrinterOid() {
  static const Oid kOid = Oid::of("1.3.6.1.2.1.25.3.1.5");
  return kOid;
}

constexpr int kLowPercent = 10;

bool showsPrinterMibs(const Snapshot& snapshot) {
  if (snapshot.hasAnyUnder(printerMibOid()) || snapshot.hasAnyUnder(hrPrinterTableOid())) {
    return true;
  }
  const auto rows = snapshot.subtree(hrDeviceTypeOid());
  return std::any_of(rows.begin(), rows.end(), [](const auto& row) {
    return row.second->type == ValueType::kOid && row.second->oid == hrDevicePrinterOid();
  });
}

// ------------------------------------------------------------- Fetch plans

struct Collector {
  std::set<Oid> gets;
  std::set<Oid> walks;

  void condition(const Condition& c) { gets.insert(c.oid); }
  void source(const Source& s) {
    if (s.kind == SourceKind::kOid) {
      gets.insert(s.oid);
    } else if (s.kind == SourceKind::kWalk) {
      walks.insert(s.oid);
      if (!s.keyColumn.empty()) {
        walks.insert(s.keyColumn);
      }
    }
    for (const auto& op : s.operands) {
      source(op);
    }
    for (const auto& c : s.when) {
      condition(c);
    }
  }
  void rules(const std::map<std::string, Rule>& rules) {
    for (const auto& [name, rule] : rules) {
      for (const auto& candidate : rule.candidates) {
        source(candidate);
      }
    }
  }
  void definition(const Definition& def) {
    rules(def.identity);
    rules(def.counters);
    rules(def.status);
    rules(def.capabilities);
    for (const auto& check : def.checks) {
      source(check.reference);
    }
    // Only the columns the engine reads: a whole entry (prtInputEntry has
    // two dozen columns) would cost the agent and the wire far more.
    for (const auto& table : def.supplies) {
      columns(table.entry, table.columns);
      if (table.join) {
        columns(table.join->entry, table.join->columns);
        if (table.join->keyColumn != 0) {
          walks.insert(table.join->entry.child(table.join->keyColumn));
        }
      }
    }
    for (const auto& table : def.alerts) {
      columns(table.entry, table.columns);
    }
    if (def.colorants) {
      walks.insert(def.colorants->entry.child(def.colorants->valueColumn));
    }
  }
  void columns(const Oid& entry, const std::map<std::string, std::uint32_t>& byName) {
    if (byName.empty()) {
      walks.insert(entry);
    }
    for (const auto& [name, arc] : byName) {
      walks.insert(entry.child(arc));
    }
  }

  FetchPlan plan(const Snapshot* alreadyRead) const {
    // Column by column: the device reader walks them all in one request
    // chain, so a column costs a varbind per row, not a round trip.
    FetchPlan out;
    for (const auto& walk : walks) {
      const bool covered = std::any_of(out.walks.begin(), out.walks.end(),
                                       [&](const Oid& w) { return w.isPrefixOf(walk); });
      if (!covered) {
        out.walks.push_back(walk);  // sets iterate in OID order: parents come first
      }
    }
    for (const auto& get : gets) {
      const bool covered = std::any_of(out.walks.begin(), out.walks.end(),
                                       [&](const Oid& w) { return w.isPrefixOf(get); });
      if (!covered && (alreadyRead == nullptr || alreadyRead->find(get) == nullptr)) {
        out.gets.push_back(get);
      }
    }
    return out;
  }
};

// ------------------------------------------------------------- Values

// One value as the engine sees it: raw bytes (for bit strings and MACs),
// trimmed text, and a number where the value is one.
struct Datum {
  std::string raw;
  std::string text;
  std::optional<std::int64_t> number;
};

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && (std::isspace(static_cast<unsigned char>(text[begin])) != 0)) {
    ++begin;
  }
  while (end > begin &&
         (std::isspace(static_cast<unsigned char>(text[end - 1])) != 0 || text[end - 1] == '\0')) {
    --end;
  }
  return std::string(text.substr(begin, end - begin));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Device text is untrusted: keep printable ASCII and UTF-8, drop controls.
// Every text the engine takes from a device passes here: valid UTF-8 (as
// snmp::Value::asText makes it), no control characters, trimmed, bounded.
std::string cleanText(std::string_view raw) {
  const std::string text = util::toValidUtf8(raw);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out.push_back(c);
    } else if (c == '\t' || c == '\n' || c == '\r') {
      out.push_back(' ');
    }
  }
  out = trim(out);
  util::truncateUtf8(out, model::kMaxTextLength);
  return out;
}

bool isDecimal(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// " from 1.3.6..." for the notes: which OID gave a refused value.
std::string from(const Source& s) {
  if (s.kind == SourceKind::kOid) return " from " + s.oid.toString();
  if (s.kind == SourceKind::kWalk) return " from the column " + s.oid.toString();
  return {};
}

std::optional<std::int64_t> numberFromText(const std::string& text) {
  if (text.empty() || text.size() > 19) {
    return std::nullopt;
  }
  return util::parseInt(text);
}

std::optional<Datum> datumOf(const Value* value) {
  if (value == nullptr || value->isException()) {
    return std::nullopt;
  }
  Datum out;
  switch (value->type) {
    case ValueType::kOctetString:
    case ValueType::kOpaque:
      out.raw = value->bytes;
      out.text = cleanText(value->bytes);
      out.number = numberFromText(out.text);
      break;
    case ValueType::kIpAddress:
    case ValueType::kOid:
      out.raw = value->bytes;
      out.text = value->asText().value_or("");
      break;
    default:
      out.number = value->asInteger();
      out.text = value->asText().value_or("");  // exact, also beyond 2^63-1
      break;
  }
  return out;
}

std::string hexOf(std::string_view bytes, std::string_view separator) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    const auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[b >> 4U]);
    out.push_back(kDigits[b & 0xfU]);
  }
  return out;
}

// Compiling a pattern costs far more than matching it, and the same few
// hundred patterns (from the definitions, never from a device) are matched
// for every device read: each is compiled once. The cap only guards against
// a process that loads ever new definitions.
std::shared_ptr<const std::regex> compiledPattern(const std::string& pattern) {
  constexpr std::size_t kMaxCached = 4096;
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const std::regex>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(pattern); it != cache.end()) {
    return it->second;
  }
  auto re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::icase);
  if (cache.size() >= kMaxCached) {
    cache.clear();
  }
  cache.emplace(pattern, re);
  return re;
}

bool regexSearch(const std::string& text, const std::string& pattern, std::smatch* match) {
  const auto re = compiledPattern(pattern);
  if (match != nullptr) {
    return std::regex_search(text, *match, *re);
  }
  return std::regex_search(text, *re);
}

class Evaluator {
 public:
  Evaluator(const Definition& def, const Snapshot& snapshot, const EvaluateContext& context,
            model::Reading& reading)
      : def_(def), snapshot_(snapshot), context_(context), reading_(reading) {}

  bool holds(const Condition& c) const {
    const auto datum = datumOf(snapshot_.find(c.oid));
    bool ok = datum.has_value();
    if (ok && !c.in.empty()) {
      ok = std::find(c.in.begin(), c.in.end(), datum->text) != c.in.end();
    }
    if (ok && !c.matches.empty()) {
      ok = regexSearch(datum->text, c.matches, nullptr);
    }
    return c.negate ? !ok : ok;
  }

  std::optional<Datum> source(const Source& s) {
    for (const auto& c : s.when) {
      if (!holds(c)) {
        return std::nullopt;
      }
    }
    std::optional<Datum> out;
    switch (s.kind) {
      case SourceKind::kOid: out = datumOf(snapshot_.find(s.oid)); break;
      case SourceKind::kWalk: out = walk(s); break;
      case SourceKind::kCounter:
        if (auto value = counter(s.counter)) {
          out = Datum{{}, std::to_string(*value), *value};
        }
        break;
      case SourceKind::kSum:
      case SourceKind::kDifference: out = arithmetic(s); break;
      case SourceKind::kConstant:
        out = Datum{s.constant, s.constant, numberFromText(s.constant)};
        break;
      case SourceKind::kSystem: out = Datum{context_.ip, context_.ip, std::nullopt}; break;
    }
    if (!out) {
      return out;
    }
    return modify(s, std::move(*out));
  }

  std::optional<std::string> text(const Rule* rule) {
    if (rule == nullptr) {
      return std::nullopt;
    }
    for (const auto& candidate : rule->candidates) {
      if (auto datum = source(candidate); datum && !datum->text.empty()) {
        return datum->text;
      }
    }
    return std::nullopt;
  }

  std::optional<Datum> first(const Rule* rule) {
    if (rule == nullptr) {
      return std::nullopt;
    }
    for (const auto& candidate : rule->candidates) {
      if (auto datum = source(candidate);
          datum && (!datum->text.empty() || !datum->raw.empty() || datum->number)) {
        return datum;
      }
    }
    return std::nullopt;
  }

  std::optional<std::int64_t> counter(const std::string& name) {
    if (auto it = counters_.find(name); it != counters_.end()) {
      return it->second;
    }
    std::optional<std::int64_t> value;
    auto rule = def_.counters.find(name);
    if (rule != def_.counters.end()) {
      for (const auto& candidate : rule->second.candidates) {
        auto datum = source(candidate);
        if (!datum) {
          continue;
        }
        // Too large for any integer type (a Counter64 above 2^63-1, 20
        // digits of text): refused with its exact value, never clamped.
        const bool tooLarge = !datum->number && isDecimal(datum->text);
        if (tooLarge ||
            (datum->number && (*datum->number < 0 || *datum->number > model::kMaxCounterValue))) {
          note("counter " + name + ": " +
               (tooLarge ? datum->text : std::to_string(*datum->number)) + from(candidate) +
               " is not a plausible page count; tried the next source");
          continue;
        }
        if (!datum->number) {
          continue;
        }
        value = *datum->number;
        break;
      }
    }
    if (value) {
      value = check(name, *value);
    }
    counters_[name] = value;
    return value;
  }

  void note(std::string text) {
    if (reading_.notes.size() < model::kMaxListItems) {
      reading_.notes.push_back(std::move(text));
    }
  }

 private:
  std::optional<std::int64_t> check(const std::string& name, std::int64_t value) {
    for (const auto& c : def_.checks) {
      if (c.counter != name) {
        continue;
      }
      const auto reference = source(c.reference);
      if (!reference || !reference->number || *reference->number <= 0) {
        continue;
      }
      const double ref = static_cast<double>(*reference->number);
      const double deviation = std::abs(static_cast<double>(value) - ref) * 100.0 / ref;
      if (deviation <= c.maxDeviationPercent) {
        continue;
      }
      const std::string what = "counter " + name + " " + std::to_string(value) +
                               " differs from the reference " + std::to_string(*reference->number) +
                               " by " + std::to_string(static_cast<int>(deviation)) + " %";
      switch (c.action) {
        case CheckAction::kNote: note(what); break;
        case CheckAction::kDrop: note(what + "; left out"); return std::nullopt;
        case CheckAction::kUseReference:
          note(what + "; the reference is used");
          return *reference->number;
      }
    }
    return value;
  }

  std::optional<Datum> walk(const Source& s) {
    const auto rows = snapshot_.subtree(s.oid);
    if (rows.empty()) {
      return std::nullopt;
    }
    std::optional<Oid> index;
    if (!s.index.empty()) {
      index = Oid::parse(s.index);
    }
    const auto ends = s.indexEnds.empty() ? std::nullopt : Oid::parse(s.indexEnds);
    std::vector<Datum> picked;
    for (const auto& [suffix, value] : rows) {
      if (index && suffix != *index) {
        continue;
      }
      if (ends && !indexEndsWith(suffix, *ends)) {
        continue;
      }
      if (!s.keyColumn.empty()) {
        const auto keyRow = keyRowOf(suffix, s.keyIndexLength);
        if (!keyRow) {
          continue;
        }
        const auto key = datumOf(snapshot_.find(s.keyColumn.concat(*keyRow)));
        if (!key) {
          continue;
        }
        if (!s.key.empty() && key->text != s.key) {
          continue;
        }
        if (!s.keyPattern.empty() && !regexSearch(key->text, s.keyPattern, nullptr)) {
          continue;
        }
      }
      if (auto datum = datumOf(value)) {
        // Each row goes through format, regex and map first: the first row
        // that is a MAC (or matches), not the first row, is the one wanted.
        auto shaped = shapeText(s, std::move(*datum));
        if (!shaped) {
          continue;
        }
        picked.push_back(std::move(*shaped));
      }
    }
    switch (s.aggregate) {
      case Aggregate::kFirst:
        for (auto& d : picked) {
          if (!d.text.empty() || !d.raw.empty()) {
            return d;
          }
        }
        return std::nullopt;
      case Aggregate::kCount: {
        const auto n = static_cast<std::int64_t>(picked.size());
        return Datum{{}, std::to_string(n), n};
      }
      case Aggregate::kSum:
      case Aggregate::kMax: {
        std::optional<std::int64_t> total;
        for (const auto& d : picked) {
          if (d.number && *d.number >= 0) {
            total = s.aggregate == Aggregate::kSum ? total.value_or(0) + *d.number
                                                   : std::max(total.value_or(0), *d.number);
          }
        }
        if (!total) {
          return std::nullopt;
        }
        return Datum{{}, std::to_string(*total), *total};
      }
      case Aggregate::kAll: {
        std::string joined;
        for (const auto& d : picked) {
          if (!d.text.empty()) {
            joined += (joined.empty() ? "" : ",") + d.text;
          }
        }
        if (joined.empty()) {
          return std::nullopt;
        }
        return Datum{joined, joined, std::nullopt};
      }
    }
    return std::nullopt;
  }

  std::optional<Datum> arithmetic(const Source& s) {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < s.operands.size(); ++i) {
      const auto operand = source(s.operands[i]);
      if (!operand || !operand->number) {
        return std::nullopt;  // a sum of what is there would be a wrong count
      }
      if (s.kind == SourceKind::kDifference && i > 0) {
        total -= *operand->number;
      } else {
        total += *operand->number;
      }
    }
    if (total < 0) {
      note("a difference came out negative (" + std::to_string(total) + "); left out");
      return std::nullopt;
    }
    return Datum{{}, std::to_string(total), total};
  }

  static void applyMap(const Source& s, Datum& d) {
    if (s.map.empty()) {
      return;
    }
    if (auto it = s.map.find(d.text); it != s.map.end()) {
      d.text = it->second;
      d.number = numberFromText(d.text);
    }
  }

  static std::optional<Datum> modify(const Source& s, Datum d) {
    if (s.kind != SourceKind::kWalk) {
      auto shaped = shapeText(s, std::move(d));
      if (!shaped) {
        return std::nullopt;
      }
      d = std::move(*shaped);
    }
    return applyNumeric(s, std::move(d));
  }

  // format, then regex, then map: the text side of the modifiers.
  static std::optional<Datum> shapeText(const Source& s, Datum d) {
    auto formatted = applyFormat(s, std::move(d));
    if (!formatted) {
      return std::nullopt;
    }
    if (!s.regex.empty()) {
      std::smatch match;
      const std::string text = formatted->text;
      if (!regexSearch(text, s.regex, &match)) {
        return std::nullopt;
      }
      formatted->text =
          trim(match.size() > 1 && match[1].matched ? match[1].str() : match[0].str());
      formatted->number = numberFromText(formatted->text);
    }
    applyMap(s, *formatted);
    return formatted;
  }

  static std::optional<Datum> applyFormat(const Source& s, Datum d) {
    if (s.format == "mac") {
      if (d.raw.size() != 6 || d.raw == std::string(6, '\0')) {
        return std::nullopt;
      }
      d.text = hexOf(d.raw, ":");
      d.number.reset();
    } else if (s.format == "hex") {
      d.text = hexOf(d.raw, "");
      d.number.reset();
    } else if (s.format == "hexText") {
      // Text sent as hex digits ("48 50" or "4850"): decode it.
      std::string digits;
      for (char c : d.text) {
        if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
          digits.push_back(c);
        }
      }
      std::string decoded;
      for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
        decoded.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
      }
      d.raw = decoded;
      d.text = cleanText(decoded);
      d.number = numberFromText(d.text);
    }
    return d;
  }

  static std::optional<Datum> applyNumeric(const Source& s, Datum d) {
    if (d.number && (s.multiply != 1 || s.divide != 1)) {
      d.number = *d.number * s.multiply / s.divide;
      d.text = std::to_string(*d.number);
    }
    if (s.skipZero && d.number && *d.number == 0) {
      return std::nullopt;
    }
    return d;
  }

  const Definition& def_;
  const Snapshot& snapshot_;
  const EvaluateContext& context_;
  model::Reading& reading_;
  std::map<std::string, std::optional<std::int64_t>> counters_;
};

const Rule* ruleOf(const std::map<std::string, Rule>& rules, const std::string& name) {
  auto it = rules.find(name);
  return it == rules.end() ? nullptr : &it->second;
}

// ------------------------------------------------------------- Supplies

std::string colorFromText(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kWords = {
      {"light cyan", "lightCyan"},
      {"light magenta", "lightMagenta"},
      {"photo black", "photoBlack"},
      {"matte black", "matteBlack"},
      {"black", "black"},
      {"cyan", "cyan"},
      {"magenta", "magenta"},
      {"yellow", "yellow"},
      {"gray", "gray"},
      {"grey", "gray"},
      {"red", "red"},
      {"blue", "blue"},
      {"green", "green"}};
  const std::string l = lower(text);
  for (const auto& [word, color] : kWords) {
    if (l.find(word) != std::string::npos) {
      return color;
    }
  }
  return {};
}

// Row index of the colorant table a supply's colorant refers to: the
// supply's own first arc (hrDeviceIndex) and the colorant index.
std::string colorantOf(const Definition& def, const Snapshot& snapshot, const Oid& rowIndex,
                       std::int64_t colorantIndex) {
  if (!def.colorants || colorantIndex <= 0 || rowIndex.empty()) {
    return {};
  }
  const Oid column = def.colorants->entry.child(def.colorants->valueColumn);
  const Oid key =
      column.child(rowIndex.arcs().front()).child(static_cast<std::uint32_t>(colorantIndex));
  const auto datum = datumOf(snapshot.find(key));
  if (!datum || datum->text.empty()) {
    return {};
  }
  const std::string named = colorFromText(datum->text);
  return named.empty() ? lower(datum->text) : named;
}

void levelAndState(model::Supply& s, bool levelIsPercent) {
  const std::int64_t level = s.level;
  const std::int64_t max = s.max;
  s.levelPercent.reset();
  if (level == -1) {
    s.state = model::SupplyState::kOther;
    return;
  }
  if (level == -2) {
    s.state = model::SupplyState::kUnknown;
    return;
  }
  if (level == -3) {
    s.state = model::SupplyState::kSomeRemaining;
    return;
  }
  if (level < 0) {
    s.state = model::SupplyState::kUnknown;
    return;
  }
  if (levelIsPercent || s.unit == "percent") {
    s.levelPercent = static_cast<int>(std::min<std::int64_t>(level, 100));
  } else if (max > 0) {
    const double percent = static_cast<double>(level) * 100.0 / static_cast<double>(max);
    s.levelPercent = static_cast<int>(std::lround(std::min(percent, 100.0)));
  }
  const bool receptacle = s.supplyClass == "receptacle";
  if (!s.levelPercent) {
    // A level without a capacity: only "empty" or "some left" is honest.
    s.state = level == 0 ? (receptacle ? model::SupplyState::kFull : model::SupplyState::kEmpty)
                         : model::SupplyState::kSomeRemaining;
    return;
  }
  if (*s.levelPercent == 0) {
    s.state = receptacle ? model::SupplyState::kFull : model::SupplyState::kEmpty;
  } else if (*s.levelPercent <= kLowPercent) {
    s.state = model::SupplyState::kLow;
  } else {
    s.state = model::SupplyState::kOk;
  }
}

// Devices fill a part or serial number they do not know with a word.
std::string knownOrEmpty(const std::string& value) {
  static const std::set<std::string> kPlaceholders = {"unknown", "none", "n/a", "na",
                                                      "-",       "--",   "?"};
  return kPlaceholders.contains(lower(value)) ? std::string{} : value;
}

// The vendor row of a supply: the same row index, or the row whose key
// column reads the supply's description (as the device wrote it).
void joinVendorRow(const openmps::pmd::SupplyJoin& join, const Snapshot& snapshot, const Oid& row,
                   model::Supply& s) {
  std::optional<Oid> vendorRow;
  if (join.keyColumn == 0) {
    vendorRow = row;
  } else if (!s.description.empty()) {
    const std::string wanted = lower(s.description);
    for (const auto& [suffix, value] : snapshot.subtree(join.entry.child(join.keyColumn))) {
      if (auto key = datumOf(value); key && lower(key->text) == wanted) {
        vendorRow = suffix;
        break;
      }
    }
  }
  if (!vendorRow) {
    return;
  }
  auto take = [&](const char* name, std::string& field) {
    const auto it = join.columns.find(name);
    if (it == join.columns.end() || !field.empty()) {
      return;
    }
    if (auto d = datumOf(snapshot.find(join.entry.child(it->second).concat(*vendorRow)))) {
      field = knownOrEmpty(d->text);
    }
  };
  take("partNumber", s.partNumber);
  take("serial", s.serial);
}

// The first pattern that matches splits the description into the name and
// the numbers a vendor appends; numbers already read from a column stay.
void splitDescription(const std::vector<openmps::pmd::SupplyPattern>& patterns, model::Supply& s) {
  for (const auto& pattern : patterns) {
    std::smatch match;
    const std::string description = s.description;
    if (!regexSearch(description, pattern.regex, &match)) {
      continue;
    }
    auto group = [&](std::uint32_t n) {
      return n == 0 || !match[n].matched ? std::string{} : knownOrEmpty(trim(match[n].str()));
    };
    if (s.partNumber.empty()) {
      s.partNumber = group(pattern.partNumber);
    }
    if (s.serial.empty()) {
      s.serial = group(pattern.serial);
    }
    if (const std::string name = group(pattern.name); !name.empty()) {
      s.description = name;
    }
    return;
  }
}

void readSupplyTable(const Definition& def, const SupplyTable& table, const Snapshot& snapshot,
                     std::vector<model::Supply>& out) {
  auto column = [&](const std::string& name) -> std::optional<Oid> {
    auto it = table.columns.find(name);
    if (it == table.columns.end()) {
      return std::nullopt;
    }
    return table.entry.child(it->second);
  };
  auto cell = [&](const std::string& name, const Oid& row) -> std::optional<Datum> {
    const auto col = column(name);
    return col ? datumOf(snapshot.find(col->concat(row))) : std::nullopt;
  };
  const auto levelColumn = column("level");
  if (!levelColumn) {
    return;
  }
  for (const auto& [row, value] : snapshot.subtree(*levelColumn)) {
    if (out.size() >= model::kMaxSupplies) {
      return;
    }
    const auto level = datumOf(value);
    if (!level || !level->number) {
      continue;
    }
    model::Supply s;
    s.index = static_cast<int>(row.arcs().back());
    s.level = *level->number;
    if (auto d = cell("max", row); d && d->number) {
      s.max = *d->number;
    }
    if (auto d = cell("description", row)) {
      s.description = d->text;
    }
    s.type = table.type;
    if (auto d = cell("type", row)) {
      s.type = table.typeEnum == "printerMib" && d->number ? supplyTypeName(*d->number) : d->text;
    }
    if (auto it = table.typeMap.find(s.type); it != table.typeMap.end()) {
      s.type = it->second;
    }
    if (std::find(table.skipTypes.begin(), table.skipTypes.end(), s.type) !=
        table.skipTypes.end()) {
      continue;
    }
    s.unit = table.unit;
    if (auto d = cell("unit", row)) {
      s.unit = table.unitEnum == "printerMib" && d->number ? supplyUnitName(*d->number) : d->text;
    }
    s.supplyClass = table.supplyClass.empty() ? "consumed" : table.supplyClass;
    if (auto d = cell("class", row); d && d->number) {
      s.supplyClass = supplyClassName(*d->number);
    }
    if (auto d = cell("colorant", row); d && d->number) {
      s.color = colorantOf(def, snapshot, row, *d->number);
    }
    if (s.color.empty() && s.type != "input") {
      s.color = colorFromText(s.description);
    }
    if (auto d = cell("partNumber", row)) {
      s.partNumber = knownOrEmpty(d->text);
    }
    if (auto d = cell("serial", row)) {
      s.serial = knownOrEmpty(d->text);
    }
    if (table.join) {
      joinVendorRow(*table.join, snapshot, row, s);
    }
    splitDescription(def.supplyPatterns, s);
    levelAndState(s, table.levelScale == "percent");
    out.push_back(std::move(s));
  }
}

// ------------------------------------------------------------- Status

void readAlerts(const openmps::pmd::AlertTable& table, const Snapshot& snapshot,
                std::vector<model::AlertEntry>& out) {
  auto column = [&](const std::string& name) -> std::optional<Oid> {
    auto it = table.columns.find(name);
    if (it == table.columns.end()) {
      return std::nullopt;
    }
    return table.entry.child(it->second);
  };
  const auto driver = column("code") ? column("code") : column("description");
  for (const auto& rowAndValue : snapshot.subtree(*driver)) {
    const Oid& row = rowAndValue.first;
    if (out.size() >= model::kMaxAlerts) {
      return;
    }
    model::AlertEntry alert;
    alert.index = static_cast<int>(row.arcs().back());
    auto cell = [&](const std::string& name) -> std::optional<Datum> {
      const auto col = column(name);
      return col ? datumOf(snapshot.find(col->concat(row))) : std::nullopt;
    };
    if (auto d = cell("severity"); d && d->number) {
      alert.severity = alertSeverityName(*d->number);
    } else {
      alert.severity = "warning";
    }
    if (auto d = cell("group"); d && d->number) {
      alert.group = alertGroupName(*d->number);
    }
    if (auto d = cell("code"); d) {
      alert.code = d->number ? static_cast<int>(*d->number) : 0;
      if (auto it = table.codeText.find(d->text); it != table.codeText.end()) {
        alert.text = it->second;
      }
    }
    if (auto d = cell("description"); d && !d->text.empty() && alert.text.empty()) {
      alert.text = d->text;
    }
    if (alert.text.empty() && table.codes == "iana" && alert.code != 0) {
      alert.text = alertCodeName(alert.code);
    }
    out.push_back(std::move(alert));
  }
}

std::optional<bool> truthy(const std::optional<Datum>& d) {
  if (!d) {
    return std::nullopt;
  }
  const std::string t = lower(d->text);
  if (t == "true" || t == "yes" || t == "on") {
    return true;
  }
  if (t == "false" || t == "no" || t == "off") {
    return false;
  }
  if (d->number) {
    return *d->number != 0;
  }
  // Any other text (a model name a pattern picked out) means "present".
  return t.empty() ? std::nullopt : std::optional<bool>(true);
}

}  // namespace

FetchPlan planIdentify(const openmps::pmd::Catalog& catalog) {
  Collector c;
  for (const Oid& oid :
       {sysDescrOid(), sysObjectIdOid(), sysContactOid(), sysNameOid(), sysLocationOid()}) {
    c.gets.insert(oid);
  }
  for (const auto& def : catalog.definitions()) {
    for (const auto& rule : def.match) {
      for (const auto& probe : rule.probes) {
        c.condition(probe);
      }
    }
  }
  Collector generic;
  generic.definition(catalog.generic());
  c.gets.insert(generic.gets.begin(), generic.gets.end());
  FetchPlan out = c.plan(nullptr);
  out.walks.clear();  // phase one is one GET; tables wait for the definition
  return out;
}

FetchPlan planRead(const Definition& def, const Snapshot& alreadyRead) {
  Collector c;
  c.definition(def);
  return c.plan(&alreadyRead);
}

const Definition& selectDefinition(const openmps::pmd::Catalog& catalog, const Snapshot& phaseOne) {
  const auto descr = datumOf(phaseOne.find(sysDescrOid()));
  const Value* objectId = phaseOne.find(sysObjectIdOid());
  const std::optional<Oid> sysObjectId = objectId != nullptr && objectId->type == ValueType::kOid
                                             ? std::optional<Oid>(objectId->oid)
                                             : std::nullopt;
  const Definition* best = &catalog.generic();
  const EvaluateContext noContext;
  model::Reading scratch;
  Evaluator evaluator(catalog.generic(), phaseOne, noContext, scratch);
  for (const auto& def : catalog.definitions()) {
    if (def.id == openmps::pmd::kGenericId) {
      continue;
    }
    bool matched = false;
    for (const auto& rule : def.match) {
      bool ok = true;
      if (!rule.sysObjectIdPrefixes.empty()) {
        ok = sysObjectId &&
             std::any_of(rule.sysObjectIdPrefixes.begin(), rule.sysObjectIdPrefixes.end(),
                         [&](const Oid& p) { return p.isPrefixOf(*sysObjectId); });
      }
      if (ok && !rule.sysDescrPatterns.empty()) {
        ok = descr && std::any_of(rule.sysDescrPatterns.begin(), rule.sysDescrPatterns.end(),
                                  [&](const std::string& p) {
                                    return regexSearch(descr->text, p, nullptr);
                                  });
      }
      if (ok) {
        ok = std::all_of(rule.probes.begin(), rule.probes.end(),
                         [&](const Condition& c) { return evaluator.holds(c); });
      }
      if (ok) {
        matched = true;
        break;
      }
    }
    if (!matched) {
      continue;
    }
    const bool better = best->id == openmps::pmd::kGenericId || def.priority > best->priority ||
                        (def.priority == best->priority &&
                         (def.chain.size() > best->chain.size() ||
                          (def.chain.size() == best->chain.size() && def.id < best->id)));
    if (better) {
      best = &def;
    }
  }
  return *best;
}

const char* toString(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kPrinter: return "printer";
    case DeviceKind::kScanner: return "scanner";
    case DeviceKind::kOther: break;
  }
  return "other";
}

Identification identify(const openmps::pmd::Catalog& catalog, const Snapshot& answers) {
  Identification out;
  out.definition = &selectDefinition(catalog, answers);
  if (out.definition->id != openmps::pmd::kGenericId) {
    out.kind = out.definition->kind == openmps::pmd::DeviceKind::kScanner ? DeviceKind::kScanner
                                                                          : DeviceKind::kPrinter;
  } else if (showsPrinterMibs(answers)) {
    out.kind = DeviceKind::kPrinter;
  }
  return out;
}

model::Reading evaluate(const Definition& def, const Snapshot& snapshot,
                        const EvaluateContext& context) {
  model::Reading reading;
  reading.kind = model::ReadingKind::kMeter;
  reading.origin.address = context.address;
  reading.origin.pmd = def.id;
  Evaluator ev(def, snapshot, context, reading);

  // Identity.
  auto& id = reading.identity;
  auto identity = [&](const std::string& name) {
    return ev.text(ruleOf(def.identity, name)).value_or("");
  };
  id.kind = openmps::pmd::toString(def.kind.value_or(openmps::pmd::DeviceKind::kPrinter));
  id.manufacturer = identity("manufacturer");
  id.model = identity("model");
  id.serial = identity("serial");
  id.firmware = identity("firmware");
  id.mac = identity("mac");
  id.hostName = identity("hostName");
  id.location = identity("location");
  id.contact = identity("contact");
  id.ip = context.ip;
  if (const Value* v = snapshot.find(sysObjectIdOid());
      v != nullptr && v->type == ValueType::kOid) {
    id.sysObjectId = v->oid.toString();
  }
  if (auto d = datumOf(snapshot.find(sysDescrOid()))) {
    id.sysDescr = d->text;
  }

  // Counters (each evaluated once, references resolved on the way).
  for (const auto& [name, rule] : def.counters) {
    (void)rule;
    if (auto value = ev.counter(name)) {
      reading.counters[name] = *value;
    }
  }

  // Supplies.
  for (const auto& table : def.supplies) {
    readSupplyTable(def, table, snapshot, reading.supplies);
  }

  // Status.
  auto& status = reading.status;
  if (auto d = ev.first(ruleOf(def.status, "printerStatus"))) {
    status.printerStatus = d->number ? printerStatusName(*d->number) : d->text;
  }
  if (auto d = ev.first(ruleOf(def.status, "deviceStatus"))) {
    status.deviceStatus = d->number ? deviceStatusName(*d->number) : d->text;
  }
  if (auto d = ev.first(ruleOf(def.status, "errorState"))) {
    status.errors = detectedErrorNames(d->raw);
  }
  if (auto d = ev.text(ruleOf(def.status, "vendorCode"))) {
    status.vendorCode = *d;
  }
  for (const auto& table : def.alerts) {
    readAlerts(table, snapshot, status.alerts);
  }

  // Capabilities: what the definition says, else what the reading shows.
  auto& caps = reading.capabilities;
  caps.color = truthy(ev.first(ruleOf(def.capabilities, "color")));
  if (!caps.color) {
    bool colorSupply = false;
    bool anyMarker = false;
    for (const auto& s : reading.supplies) {
      if (s.type == "input") {
        continue;
      }
      anyMarker = true;
      colorSupply = colorSupply || s.color == "cyan" || s.color == "magenta" || s.color == "yellow";
    }
    auto color = reading.counters.find("color");
    if (colorSupply || (color != reading.counters.end() && color->second > 0)) {
      caps.color = true;
    } else if (anyMarker) {
      caps.color = false;
    }
  }
  caps.duplex = truthy(ev.first(ruleOf(def.capabilities, "duplex")));
  if (!caps.duplex && reading.counters.contains("duplex")) {
    caps.duplex = reading.counters.at("duplex") > 0 ? std::optional<bool>(true) : std::nullopt;
  }
  caps.largeFormat = truthy(ev.first(ruleOf(def.capabilities, "largeFormat")));
  if (auto d = ev.first(ruleOf(def.capabilities, "inputTrays")); d && d->number) {
    caps.inputTrays = static_cast<int>(*d->number);
  }
  if (auto d = ev.first(ruleOf(def.capabilities, "outputTrays")); d && d->number) {
    caps.outputTrays = static_cast<int>(*d->number);
  }
  if (auto d = ev.text(ruleOf(def.capabilities, "finishers"))) {
    std::string item;
    for (char c : *d + ",") {
      if (c == ',') {
        const std::string name = trim(item);
        if (!name.empty() &&
            std::find(caps.finishers.begin(), caps.finishers.end(), name) == caps.finishers.end() &&
            caps.finishers.size() < model::kMaxListItems) {
          caps.finishers.push_back(name);
        }
        item.clear();
      } else {
        item.push_back(c);
      }
    }
  }
  return reading;
}

}  // namespace openmps::client::pmd
