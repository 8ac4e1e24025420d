#include "shared/pmd/load.hpp"

#include <catch2/catch.hpp>

#include "openmps_test_dirs.hpp"
#include "shared/pmd/catalog.hpp"

using namespace openmps::pmd;
using openmps::snmp::Oid;

namespace {

const char* const kGeneric = R"Y(pmd: 1
name: Any printer
identity:
  serial: [prtGeneralSerialNumber.1]
  model:
    - {walk: hrDeviceDescr, aggregate: first}
counters:
  total:
    - oid: prtMarkerLifeCount.1.1
      when: {oid: prtMarkerCounterUnit.1.1, in: ["7", "8"]}
supplies:
  - name: markerSupplies
    entry: prtMarkerSuppliesEntry
    columns: {description: 6, type: 5, class: 4, unit: 7, max: 8, level: 9, colorant: 3}
    typeEnum: printerMib
    unitEnum: printerMib
)Y";

const char* const kVendor = R"Y(pmd: 1
name: Example vendor
priority: 50
match:
  - sysObjectId: [1.3.6.1.4.1.99999]
  - sysDescr: ["^EXAMPLE "]
    probe: [{oid: 1.3.6.1.4.1.99999.1.0, exists: true}]
identity:
  serial: [1.3.6.1.4.1.99999.2.0]
counters:
  total: [1.3.6.1.4.1.99999.3.0]
  color:
    after:
      - {walk: 1.3.6.1.4.1.99999.4.1.3, keyColumn: 1.3.6.1.4.1.99999.4.1.2, keyPattern: "colou?r", aggregate: sum}
  mono:
    - difference: [{counter: total}, {counter: color}]
checks:
  - counter: total
    against: prtMarkerLifeCount.1.1
    maxDeviationPercent: 5
    action: useReference
)Y";

Definition parse(const std::string& text, const std::string& id = "vendor") {
  return parseDefinition(text, id + ".yaml", id);
}

