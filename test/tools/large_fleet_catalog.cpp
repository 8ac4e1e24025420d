// The device models of the simulated fleet: real families with their
// counters, supplies, yields and the way each reports levels (whole
// percent, pages left, coarse steps, or only "some remaining").
#include "test/tools/large_fleet_model.hpp"

namespace openmps::test::fleet {
namespace {

constexpr const char* kMonoPrinter[] = {"total", "mono", "print.total"};
constexpr const char* kMonoMfp[] = {"total", "mono", "print.total", "copy.total", "scan.total"};
constexpr const char* kColorMfp[] = {"total",      "mono",       "color",    "print.total",
                                     "copy.total", "scan.total", "fax.total"};
constexpr const char* kColorMfpNoFax[] = {"total",       "mono",       "color",
                                          "print.total", "copy.total", "scan.total"};
constexpr const char* kLargeFormat[] = {"total", "large.total", "large.color"};

template <std::size_t N>
std::vector<const char*> names(const char* const (&list)[N]) {
  return {list, list + N};
}

SupplySpec toner(const char* color, const char* description, const char* part, double yield) {
  const bool black = std::string_view(color) == "black";
  return {"toner", color, description, part, yield, !black, false};
}

SupplySpec ink(const char* color, const char* description, const char* part, double yield) {
  const bool black = std::string_view(color) == "black";
  return {"ink", color, description, part, yield, !black, false};
}

SupplySpec drum(const char* description, const char* part, double yield) {
  return {"opc", "", description, part, yield, false, false};
}

SupplySpec waste(const char* description, const char* part, double yield) {
  return {"wasteToner", "", description, part, yield, false, true};
}

std::vector<ModelSpec> build() {
  std::vector<ModelSpec> c;
  c.push_back({"HP",
               "HP LaserJet Enterprise M507dn",
               "1.3.6.1.4.1.11.2.3.9.1",
               "3c:d9:2b",
               "PHB",
               {"2409048_052604", "2411177_062021"},
               false,
               false,
               150'000,
               2500,
               0.14,
               LevelScale::kPercent,
               0,
               names(kMonoPrinter),
               {toner("black", "Black Cartridge HP CF289A", "CF289A", 5000)}});
  c.push_back({"HP",
               "HP Color LaserJet Pro MFP M479fdw",
               "1.3.6.1.4.1.11.2.3.9.1",
               "3c:d9:2c",
               "VNB",
               {"002.2306A", "002.2332A"},
               true,
               false,
               50'000,
               1500,
               0.10,
               LevelScale::kPercent,
               0,
               names(kColorMfp),
               {toner("black", "Black Cartridge HP W2030A", "W2030A", 2400),
                toner("cyan", "Cyan Cartridge HP W2031A", "W2031A", 2100),
                toner("magenta", "Magenta Cartridge HP W2033A", "W2033A", 2100),
                toner("yellow", "Yellow Cartridge HP W2032A", "W2032A", 2100)}});
  c.push_back({"Kyocera",
               "ECOSYS M3145dn",
               "1.3.6.1.4.1.1347.41",
               "00:c0:ee",
               "VCF",
               {"2T7_S000.002.505", "2T7_S000.002.512"},
               false,
               false,
               150'000,
               3000,
               0.12,
               LevelScale::kSteps,
               10,
               names(kMonoMfp),
               {toner("black", "TK-3160", "TK-3160", 12'500)}});
  c.push_back({"Kyocera",
               "TASKalfa 2553ci",
               "1.3.6.1.4.1.1347.41",
               "00:c0:ef",
               "W5H",
               {"2RL_2000.C03.201", "2RL_2000.C04.002"},
               true,
               false,
               100'000,
               6000,
               0.08,
               LevelScale::kSteps,
               10,
               names(kColorMfpNoFax),
               {toner("black", "TK-8345K", "TK-8345K", 20'000),
                toner("cyan", "TK-8345C", "TK-8345C", 12'000),
                toner("magenta", "TK-8345M", "TK-8345M", 12'000),
                toner("yellow", "TK-8345Y", "TK-8345Y", 12'000),
                waste("Waste Toner Box WT-860", "WT-860", 44'000)}});
  c.push_back({"Brother",
               "Brother HL-L5100DN",
               "1.3.6.1.4.1.2435.2.3.9.1",
               "00:80:77",
               "E7",
               {"1.20", "1.25"},
               false,
               false,
               50'000,
               1200,
               0.10,
               LevelScale::kSomeRemaining,
               0,
               names(kMonoPrinter),
               {toner("black", "Toner TN-3480", "TN-3480", 8000),
                drum("Drum Unit DR-3400", "DR-3400", 30'000)}});
  c.push_back({"Brother",
               "Brother MFC-L8900CDW",
               "1.3.6.1.4.1.2435.2.3.9.1",
               "00:80:78",
               "E8",
               {"ZA", "ZC"},
               true,
               false,
               60'000,
               1800,
               0.06,
               LevelScale::kPercent,
               0,
               names(kColorMfp),
               {toner("black", "Black Toner TN-423BK", "TN-423BK", 6500),
                toner("cyan", "Cyan Toner TN-423C", "TN-423C", 4000),
                toner("magenta", "Magenta Toner TN-423M", "TN-423M", 4000),
                toner("yellow", "Yellow Toner TN-423Y", "TN-423Y", 4000)}});
  c.push_back({"Canon",
               "Canon iR-ADV DX C5840i",
               "1.3.6.1.4.1.1602.4.7",
               "00:00:85",
               "2FW",
               {"83.08", "84.02"},
               true,
               false,
               200'000,
               12'000,
               0.07,
               LevelScale::kSteps,
               33,
               names(kColorMfp),
               {toner("black", "Canon C-EXV 51 Black Toner", "0481C002", 69'000),
                toner("cyan", "Canon C-EXV 51 Cyan Toner", "0482C002", 60'000),
                toner("magenta", "Canon C-EXV 51 Magenta Toner", "0483C002", 60'000),
                toner("yellow", "Canon C-EXV 51 Yellow Toner", "0484C002", 60'000),
                waste("Waste Toner Container", "FM1-A606", 100'000)}});
  c.push_back({"Ricoh",
               "RICOH IM C3000",
               "1.3.6.1.4.1.367.1.1",
               "00:26:73",
               "3101",
               {"1.06", "1.11"},
               true,
               false,
               150'000,
               5000,
               0.07,
               LevelScale::kPercent,
               0,
               names(kColorMfpNoFax),
               {toner("black", "Print Cartridge Black IM C3000", "842255", 33'000),
                toner("cyan", "Print Cartridge Cyan IM C3000", "842258", 18'000),
                toner("magenta", "Print Cartridge Magenta IM C3000", "842257", 18'000),
                toner("yellow", "Print Cartridge Yellow IM C3000", "842256", 18'000),
                waste("Waste Toner Bottle", "D0BQ6400", 100'000)}});
  c.push_back({"Xerox",
               "Xerox VersaLink C405",
               "1.3.6.1.4.1.253.8.62.1",
               "00:00:aa",
               "3UB",
               {"72.62.41", "73.31.11"},
               true,
               false,
               80'000,
               2500,
               0.06,
               LevelScale::kImpressions,
               0,
               names(kColorMfp),
               {toner("black", "Black Toner Cartridge 106R03532", "106R03532", 10'500),
                toner("cyan", "Cyan Toner Cartridge 106R03530", "106R03530", 8000),
                toner("magenta", "Magenta Toner Cartridge 106R03531", "106R03531", 8000),
                toner("yellow", "Yellow Toner Cartridge 106R03529", "106R03529", 8000),
                drum("Drum Cartridge 101R00555", "101R00555", 50'000),
                waste("Waste Cartridge 108R01416", "108R01416", 30'000)}});
  c.push_back({"Lexmark",
               "Lexmark MS622de",
               "1.3.6.1.4.1.641.2",
               "00:04:00",
               "4514",
               {"MXTGW.081.215", "MXTGW.230.037"},
               false,
               false,
               175'000,
               3500,
               0.08,
               LevelScale::kPercent,
               0,
               names(kMonoPrinter),
               {toner("black", "Black Cartridge 56F2H00", "56F2H00", 15'000),
                drum("Imaging Unit 56F0Z00", "56F0Z00", 60'000)}});
  c.push_back({"Konica Minolta",
               "KONICA MINOLTA bizhub C250i",
               "1.3.6.1.4.1.18334.1.1.1",
               "00:20:6b",
               "AA2J",
               {"GC7-H3", "GC7-J2"},
               true,
               false,
               80'000,
               4000,
               0.06,
               LevelScale::kPercent,
               0,
               names(kColorMfp),
               {toner("black", "Toner (Black) TN328K", "TN328K", 28'000),
                toner("cyan", "Toner (Cyan) TN328C", "TN328C", 28'000),
                toner("magenta", "Toner (Magenta) TN328M", "TN328M", 28'000),
                toner("yellow", "Toner (Yellow) TN328Y", "TN328Y", 28'000),
                waste("Waste Toner Box WX-105", "WX-105", 44'000)}});
  c.push_back({"Epson",
               "EPSON WF-C21000",
               "1.3.6.1.4.1.1248.1.1",
               "00:26:ab",
               "X9BL",
               {"UE16OB", "UE21I9"},
               true,
               false,
               330'000,
               8000,
               0.04,
               LevelScale::kPercent,
               0,
               names(kColorMfpNoFax),
               {ink("black", "Black Ink T8871", "T8871", 60'000),
                ink("cyan", "Cyan Ink T8872", "T8872", 50'000),
                ink("magenta", "Magenta Ink T8873", "T8873", 50'000),
                ink("yellow", "Yellow Ink T8874", "T8874", 50'000),
                waste("Maintenance Box T6714", "T6714", 60'000)}});
  c.push_back({"HP",
               "HP DesignJet T830",
               "1.3.6.1.4.1.11.2.3.9.1",
               "3c:d9:2d",
               "CN7",
               {"AXP_02_15_26.1", "AXP_02_20_07.2"},
               true,
               true,
               3000,
               150,
               0.02,
               LevelScale::kPercent,
               0,
               names(kLargeFormat),
               {ink("black", "HP 712 Black Ink 80ml", "3ED71A", 600),
                ink("cyan", "HP 712 Cyan Ink 29ml", "3ED67A", 350),
                ink("magenta", "HP 712 Magenta Ink 29ml", "3ED68A", 350),
                ink("yellow", "HP 712 Yellow Ink 29ml", "3ED69A", 350)}});
  return c;
}

}  // namespace

const std::vector<ModelSpec>& catalog() {
  static const std::vector<ModelSpec> kCatalog = build();
  return kCatalog;
}

model::Capabilities capabilitiesOf(const ModelSpec& spec) {
  model::Capabilities c;
  c.color = spec.color;
  c.duplex = !spec.largeFormat;
  c.largeFormat = spec.largeFormat;
  c.inputTrays = spec.largeFormat ? 1 : (spec.dutyCycle >= 100'000 ? 4 : 2);
  c.outputTrays = 1;
  if (spec.dutyCycle >= 100'000 && spec.color) {
    c.finishers = {"stapler"};
  }
  return c;
}

}  // namespace openmps::test::fleet
