// The YAML side of the PMD format, read with shared/yaml.
#include "shared/pmd/load.hpp"

#include <algorithm>
#include <initializer_list>
#include <regex>
#include <string>
#include <string_view>
#include <utility>

#include "shared/model/counter_names.hpp"
#include "shared/pmd/oid_names.hpp"
#include "shared/util/args.hpp"
#include "shared/util/files.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::pmd {
namespace {

constexpr std::size_t kMaxListItems = 512;
constexpr std::size_t kMaxText = 1024;
constexpr int kMaxDepth = 8;

using yaml::Context;
using yaml::Field;

// One of a fixed set of words, mapped to its enum value; the error lists
// the words in the order given.
template <typename E>
E keyword(const Field& value, std::string_view what,
          std::initializer_list<std::pair<std::string_view, E>> words) {
  const std::string name = value.text();
  std::string known;
  for (const auto& [word, result] : words) {
    if (word == name) return result;
    known += (known.empty() ? "" : ", ") + std::string(word);
  }
  value.fail("unknown " + std::string(what) + " '" + name + "' (known: " + known + ")");
}

[[noreturn]] void throwPmdError(const std::string& source, const yaml::Mark& mark,
                                const std::string& path, const std::string& problem) {
  throw PmdError(SourceLocation{source, mark.line, mark.column, path}, problem);
}

yaml::Options readerOptions() {
  yaml::Options options;
  options.maxListItems = kMaxListItems;
  options.maxMappingKeys = kMaxListItems;
  options.maxText = kMaxText;
  options.onOffBooleans = false;
  options.boundedScalars = true;
  options.anyValueIsListOfOne = true;
  return options;
}

SourceLocation where(const Field& field) {
  const yaml::Mark mark = field.mark();
  return SourceLocation{field.context().sourceName(), mark.line, mark.column, field.path()};
}

snmp::Oid readOid(const Field& field) {
  const std::string value = field.text();
  auto parsed = resolveOidText(value);
  if (!parsed || parsed->empty()) {
    field.fail("'" + value +
               "' is not an OID (digits and dots, or a standard name such as "
               "prtMarkerLifeCount.1.1)");
  }
  return *parsed;
}

std::string readRegex(const Field& field) {
  std::string value = field.text();
  try {
    const std::regex compiled(value, std::regex::ECMAScript | std::regex::icase);
    (void)compiled;
  } catch (const std::regex_error& e) {
    field.fail("not a valid regular expression: " + std::string(e.what()));
  }
  return value;
}

Condition parseCondition(const Field& field, bool negate) {
  Condition out;
  out.negate = negate;
  bool hasOid = false;
  for (const auto& [key, value] : field.entries({"oid", "in", "matches", "exists"})) {
    if (key == "oid") {
      out.oid = readOid(value);
      hasOid = true;
    } else if (key == "in") {
      for (const auto& item : value.list()) {
        out.in.push_back(item.text());
      }
    } else if (key == "matches") {
      out.matches = readRegex(value);
    } else if (key == "exists") {
      out.exists = value.boolean();
    }
  }
  if (!hasOid) {
    field.fail("a condition needs 'oid'");
  }
  if (out.in.empty() && out.matches.empty() && !out.exists) {
    field.fail("a condition needs one of 'in', 'matches' or 'exists: true'");
  }
  return out;
}

const std::vector<std::string>& sourceKeys() {
  static const std::vector<std::string> kSourceKeys = {
      "oid",    "walk",     "counter",        "sum",      "difference", "value",
      "system", "index",    "keyColumn",      "key",      "keyPattern", "aggregate",
      "regex",  "multiply", "divide",         "map",      "format",     "skipZero",
      "when",   "unless",   "keyIndexLength", "indexEnds"};
  return kSourceKeys;
}

Source parseSource(const Field& field, int depth);

std::vector<Source> parseOperands(const Field& field, int depth) {
  std::vector<Source> out;
  for (const auto& item : field.list()) {
    out.push_back(parseSource(item, depth + 1));
  }
  if (out.size() < 2) {
    field.fail("needs at least two operands");
  }
  return out;
}

Source parseSource(const Field& field, int depth) {
  if (depth > kMaxDepth) {
    field.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  Source out;
  out.where = where(field);
  if (field.isScalar()) {
    out.kind = SourceKind::kOid;
    out.oid = readOid(field);
    return out;
  }
  int kinds = 0;
  bool selects = false;
  for (const auto& [key, value] : field.entries(sourceKeys())) {
    if (key == "oid") {
      out.kind = SourceKind::kOid;
      out.oid = readOid(value);
      ++kinds;
    } else if (key == "walk") {
      out.kind = SourceKind::kWalk;
      out.oid = readOid(value);
      ++kinds;
    } else if (key == "counter") {
      out.kind = SourceKind::kCounter;
      out.counter = value.text();
      if (const auto problem = model::counterNameProblem(out.counter); !problem.empty()) {
        value.fail(problem);
      }
      ++kinds;
    } else if (key == "sum") {
      out.kind = SourceKind::kSum;
      out.operands = parseOperands(value, depth);
      ++kinds;
    } else if (key == "difference") {
      out.kind = SourceKind::kDifference;
      out.operands = parseOperands(value, depth);
      ++kinds;
    } else if (key == "value") {
      out.kind = SourceKind::kConstant;
      out.constant = value.text();
      ++kinds;
    } else if (key == "system") {
      out.kind = SourceKind::kSystem;
      out.system = value.text();
      if (out.system != "ip") {
        value.fail("unknown system value '" + out.system + "' (known: ip)");
      }
      ++kinds;
    } else if (key == "index") {
      out.index = value.text();
      if (!snmp::Oid::parse(out.index)) {
        value.fail("a row index is digits and dots, got '" + out.index + "'");
      }
      selects = true;
    } else if (key == "indexEnds") {
      out.indexEnds = value.text();
      if (!snmp::Oid::parse(out.indexEnds)) {
        value.fail("a row index is digits and dots, got '" + out.indexEnds + "'");
      }
      selects = true;
    } else if (key == "keyIndexLength") {
      out.keyIndexLength = static_cast<std::uint32_t>(value.integer(1, 32));
    } else if (key == "keyColumn") {
      out.keyColumn = readOid(value);
      selects = true;
    } else if (key == "key") {
      out.key = value.text();
    } else if (key == "keyPattern") {
      out.keyPattern = readRegex(value);
    } else if (key == "aggregate") {
      out.aggregate = keyword<Aggregate>(value, "aggregate",
                                         {{"first", Aggregate::kFirst},
                                          {"sum", Aggregate::kSum},
                                          {"count", Aggregate::kCount},
                                          {"all", Aggregate::kAll},
                                          {"max", Aggregate::kMax}});
      selects = true;
    } else if (key == "regex") {
      out.regex = readRegex(value);
    } else if (key == "multiply") {
      out.multiply = value.integer(1, 1'000'000);
    } else if (key == "divide") {
      out.divide = value.integer(1, 1'000'000);
    } else if (key == "map") {
      for (const auto& [raw, mapped] : value.entries()) {
        out.map[raw] = mapped.text();
      }
    } else if (key == "format") {
      out.format = value.text();
      if (out.format != "mac" && out.format != "hex" && out.format != "hexText") {
        value.fail("unknown format '" + out.format + "' (known: mac, hex, hexText)");
      }
    } else if (key == "skipZero") {
      out.skipZero = value.boolean();
    } else if (key == "when" || key == "unless") {
      for (const auto& item : value.list()) {
        out.when.push_back(parseCondition(item, key == "unless"));
      }
    }
  }
  if (kinds != 1) {
    field.fail("give exactly one of oid, walk, counter, sum, difference, value, system (got " +
               std::to_string(kinds) + ")");
  }
  if (selects && out.kind != SourceKind::kWalk) {
    field.fail("index, keyColumn and aggregate belong to a 'walk'");
  }
  if ((!out.key.empty() || !out.keyPattern.empty()) && out.keyColumn.empty()) {
    field.fail("'key' and 'keyPattern' need 'keyColumn'");
  }
  if (!out.keyColumn.empty() && out.key.empty() && out.keyPattern.empty()) {
    field.fail("'keyColumn' needs 'key' or 'keyPattern'");
  }
  if (out.keyIndexLength != 0 && out.keyColumn.empty()) {
    field.fail("'keyIndexLength' needs 'keyColumn'");
  }
  if (!out.key.empty() && !out.keyPattern.empty()) {
    field.fail("give 'key' or 'keyPattern', not both");
  }
  return out;
}

Rule parseRule(const Field& field) {
  Rule out;
  out.where = where(field);
  const Field* list = &field;
  std::optional<Field> inner;
  if (field.isMap()) {
    const bool hasMode = field.has("replace") || field.has("before") || field.has("after");
    if (hasMode) {
      const auto entries = field.entries({"replace", "before", "after"});
      if (entries.size() != 1) {
        field.fail("give one of replace, before, after");
      }
      const auto& [key, value] = entries.front();
      out.mode = key == "replace" ? MergeMode::kReplace
                 : key == "after" ? MergeMode::kAppend
                                  : MergeMode::kPrepend;
      inner.emplace(value);
      list = &*inner;
      if (out.mode == MergeMode::kReplace && value.isList() && value.size() == 0) {
        return out;  // "replace: []" removes an inherited rule
      }
    }
  }
  for (const auto& item : list->list()) {
    out.candidates.push_back(parseSource(item, 0));
  }
  return out;
}

std::map<std::string, Rule> parseRules(const Field& field, const std::vector<std::string>& allowed,
                                       bool counterNames) {
  std::map<std::string, Rule> out;
  for (const auto& [key, value] : field.entries(allowed)) {
    if (counterNames) {
      if (const auto problem = model::counterNameProblem(key); !problem.empty()) {
        value.fail(problem);
      }
    }
    out[key] = parseRule(value);
  }
  return out;
}

MatchRule parseMatch(const Field& field) {
  MatchRule out;
  out.where = where(field);
  for (const auto& [key, value] : field.entries({"sysObjectId", "sysDescr", "probe"})) {
    if (key == "sysObjectId") {
      for (const auto& item : value.list()) {
        out.sysObjectIdPrefixes.push_back(readOid(item));
      }
    } else if (key == "sysDescr") {
      for (const auto& item : value.list()) {
        out.sysDescrPatterns.push_back(readRegex(item));
      }
    } else if (key == "probe") {
      for (const auto& item : value.list()) {
        out.probes.push_back(parseCondition(item, false));
      }
    }
  }
  if (out.sysObjectIdPrefixes.empty() && out.sysDescrPatterns.empty() && out.probes.empty()) {
    field.fail("a match rule needs sysObjectId, sysDescr or probe");
  }
  return out;
}

std::map<std::string, std::uint32_t> parseColumns(const Field& field,
                                                  const std::vector<std::string>& allowed) {
  std::map<std::string, std::uint32_t> out;
  for (const auto& [key, value] : field.entries(allowed)) {
    out[key] = static_cast<std::uint32_t>(value.integer(1, 4'294'967'295));
  }
  return out;
}

SupplyJoin parseSupplyJoin(const Field& field) {
  SupplyJoin out;
  out.where = where(field);
  bool hasEntry = false;
  bool hasOn = false;
  for (const auto& [key, value] : field.entries({"entry", "on", "columns"})) {
    if (key == "entry") {
      out.entry = readOid(value);
      hasEntry = true;
    } else if (key == "on") {
      hasOn = true;
      if (value.isScalar()) {
        if (value.text() != "index") {
          value.fail("'on' is 'index' or {description: COLUMN}");
        }
      } else {
        for (const auto& [onKey, column] : value.entries({"description"})) {
          (void)onKey;
          out.keyColumn = static_cast<std::uint32_t>(column.integer(1, 4'294'967'295));
        }
        if (out.keyColumn == 0) {
          value.fail("'on' is 'index' or {description: COLUMN}");
        }
      }
    } else if (key == "columns") {
      out.columns = parseColumns(value, {"partNumber", "serial"});
    }
  }
  if (!hasEntry || !hasOn || out.columns.empty()) {
    field.fail("a join needs 'entry', 'on' and 'columns' (partNumber, serial)");
  }
  return out;
}

// The regex must compile and have the groups the pattern names.
SupplyPattern parseSupplyPattern(const Field& field) {
  SupplyPattern out;
  out.where = where(field);
  std::optional<Field> regexField;
  for (const auto& [key, value] : field.entries({"regex", "name", "partNumber", "serial"})) {
    if (key == "regex") {
      out.regex = readRegex(value);
      regexField.emplace(value);
    } else {
      const auto group = static_cast<std::uint32_t>(value.integer(1, 99));
      (key == "name" ? out.name : key == "partNumber" ? out.partNumber : out.serial) = group;
    }
  }
  if (!regexField) {
    field.fail("a supply pattern needs 'regex'");
  }
  if (out.partNumber == 0 && out.serial == 0) {
    field.fail("a supply pattern needs 'partNumber' or 'serial' (a capture group number)");
  }
  const std::regex compiled(out.regex, std::regex::ECMAScript | std::regex::icase);
  const std::uint32_t groups = static_cast<std::uint32_t>(compiled.mark_count());
  for (const auto& [what, group] : {std::pair<const char*, std::uint32_t>{"name", out.name},
                                    {"partNumber", out.partNumber},
                                    {"serial", out.serial}}) {
    if (group > groups) {
      field.fail(std::string(what) + " names group " + std::to_string(group) +
                 ", but the regex has " + std::to_string(groups) + " capture group" +
                 (groups == 1 ? "" : "s"));
    }
  }
  return out;
}

SupplyTable parseSupplyTable(const Field& field) {
  SupplyTable out;
  out.where = where(field);
  bool hasEntry = false;
  for (const auto& [key, value] :
       field.entries({"name", "entry", "columns", "typeEnum", "unitEnum", "type", "unit", "class",
                      "join", "levelScale", "typeMap", "skipTypes", "disabled"})) {
    if (key == "name") {
      out.name = value.text(64);
    } else if (key == "entry") {
      out.entry = readOid(value);
      hasEntry = true;
    } else if (key == "columns") {
      out.columns = parseColumns(value, {"description", "type", "class", "unit", "max", "level",
                                         "colorant", "partNumber", "serial"});
    } else if (key == "typeEnum" || key == "unitEnum") {
      const std::string name = value.text();
      if (name != "printerMib") {
        value.fail("unknown enumeration '" + name + "' (known: printerMib)");
      }
      (key == "typeEnum" ? out.typeEnum : out.unitEnum) = name;
    } else if (key == "type") {
      out.type = value.text(64);
    } else if (key == "unit") {
      out.unit = value.text(64);
    } else if (key == "class") {
      out.supplyClass = value.text(64);
      if (out.supplyClass != "consumed" && out.supplyClass != "receptacle") {
        value.fail("class is 'consumed' or 'receptacle'");
      }
    } else if (key == "join") {
      out.join = parseSupplyJoin(value);
    } else if (key == "levelScale") {
      out.levelScale = value.text();
      if (out.levelScale != "percent") {
        value.fail("levelScale is 'percent' (or absent)");
      }
    } else if (key == "typeMap") {
      for (const auto& [raw, mapped] : value.entries()) {
        out.typeMap[raw] = mapped.text(64);
      }
    } else if (key == "skipTypes") {
      for (const auto& item : value.list()) {
        out.skipTypes.push_back(item.text(64));
      }
    } else if (key == "disabled") {
      out.disabled = value.boolean();
    }
  }
  if (out.name.empty()) {
    field.fail("a supply table needs a 'name' (children refer to it)");
  }
  if (!out.disabled) {
    if (!hasEntry) {
      field.fail("a supply table needs 'entry'");
    }
    if (!out.columns.contains("level")) {
      field.fail("a supply table needs a 'level' column");
    }
    if (!out.columns.contains("description")) {
      field.fail("a supply table needs a 'description' column");
    }
  }
  return out;
}

AlertTable parseAlertTable(const Field& field) {
  AlertTable out;
  out.where = where(field);
  bool hasEntry = false;
  for (const auto& [key, value] :
       field.entries({"name", "entry", "columns", "codes", "codeText", "disabled"})) {
    if (key == "name") {
      out.name = value.text(64);
    } else if (key == "entry") {
      out.entry = readOid(value);
      hasEntry = true;
    } else if (key == "columns") {
      out.columns = parseColumns(value, {"severity", "group", "code", "description"});
    } else if (key == "codes") {
      out.codes = value.text();
      if (out.codes != "iana" && out.codes != "vendor") {
        value.fail("codes is 'iana' or 'vendor'");
      }
    } else if (key == "codeText") {
      for (const auto& [code, text] : value.entries()) {
        out.codeText[code] = text.text();
      }
    } else if (key == "disabled") {
      out.disabled = value.boolean();
    }
  }
  if (out.name.empty()) {
    field.fail("an alert table needs a 'name'");
  }
  if (!out.disabled) {
    if (!hasEntry) {
      field.fail("an alert table needs 'entry'");
    }
    if (!out.columns.contains("code") && !out.columns.contains("description")) {
      field.fail("an alert table needs a 'code' or 'description' column");
    }
  }
  return out;
}

SanityCheck parseCheck(const Field& field) {
  SanityCheck out;
  out.where = where(field);
  bool hasReference = false;
  for (const auto& [key, value] :
       field.entries({"counter", "against", "maxDeviationPercent", "action"})) {
    if (key == "counter") {
      out.counter = value.text();
      if (const auto problem = model::counterNameProblem(out.counter); !problem.empty()) {
        value.fail(problem);
      }
    } else if (key == "against") {
      out.reference = parseSource(value, 0);
      hasReference = true;
    } else if (key == "maxDeviationPercent") {
      out.maxDeviationPercent = static_cast<int>(value.integer(0, 1000));
    } else if (key == "action") {
      out.action = keyword<CheckAction>(value, "action",
                                        {{"note", CheckAction::kNote},
                                         {"drop", CheckAction::kDrop},
                                         {"useReference", CheckAction::kUseReference}});
    }
  }
  if (out.counter.empty() || !hasReference) {
    field.fail("a check needs 'counter' and 'against'");
  }
  return out;
}

}  // namespace

Definition parseDefinition(std::string_view yamlText, const std::string& fileName,
                           const std::string& id) {
  const Context ctx(fileName, {}, throwPmdError, readerOptions());
  if (yamlText.size() > kMaxDefinitionBytes) {
    ctx.fail(yaml::Mark{}, "", "larger than " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  const Field top = ctx.load(yamlText);
  if (!top.isMap()) {
    top.fail("a definition is a mapping (pmd: 1, name: ..., match: ...)");
  }
  Definition def;
  def.id = id;
  def.file = fileName;
  bool hasVersion = false;
  bool hasExtends = false;
  for (const auto& [key, value] : top.entries(
           {"pmd", "name", "extends", "priority", "kind", "match", "identity", "counters", "checks",
            "supplies", "supplyPatterns", "colorants", "status", "alerts", "capabilities"})) {
    if (key == "pmd") {
      if (value.integer(1, 1) != 1) {
        value.fail("unsupported format version");
      }
      hasVersion = true;
    } else if (key == "name") {
      def.name = value.text(200);
    } else if (key == "extends") {
      def.extends = value.text(64);
      hasExtends = true;
    } else if (key == "priority") {
      def.priority = static_cast<int>(value.integer(0, 1000));
    } else if (key == "kind") {
      def.kind = keyword<DeviceKind>(
          value, "kind", {{"printer", DeviceKind::kPrinter}, {"scanner", DeviceKind::kScanner}});
    } else if (key == "supplyPatterns") {
      for (const auto& item : value.list()) {
        def.supplyPatterns.push_back(parseSupplyPattern(item));
      }
    } else if (key == "match") {
      for (const auto& item : value.list()) {
        def.match.push_back(parseMatch(item));
      }
    } else if (key == "identity") {
      def.identity = parseRules(value, identityFields(), false);
    } else if (key == "counters") {
      def.counters = parseRules(value, {}, true);
    } else if (key == "checks") {
      for (const auto& item : value.list()) {
        def.checks.push_back(parseCheck(item));
      }
    } else if (key == "supplies") {
      for (const auto& item : value.list()) {
        def.supplies.push_back(parseSupplyTable(item));
      }
    } else if (key == "colorants") {
      ColorantTable table;
      bool hasEntry = false;
      for (const auto& [ck, cv] : value.entries({"entry", "valueColumn"})) {
        if (ck == "entry") {
          table.entry = readOid(cv);
          hasEntry = true;
        } else {
          table.valueColumn = static_cast<std::uint32_t>(cv.integer(1, 1000));
        }
      }
      if (!hasEntry || table.valueColumn == 0) {
        value.fail("colorants needs 'entry' and 'valueColumn'");
      }
      def.colorants = table;
    } else if (key == "status") {
      def.status = parseRules(value, statusFields(), false);
    } else if (key == "alerts") {
      for (const auto& item : value.list()) {
        def.alerts.push_back(parseAlertTable(item));
      }
    } else if (key == "capabilities") {
      def.capabilities = parseRules(value, capabilityFields(), false);
    }
  }
  if (!hasVersion) {
    top.fail("missing 'pmd: 1' (the format version)");
  }
  if (def.name.empty()) {
    top.fail("missing 'name'");
  }
  if (id == std::string(kGenericId)) {
    if (hasExtends) {
      top.fail("the generic definition extends nothing");
    }
  } else {
    if (!hasExtends) {
      def.extends = std::string(kGenericId);
    }
    if (def.match.empty()) {
      top.fail("missing 'match' (how the client recognises these devices)");
    }
  }
  return def;
}

Definition loadDefinitionFile(const std::filesystem::path& path) {
  std::string text;
  try {
    text = util::readFile(path, kMaxDefinitionBytes);
  } catch (const std::exception& e) {
    throw PmdError(SourceLocation{path.string(), 0, 0, ""}, e.what());
  }
  return parseDefinition(text, path.string(), path.stem().string());
}

}  // namespace openmps::pmd