std::string errorOf(const std::string& text, const std::string& id = "vendor") {
  try {
    (void)parse(text, id);
  } catch (const PmdError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a definition parses with every kind of source") {
  const Definition def = parse(kVendor);
  CHECK(def.id == "vendor");
  CHECK(def.extends == "generic");
  CHECK(def.priority == 50);
  REQUIRE(def.match.size() == 2);
  CHECK(def.match[0].sysObjectIdPrefixes.front() == Oid::of("1.3.6.1.4.1.99999"));
  CHECK(def.match[1].probes.front().exists);
  const Rule& color = def.counters.at("color");
  CHECK(color.mode == MergeMode::kAppend);
  REQUIRE(color.candidates.size() == 1);
  CHECK(color.candidates[0].kind == SourceKind::kWalk);
  CHECK(color.candidates[0].aggregate == Aggregate::kSum);
  CHECK(color.candidates[0].keyPattern == "colou?r");
  const Rule& mono = def.counters.at("mono");
  CHECK(mono.candidates[0].kind == SourceKind::kDifference);
  CHECK(mono.candidates[0].operands[1].counter == "color");
  REQUIRE(def.checks.size() == 1);
  CHECK(def.checks[0].action == CheckAction::kUseReference);
  CHECK(def.checks[0].reference.oid == Oid::of("1.3.6.1.2.1.43.10.2.1.4.1.1"));
}

TEST_CASE("standard names resolve to OIDs") {
  const Definition def = parse(kGeneric, "generic");
  const auto& total = def.counters.at("total").candidates.at(0);
  CHECK(total.oid == Oid::of("1.3.6.1.2.1.43.10.2.1.4.1.1"));
  CHECK(total.when.at(0).oid == Oid::of("1.3.6.1.2.1.43.10.2.1.3.1.1"));
  CHECK(total.when.at(0).in == std::vector<std::string>{"7", "8"});
  CHECK(def.supplies.at(0).entry == Oid::of("1.3.6.1.2.1.43.11.1.1"));
}

TEST_CASE("errors name the file, the line and the field") {
  SECTION("unknown key") {
    const std::string text = "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncountres: {}\n";
    CHECK(errorOf(text) ==
          "vendor.yaml:4:1: countres: unknown key (known here: pmd, name, "
          "extends, priority, kind, match, identity, counters, checks, supplies, "
          "supplyPatterns, colorants, status, alerts, capabilities)");
  }
  SECTION("bad OID") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nidentity:\n  serial: [1.3.6.x]\n";
    CHECK(errorOf(text) ==
          "vendor.yaml:5:12: identity.serial[0]: '1.3.6.x' is not an OID (digits and dots, or a "
          "standard name such as prtMarkerLifeCount.1.1)");
  }
  SECTION("bad counter name") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  pages: [1.3.6.1.2]\n";
    CHECK_THAT(errorOf(text), Catch::StartsWith("vendor.yaml:5:10: counters.pages: "));
  }
  SECTION("bad regex") {
    const std::string text = "pmd: 1\nname: x\nmatch: [{sysDescr: \"(\"}]\n";
    CHECK_THAT(errorOf(text), Catch::StartsWith("vendor.yaml:3:20: match[0].sysDescr: not a valid "
                                                "regular expression"));
  }
  SECTION("two kinds in one source") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  total: [{oid: 1.3.6.1, counter: "
        "mono}]\n";
    CHECK_THAT(errorOf(text),
               Catch::Contains("counters.total[0]: give exactly one of oid, walk, counter"));
  }
  SECTION("key without keyColumn") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  total: [{walk: 1.3.6.1, key: a}]\n";
    CHECK_THAT(errorOf(text), Catch::Contains("'key' and 'keyPattern' need 'keyColumn'"));
  }
  SECTION("keyIndexLength without keyColumn") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  total: [{walk: 1.3.6.1, "
        "keyIndexLength: 1}]\n";
    CHECK_THAT(errorOf(text), Catch::Contains("'keyIndexLength' needs 'keyColumn'"));
  }
  SECTION("indexEnds that is not an index") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  total: [{walk: 1.3.6.1, "
        "indexEnds: \"3.x\"}]\n";
    CHECK_THAT(errorOf(text), Catch::Contains("a row index is digits and dots, got '3.x'"));
  }
  SECTION("unknown aggregate") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  total: [{walk: 1.3.6.1, "
        "aggregate: avg}]\n";
    CHECK_THAT(errorOf(text),
               Catch::Contains("unknown aggregate 'avg' (known: first, sum, count, all, max)"));
  }
  SECTION("no version") {
    CHECK_THAT(errorOf("name: x\nmatch: [{sysDescr: x}]\n"), Catch::Contains("missing 'pmd: 1'"));
  }
  SECTION("no match") {
    CHECK_THAT(errorOf("pmd: 1\nname: x\n"), Catch::Contains("missing 'match'"));
  }
  SECTION("invalid YAML") {
    CHECK_THAT(errorOf("pmd: 1\nname: [x\n"), Catch::StartsWith("vendor.yaml:"));
    CHECK_THAT(errorOf("pmd: 1\nname: [x\n"), Catch::Contains("not valid YAML"));
  }
  SECTION("supply table without level") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplies:\n  - {name: t, entry: 1.3.6.1, "
        "columns: {description: 2}}\n";
    CHECK_THAT(errorOf(text),
               Catch::Contains("supplies[0]: a supply table needs a 'level' column"));
  }
  SECTION("unknown kind") {
    CHECK(errorOf("pmd: 1\nname: x\nkind: fax\nmatch: [{sysDescr: x}]\n") ==
          "vendor.yaml:3:7: kind: unknown kind 'fax' (known: printer, scanner)");
  }
  SECTION("a supply pattern names a group its regex does not have") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplyPatterns:\n"
        "  - {regex: \"^(.*), PN (\\\\S+)$\", name: 1, partNumber: 2, serial: 3}\n";
    CHECK(errorOf(text) ==
          "vendor.yaml:5:5: supplyPatterns[0]: serial names group 3, but the regex has 2 capture "
          "groups");
  }
  SECTION("a supply pattern that extracts nothing") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplyPatterns:\n  - {regex: \"^(.*)$\", name: "
        "1}\n";
    CHECK_THAT(errorOf(text), Catch::Contains("supplyPatterns[0]: a supply pattern needs "
                                              "'partNumber' or 'serial'"));
  }
  SECTION("a supply pattern with a bad regex") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplyPatterns:\n  - {regex: \"(\", serial: 1}\n";
    CHECK_THAT(errorOf(text), Catch::StartsWith("vendor.yaml:5:13: supplyPatterns[0].regex: not "
                                                "a valid regular expression"));
  }
  SECTION("a join without columns") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplies:\n  - name: t\n    entry: 1.3.6.1\n"
        "    columns: {description: 2, level: 3}\n    join: {entry: 1.3.6.1.4, on: index}\n";
    CHECK_THAT(errorOf(text),
               Catch::Contains("supplies[0].join: a join needs 'entry', 'on' and 'columns'"));
  }
  SECTION("a join on something else than index or a description column") {
    const std::string text =
        "pmd: 1\nname: x\nmatch: [{sysDescr: x}]\nsupplies:\n  - name: t\n    entry: 1.3.6.1\n"
        "    columns: {description: 2, level: 3}\n"
        "    join: {entry: 1.3.6.1.4, on: colour, columns: {serial: 6}}\n";
    CHECK_THAT(errorOf(text), Catch::Contains("supplies[0].join.on: 'on' is 'index' or "
                                              "{description: COLUMN}"));
  }
  SECTION("generic extends nothing") {
    CHECK_THAT(errorOf("pmd: 1\nname: x\nextends: hp\n", "generic"),
               Catch::Contains("the generic definition extends nothing"));
  }
}

