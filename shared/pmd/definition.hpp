#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shared/snmp/oid.hpp"

// A device definition (PMD) as the loader hands it to the engine. The format
// is specified in pmd/README.md; this is its in-memory form, free of YAML.
namespace openmps::pmd {

// The definition every other one inherits from, directly or not.
inline constexpr std::string_view kGenericId = "generic";

// Where something was written: "pmd/hp.yaml:12:5: counters.total[0]".
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string field;
  std::string toString() const;
  bool operator==(const SourceLocation&) const = default;
};

// Every problem in a definition: names the file, line and field.
class PmdError : public std::runtime_error {
 public:
  PmdError(SourceLocation where, const std::string& problem);
  const SourceLocation& where() const { return where_; }
  const std::string& problem() const { return problem_; }

 private:
  SourceLocation where_;
  std::string problem_;
};

// A condition on a value read with GET: the source only counts when it holds.
struct Condition {
  snmp::Oid oid;
  std::vector<std::string> in;  // value (as text) is one of these
  std::string matches;          // value matches this regex (case-insensitive)
  bool exists = false;          // only that the OID has a value
  bool negate = false;          // "unless" instead of "when"
  bool operator==(const Condition&) const = default;
};

enum class SourceKind {
  kOid,         // GET one instance
  kWalk,        // walk a table column, pick or combine rows
  kCounter,     // another counter of the same reading
  kSum,         // every operand present, added
  kDifference,  // first operand minus the others
  kConstant,    // a fixed text
  kSystem,      // a phase-one value: target address (ip)
};

enum class Aggregate { kFirst, kSum, kCount, kAll, kMax };

// One way to obtain a value. Modifiers apply after the value is read.
struct Source {
  SourceKind kind = SourceKind::kOid;
  snmp::Oid oid;  // kOid: the instance; kWalk: the column
  // kWalk: which rows. All empty: every row.
  std::string index;       // row index suffix, e.g. "1.61" (a vendor code)
  snmp::Oid keyColumn;     // a column of the same table whose value selects rows
  std::string key;         // ...equal to this (code or label)
  std::string keyPattern;  // ...or matching this regex (case-insensitive)
  // A key column of another table indexed by the first keyIndexLength
  // sub-ids of this row's index (0: by the whole index), as PWG's counter
  // tables are indexed by (key index, work type, persistence) and keyed by
  // icKeyTable, indexed by the key index alone.
  std::uint32_t keyIndexLength = 0;
  std::string indexEnds;  // only rows whose index ends with these sub-ids, e.g. "3.3"
  Aggregate aggregate = Aggregate::kFirst;
  std::string counter;           // kCounter
  std::vector<Source> operands;  // kSum, kDifference
  std::string constant;          // kConstant
  std::string system;            // kSystem: "ip"
  // Modifiers.
  std::string regex;  // text: first capture group (or the whole match)
  std::int64_t multiply = 1;
  std::int64_t divide = 1;
  std::map<std::string, std::string> map;  // raw text → text; unmapped raw stays
  std::string format;                      // "", "mac", "hex", "hexText"
  bool skipZero = false;                   // a 0 counts as missing (unset vendor counters)
  std::vector<Condition> when;             // all must hold
  SourceLocation where;
  bool operator==(const Source&) const = default;
};

// How a child's candidates combine with those it inherits.
enum class MergeMode {
  kPrepend,  // child's first, inherited after (the default)
  kReplace,  // child's only
  kAppend,   // inherited first; child's only if those find nothing
};

// Candidates tried in order; the first that yields a value wins, so a later
// candidate is used only if the value is still missing.
struct Rule {
  std::vector<Source> candidates;
  MergeMode mode = MergeMode::kPrepend;
  SourceLocation where;
  bool operator==(const Rule&) const = default;
};

struct MatchRule {
  std::vector<snmp::Oid> sysObjectIdPrefixes;  // any of them
  std::vector<std::string> sysDescrPatterns;   // any of them (regex, case-insensitive)
  std::vector<Condition> probes;               // all of them
  SourceLocation where;
  bool operator==(const MatchRule&) const = default;
};

// A vendor table that says more about the supplies of a supply table (part
// and serial numbers): its row for a supply is the one with the same row
// index, or the one whose keyColumn holds the supply's description.
struct SupplyJoin {
  snmp::Oid entry;
  std::uint32_t keyColumn = 0;                   // 0: join on the row index
  std::map<std::string, std::uint32_t> columns;  // partNumber, serial
  SourceLocation where;
  bool operator==(const SupplyJoin&) const = default;
};

