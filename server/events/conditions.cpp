#include "server/events/conditions.hpp"

#include <algorithm>
#include <cctype>

namespace openmps::server::events {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// hrPrinterDetectedErrorState bit names to conditions.
std::optional<std::string> errorCondition(std::string_view error) {
  if (error == "jammed") return "jam";
  if (error == "doorOpen") return "door_open";
  if (error == "noPaper") return "paper_out";
  if (error == "serviceRequested" || error == "overduePreventMaint") return "service_requested";
  if (error == "offline") return "offline";
  return std::nullopt;
}

// IANA PrtAlertCodeTC values that name a condition of their own.
std::optional<std::string> alertCondition(int code) {
  switch (code) {
    case 8:  // jam
      return "jam";
    case 3:    // coverOpen
    case 5:    // interlockOpen
    case 501:  // doorOpen
      return "door_open";
    case 808:  // inputMediaSupplyEmpty
      return "paper_out";
    default: return std::nullopt;
  }
}

// Alerts about supplies (toner low, waste almost full, drum life) and
// their state changes are the supply levels' business.
bool aboutSupplies(const model::AlertEntry& a) {
  return (a.code >= 1101 && a.code <= 1115) || a.group == "markerSupplies" ||
         a.group == "markerColorant";
}

// Some vendors' objects are the control panel's status line ("Ready",
// "Sleep mode on", "Printing..."): a device that says it is ready, asleep
// or busy has no vendor error.
bool isNormalState(std::string_view code) {
  static constexpr std::string_view kNormal[] = {
      "ready",      "idle",   "sleep",   "power save", "powersave",  "standby",
      "stand-by",   "online", "on line", "printing",   "processing", "warming up",
      "energy sav", "normal", "bereit",  "prêt",       "pronto",     "pronta"};
  const std::string text = lower(code);
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return true;
  const std::string_view t = std::string_view(text).substr(first);
  return std::any_of(std::begin(kNormal), std::end(kNormal),
                     [&](std::string_view n) { return t.substr(0, n.size()) == n; });
}

void add(std::vector<StatusCondition>& out, StatusCondition c) {
  if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
}

}  // namespace

std::vector<StatusCondition> statusConditions(const model::Status& status) {
  std::vector<StatusCondition> out;
  for (const auto& e : status.errors) {
    if (auto c = errorCondition(e)) {
      const bool critical = *c == "service_requested";
      add(out, {*c, "", critical ? "critical" : "warning", ""});
    }
  }
  for (const auto& a : status.alerts) {
    if (a.severity != "critical" && a.severity != "warning") continue;
    if (auto c = alertCondition(a.code)) {
      add(out, {*c, "", "warning", a.text});
      continue;
    }
    if (aboutSupplies(a)) continue;
    add(out, {"printer_alert", a.group + "/" + std::to_string(a.code), a.severity, a.text});
  }
  if (!status.vendorCode.empty() && !isNormalState(status.vendorCode)) {
    add(out, {"vendor_error", status.vendorCode, "warning", ""});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string supplyFamily(const model::Supply& supply) {
  const std::string type = lower(supply.type);
  // Paper trays and output bins report levels too; paper_out is their
  // alert (a status condition), not a supply stage.
  if (isTray(supply.type)) return "";
  const std::string text = lower(supply.description);
  if (contains(type, "waste") || (supply.supplyClass == "receptacle" && contains(text, "waste"))) {
    return "waste_toner";
  }
  if (contains(type, "toner") || contains(type, "ink") || contains(type, "ribbon")) return "toner";
  if (type == "opc" || contains(type, "drum") || contains(type, "photoconductor")) return "drum";
  if (contains(type, "fuser")) return "fuser";
  if (supply.supplyClass == "receptacle") return "waste_toner";
  if (type.empty() || type == "other" || type == "unknown") {
    // Vendor tables often leave the type out; their descriptions say it.
    if (contains(text, "waste")) return "waste_toner";
    if (contains(text, "toner") || contains(text, "ink") || contains(text, "cartridge")) {
      return "toner";
    }
    if (contains(text, "drum")) return "drum";
    if (contains(text, "fuser")) return "fuser";
  }
  return "kit";
}

bool isTray(std::string_view type) {
  const std::string t = lower(type);
  return t == "input" || t == "output" || contains(t, "tray");
}

std::optional<int> supplyBand(const model::Supply& supply, const std::vector<int>& points) {
  return supplyBand(supply.levelPercent, supply.state, points);
}

std::optional<int> supplyBand(std::optional<int> percent, model::SupplyState state,
                              const std::vector<int>& points) {
  const int last = static_cast<int>(points.size());
  if (percent) {
    const int p = *percent;
    if (p <= 0) return last + 1;
    int band = 0;
    for (const int w : points) {
      if (p <= w) ++band;
    }
    return band;
  }
  switch (state) {
    case model::SupplyState::kEmpty:
    case model::SupplyState::kFull: return last + 1;
    case model::SupplyState::kLow: return 1;
    case model::SupplyState::kOk:
    case model::SupplyState::kSomeRemaining: return 0;
    default: return std::nullopt;
  }
}

}  // namespace openmps::server::events