TEST_CASE("inheritance: prepend by default, replace and after on request") {
  const Catalog catalog =
      Catalog::build({parse(kGeneric, "generic"), parse(kVendor, "vendor"),
                      parse("pmd: 1\nname: child\nextends: vendor\nmatch: [{sysDescr: c}]\n"
                            "counters:\n  total:\n    replace: [1.3.6.1.4.1.1.1.0]\n"
                            "supplies:\n  - {name: markerSupplies, disabled: true}\n",
                            "child")});
  const Definition* vendor = catalog.find("vendor");
  REQUIRE(vendor != nullptr);
  CHECK(vendor->chain == std::vector<std::string>{"generic", "vendor"});
  const auto& total = vendor->counters.at("total").candidates;
  REQUIRE(total.size() == 2);
  CHECK(total[0].oid == Oid::of("1.3.6.1.4.1.99999.3.0"));        // vendor first
  CHECK(total[1].oid == Oid::of("1.3.6.1.2.1.43.10.2.1.4.1.1"));  // then generic
  CHECK(vendor->identity.at("model").candidates.size() == 1);     // inherited as is
  CHECK(vendor->supplies.size() == 1);

  const Definition* child = catalog.find("child");
  REQUIRE(child != nullptr);
  CHECK(child->chain == std::vector<std::string>{"generic", "vendor", "child"});
  REQUIRE(child->counters.at("total").candidates.size() == 1);
  CHECK(child->counters.at("total").candidates[0].oid == Oid::of("1.3.6.1.4.1.1.1.0"));
  CHECK(child->supplies.empty());
  CHECK(child->checks.size() == 1);
}

TEST_CASE("inheritance: kind and supply patterns") {
  const Catalog catalog = Catalog::build(
      {parse(kGeneric, "generic"),
       parse("pmd: 1\nname: s\nkind: scanner\nmatch: [{sysDescr: s}]\nsupplyPatterns:\n"
             "  - {regex: \"^(.*) SN(\\\\S+)$\", name: 1, serial: 2}\n",
             "scanner"),
       parse("pmd: 1\nname: b\nextends: scanner\nmatch: [{sysDescr: b}]\nsupplyPatterns:\n"
             "  - {regex: \"^(.*) PN(\\\\S+)$\", name: 1, partNumber: 2}\n",
             "brand")});
  CHECK(catalog.generic().kind == DeviceKind::kPrinter);
  const Definition* brand = catalog.find("brand");
  REQUIRE(brand != nullptr);
  CHECK(brand->kind == DeviceKind::kScanner);  // inherited
  REQUIRE(brand->supplyPatterns.size() == 2);
  CHECK(brand->supplyPatterns[0].partNumber == 2);  // the brand's own first
  CHECK(brand->supplyPatterns[1].serial == 2);
}

TEST_CASE("catalog validation") {
  SECTION("missing parent") {
    CHECK_THROWS_WITH(
        Catalog::build({parse(kGeneric, "generic"),
                        parse("pmd: 1\nname: x\nextends: nope\nmatch: [{sysDescr: x}]\n", "x")}),
        Catch::Contains("extends 'nope', which does not exist"));
  }
  SECTION("no generic") {
    CHECK_THROWS_WITH(Catalog::build({parse(kVendor)}), Catch::Contains("no generic definition"));
  }
  SECTION("counter cycle") {
    CHECK_THROWS_WITH(
        Catalog::build({parse(kGeneric, "generic"),
                        parse("pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  mono: "
                              "[{counter: color}]\n  color: [{counter: mono}]\n",
                              "x")}),
        Catch::Contains("depends on itself"));
  }
  SECTION("unknown counter reference") {
    CHECK_THROWS_WITH(
        Catalog::build({parse(kGeneric, "generic"),
                        parse("pmd: 1\nname: x\nmatch: [{sysDescr: x}]\ncounters:\n  mono: "
                              "[{counter: color}]\n",
                              "x")}),
        Catch::Contains("x.yaml:5:10: counters.mono[0]: refers to counter 'color'"));
  }
  SECTION("inheritance cycle") {
    CHECK_THROWS_WITH(
        Catalog::build({parse(kGeneric, "generic"),
                        parse("pmd: 1\nname: a\nextends: b\nmatch: [{sysDescr: x}]\n", "a"),
                        parse("pmd: 1\nname: b\nextends: a\nmatch: [{sysDescr: x}]\n", "b")}),
        Catch::Contains("circle"));
  }
}

TEST_CASE("the project's own definitions pass the check") {
  const auto report = checkDirectory(OPENMPS_SOURCE_DIR "/pmd");
  INFO((report.errors.empty() ? std::string() : report.errors.front()));
  CHECK(report.ok());
  CHECK(report.files >= 15);
  const Catalog catalog = Catalog::loadDirectory(OPENMPS_SOURCE_DIR "/pmd");
  CHECK(catalog.generic().id == "generic");
}