// A table of supplies (Printer-MIB prtMarkerSuppliesTable, prtInputTable,
// or a vendor table). Columns are arcs under entry.
struct SupplyTable {
  std::string name;
  snmp::Oid entry;
  std::map<std::string, std::uint32_t>
      columns;           // description, type, class, unit, max, level, colorant, partNumber, serial
  std::string typeEnum;  // "printerMib" (PrtMarkerSuppliesTypeTC) or "" (raw text)
  std::string unitEnum;  // "printerMib" (PrtMarkerSuppliesSupplyUnitTC) or ""
  std::string type;      // fixed type when there is no type column
  std::string unit;      // fixed unit when there is no unit column
  std::string supplyClass;                     // fixed class when there is no class column
  std::string levelScale;                      // "" or "percent": level is already 0..100
  std::map<std::string, std::string> typeMap;  // raw type → our type
  std::vector<std::string> skipTypes;          // rows of these types are left out
  std::optional<SupplyJoin> join;              // part and serial numbers from a vendor table
  bool disabled = false;                       // a child switches an inherited table off
  SourceLocation where;
  bool operator==(const SupplyTable&) const = default;
};

// What a vendor writes into a supply's description besides its name
// ("Black Toner, PN 006R01700;SN4X7654321"): the capture groups that hold
// the name, the part number and the serial (0: not in this pattern).
struct SupplyPattern {
  std::string regex;  // case-insensitive, searched in the description
  std::uint32_t name = 0;
  std::uint32_t partNumber = 0;
  std::uint32_t serial = 0;
  SourceLocation where;
  bool operator==(const SupplyPattern&) const = default;
};

// What a definition reads: a printer (or MFP), or a document scanner whose
// scan counter is billed. Devices nothing matches are neither.
enum class DeviceKind { kPrinter, kScanner };
const char* toString(DeviceKind kind);

// prtMarkerColorantTable (or a vendor equivalent): colorant index → name.
struct ColorantTable {
  snmp::Oid entry;
  std::uint32_t valueColumn = 0;
  bool operator==(const ColorantTable&) const = default;
};

enum class CheckAction { kNote, kDrop, kUseReference };

// A vendor counter compared with a reference (prtMarkerLifeCount).
struct SanityCheck {
  std::string counter;
  Source reference;
  int maxDeviationPercent = 10;
  CheckAction action = CheckAction::kNote;
  SourceLocation where;
  bool operator==(const SanityCheck&) const = default;
};

// An alert table: the Printer-MIB prtAlertTable or a vendor one.
struct AlertTable {
  std::string name;
  snmp::Oid entry;
  std::map<std::string, std::uint32_t> columns;  // severity, group, code, description
  std::string codes;                             // "iana" (PrtAlertCodeTC) or "" (vendor codes)
  std::map<std::string, std::string> codeText;   // vendor code → text
  bool disabled = false;
  SourceLocation where;
  bool operator==(const AlertTable&) const = default;
};

struct Definition {
  std::string id;  // file name without .yaml
  std::string file;
  std::string name;
  std::string extends;  // empty only for the generic definition
  int priority = 0;
  std::optional<DeviceKind> kind;  // as written; resolved: inherited, else printer
  std::vector<MatchRule> match;
  std::map<std::string, Rule>
      identity;  // manufacturer, model, serial, firmware, mac, hostName, location, contact
  std::map<std::string, Rule> counters;  // counter vocabulary name → rule
  std::vector<SanityCheck> checks;
  std::vector<SupplyTable> supplies;
  std::vector<SupplyPattern> supplyPatterns;  // the child's first, then the inherited ones
  std::optional<ColorantTable> colorants;
  std::map<std::string, Rule> status;  // printerStatus, deviceStatus, errorState, vendorCode
  std::vector<AlertTable> alerts;
  std::map<std::string, Rule>
      capabilities;                // color, duplex, largeFormat, inputTrays, outputTrays, finishers
  std::vector<std::string> chain;  // resolved: ids from generic to this one
  bool operator==(const Definition&) const = default;
};

// The fields each section accepts (for the validator and the docs).
const std::vector<std::string>& identityFields();
const std::vector<std::string>& statusFields();
const std::vector<std::string>& capabilityFields();

}  // namespace openmps::pmd
