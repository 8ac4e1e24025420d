#include "test/tools/large_fleet_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

namespace openmps::test::fleet {
namespace {

// Rng streams: planning and simulation never share numbers, so changing
// one does not move the other.
enum Stream : std::uint64_t {
  kCustomerStream = 1,
  kDevicePlanStream = 2,
  kSimulationStream = 3,
  kLatestStream = 4,
  kCollectorStream = 5,
  kSizeStream = 6,
};

constexpr double kDaysPerMonth = 30.44;
// Weekends print about a tenth of a weekday; a weekday then carries
// 1 / ((5 + 2 * 0.08) / 7) of the average day.
constexpr double kWeekendFactor = 0.08;
constexpr double kWeekdayNorm = 7.0 / (5.0 + 2.0 * kWeekendFactor);
constexpr int kLowPercent = 10;  // as the client's PMD engine decides "low"

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

const char* const kDealerNames[] = {"Alpenprint Service GmbH", "Bürotechnik Nord AG",
                                    "Copie Léman SA",          "Stampa Ticino SA",
                                    "Rhein Office Systems",    "Printwerk Süd GmbH",
                                    "Imprimerie Service Lyon", "Office Partners London",
                                    "Donau Druck & Service",   "Lago Stampa Srl"};
const char* const kFamilies[] = {"Müller",  "Schneider", "Fischer", "Weber",  "Meyer",
                                 "Rossi",   "Bernard",   "Dubois",  "Smith",  "Keller",
                                 "Huber",   "Moretti",   "Lefèvre", "Brown",  "Zimmermann",
                                 "Bianchi", "Roux",      "Taylor",  "Schmid", "Gallo"};
const char* const kTrades[] = {"Logistik GmbH", "Architekten",     "Treuhand AG", "Avocats",
                               "Studio Legale", "Engineering Ltd", "Praxis",      "Immobilien",
                               "Consulting",    "Bau AG",          "Notariat",    "Transports SA"};

struct Region {
  const char* timeZone;
  const char* locale;
  double share;
};
const Region kRegions[] = {
    {"Europe/Berlin", "de", 0.30}, {"Europe/Vienna", "de", 0.08},    {"Europe/Zurich", "de", 0.08},
    {"Europe/Zurich", "fr", 0.04}, {"Europe/Paris", "fr", 0.12},     {"Europe/Rome", "it", 0.12},
    {"Europe/London", "en", 0.08}, {"America/New_York", "en", 0.06}, {"UTC", "en", 0.12}};

const char* const kPlaces[] = {"Reception", "Accounting", "Copy room", "Sales",     "Workshop",
                               "Warehouse", "Management", "Marketing", "IT office", "Archive"};

template <typename T, std::size_t N>
const T& pick(Rng& rng, const T (&list)[N]) {
  return list[static_cast<std::size_t>(rng.between(0, static_cast<std::int64_t>(N) - 1))];
}

std::string base32(std::uint64_t value, int length) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHJKLMNPQRSTVWXZ";
  std::string out(static_cast<std::size_t>(length), '0');
  for (int i = length - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 31U];
    value >>= 5U;
  }
  return out;
}

// A serial that is unique for every device index: the index is spread by a
// multiplication that is a bijection modulo 2^40.
std::string deviceSerial(const ModelSpec& spec, std::uint64_t seed, int index) {
  const std::uint64_t spread =
      ((static_cast<std::uint64_t>(index) + (seed << 20U)) * 0x9E3779B97F4BULL) &
      ((1ULL << 40U) - 1);
  return std::string(spec.serialPrefix) + base32(spread, 8);
}

std::string deviceMac(const ModelSpec& spec, int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s:%02x:%02x:%02x", spec.macPrefix, (index >> 16) & 0xff,
                (index >> 8) & 0xff, index & 0xff);
  return buf;
}

std::string deviceIp(int position) {
  return "10." + std::to_string(position / 64'000 % 256) + "." +
         std::to_string(position / 250 % 256) + "." + std::to_string(position % 250 + 1);
}

int pickModel(Rng& rng) {
  const auto& models = catalog();
  double u = rng.uniform();
  for (std::size_t i = 0; i < models.size(); ++i) {
    u -= models[i].share;
    if (u < 0) {
      return static_cast<int>(i);
    }
  }
  return 0;
}

const Region& pickRegion(Rng& rng) {
  double u = rng.uniform();
  for (const auto& r : kRegions) {
    u -= r.share;
    if (u < 0) {
      return r;
    }
  }
  return kRegions[0];
}

// Splits `total` into `parts` sizes of at least one, in proportion to
// log-normal weights (largest remainder), so customers differ in size.
std::vector<int> splitSizes(Rng& rng, int total, int parts) {
  std::vector<double> weights(static_cast<std::size_t>(parts));
  for (auto& w : weights) {
    w = std::exp(0.9 * rng.normal());
  }
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  const int spare = total - parts;
  std::vector<int> sizes(weights.size(), 1);
  std::vector<std::pair<double, std::size_t>> remainders;
  int given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = spare * weights[i] / sum;
    const int whole = static_cast<int>(exact);
    sizes[i] += whole;
    given += whole;
    remainders.emplace_back(exact - whole, i);
  }
  std::sort(remainders.begin(), remainders.end(), std::greater<>());
  for (int i = 0; i < spare - given; ++i) {
    sizes[remainders[static_cast<std::size_t>(i)].second] += 1;
  }
  return sizes;
}

std::string customerName(Rng& rng, int index) {
  char number[16];
  std::snprintf(number, sizeof number, " %04d", index);
  return std::string(pick(rng, kFamilies)) + " " + pick(rng, kTrades) + number;
}

Customer planCustomer(const FleetParams& p, int index, int dealer, std::set<std::int64_t>& ids) {
  Rng rng(p.seed, kCustomerStream, static_cast<std::uint64_t>(index));
  Customer c;
  c.index = index;
  c.dealer = dealer;
  c.name = customerName(rng, index);
  const Region& region = pickRegion(rng);
  c.timeZone = region.timeZone;
  c.locale = region.locale;
  static constexpr int kBillingDays[] = {15, 20, 25, 28, 31};
  c.billingDay = rng.chance(0.8) ? 1 : pick(rng, kBillingDays);
  static constexpr int kLeadDays[] = {3, 5, 10, 14};
  c.leadDays = rng.chance(0.7) ? 7 : pick(rng, kLeadDays);
  Rng idRng(p.seed, kCollectorStream, static_cast<std::uint64_t>(index));
  do {
    c.collectorId = static_cast<std::int64_t>((idRng.next() & ((1ULL << 53U) - 1)) | 1U);
  } while (!ids.insert(c.collectorId).second);
  return c;
}

Device planDevice(const FleetParams& p, const Customer& customer, int index, int position) {
  Rng rng(p.seed, kDevicePlanStream, static_cast<std::uint64_t>(index));
  Device d;
  d.index = index;
  d.customer = customer.index;
  d.model = pickModel(rng);
  const ModelSpec& spec = catalog()[static_cast<std::size_t>(d.model)];
  d.serial = deviceSerial(spec, p.seed, index);
  d.mac = deviceMac(spec, index);
  d.ip = deviceIp(position);
  char host[32];
  std::snprintf(host, sizeof host, "prn-%04d", position + 1);
  d.hostName = host;
  d.location = "Floor " + std::to_string(rng.between(0, 6)) + ", " + pick(rng, kPlaces);
  d.contact = "it@customer" + std::to_string(customer.index) + ".example";
  d.firmware = spec.firmware[rng.chance(0.8) ? spec.firmware.size() - 1 : 0];
  d.monthlyPages = std::clamp(spec.typicalVolume * std::exp(0.7 * rng.normal()),
                              spec.typicalVolume * 0.05, spec.dutyCycle * 1.3);
  d.colorShare = spec.largeFormat ? 0.6 + 0.3 * rng.uniform()
                 : spec.color     ? 0.08 + 0.4 * rng.uniform()
                                  : 0.0;
  const bool mfp = std::find_if(spec.counters.begin(), spec.counters.end(), [](const char* n) {
                     return std::string_view(n) == "copy.total";
                   }) != spec.counters.end();
  d.copyShare = mfp ? 0.05 + 0.3 * rng.uniform() : 0.0;
  const bool fax = std::find_if(spec.counters.begin(), spec.counters.end(), [](const char* n) {
                     return std::string_view(n) == "fax.total";
                   }) != spec.counters.end();
  d.faxShare = fax ? 0.04 * rng.uniform() : 0.0;
  d.scansPerPage = mfp ? 0.1 + 0.8 * rng.uniform() : 0.0;
  d.coverage = std::exp(0.25 * rng.normal());
  d.startPages = static_cast<std::int64_t>(d.monthlyPages * (3.0 + 57.0 * rng.uniform()));
  d.readSecond = 3600 + static_cast<int>(rng.between(0, 3 * 3600)) / 3600 * 3600 + position * 3;
  d.history = index < p.historyDevices;
  d.firstDay = 0;
  d.lastDay = p.days - 1;
  if (d.history) {
    if (rng.chance(0.04) && p.days > 10) {
      d.gapFirst = static_cast<int>(rng.between(1, p.days - 5));
      d.gapLast = std::min(p.days - 2, d.gapFirst + static_cast<int>(rng.between(1, 24)));
    }
    if (rng.chance(0.005) && p.days > 20) {
      d.resetDay = static_cast<int>(rng.between(10, p.days - 1));
    }
    if (rng.chance(0.003) && p.days > 3) {
      d.glitchDay = static_cast<int>(rng.between(1, p.days - 2));
    }
  } else if (rng.chance(0.03)) {
    d.stale = static_cast<int>(rng.between(2, 60));
  }
  return d;
}

// A device replaced by a new one at the same place: the old one stops
// being read, the new one (next device of the customer) starts the day
// after with its own serial and nearly fresh counters.
void planSwaps(const FleetParams& p, Fleet& fleet) {
  if (p.days < 150) {
    return;
  }
  for (auto& customer : fleet.customers) {
    for (int i = 0; i + 1 < customer.deviceCount; ++i) {
      Device& old = fleet.devices[static_cast<std::size_t>(customer.firstDevice + i)];
      Device& next = fleet.devices[static_cast<std::size_t>(customer.firstDevice + i + 1)];
      Rng rng(p.seed, kDevicePlanStream,
              (std::uint64_t{1} << 40U) + static_cast<std::uint64_t>(old.index));
      if (!old.history || !next.history || !rng.chance(0.004)) {
        continue;
      }
      const int day = static_cast<int>(rng.between(60, p.days - 60));
      old.lastDay = day;
      next.firstDay = day + 1;
      next.location = old.location;
      next.ip = old.ip;
      next.hostName = old.hostName;
      next.startPages = rng.between(0, 400);
      for (Device* d : {&old, &next}) {
        d->resetDay = -1;
        d->gapFirst = d->gapLast = -1;
      }
      ++i;  // the new device does not start a swap of its own
    }
  }
}

void planLostBatches(const FleetParams& p, Customer& c) {
  Rng rng(p.seed, kCustomerStream, (std::uint64_t{1} << 40U) + static_cast<std::uint64_t>(c.index));
  if (!c.history || p.days < 10 || !rng.chance(0.3)) {
    return;
  }
  const auto lost = rng.between(1, 3);
  for (std::int64_t i = 0; i < lost; ++i) {
    c.lostBatchDays.push_back(static_cast<int>(rng.between(1, p.days - 3)));
  }
  std::sort(c.lostBatchDays.begin(), c.lostBatchDays.end());
  c.lostBatchDays.erase(std::unique(c.lostBatchDays.begin(), c.lostBatchDays.end()),
                        c.lostBatchDays.end());
}

// ---- simulation -----------------------------------------------------------

struct Cartridge {
  double capacity = 0;  // pages this device gets from it
  double left = 0;
  double replaceAt = 0;    // fraction left at which someone replaces it
  bool runsEmpty = false;  // stays in until empty, then waitDays more
  int waitDays = 0;        // days it stays empty before the new one is in
  int emptyDays = 0;
  std::string serial;
};

struct Totals {
  double mono = 0;
  double color = 0;
  double print = 0;
  double copy = 0;
  double fax = 0;
  double scan = 0;
};

class Simulation {
 public:
  Simulation(const Fleet& fleet, const Device& device, std::uint64_t stream)
      : fleet_(fleet),
        device_(device),
        spec_(catalog()[static_cast<std::size_t>(device.model)]),
        rng_(fleet.params.seed, stream, static_cast<std::uint64_t>(device.index)) {
    const double start = static_cast<double>(device.startPages);
    totals_.color = start * device.colorShare;
    totals_.mono = start - totals_.color;
    totals_.copy = start * device.copyShare;
    totals_.fax = start * device.faxShare;
    totals_.print = start - totals_.copy - totals_.fax;
    totals_.scan = start * device.scansPerPage;
    for (const auto& s : spec_.supplies) {
      cartridges_.push_back(newCartridge(s, rng_.uniform()));
    }
  }

  std::vector<Read> history() {
    std::vector<Read> reads;
    for (int day = device_.firstDay; day <= device_.lastDay; ++day) {
      if (day == device_.resetDay) {
        resetCounters();
      }
      if (isRead(fleet_, device_, day)) {
        reads.push_back(read(day));
      }
      replaceCartridges();
      printDay(day);
    }
    return reads;
  }

  Read latest() {
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      cartridges_[i] = newCartridge(spec_.supplies[i], rng_.uniform());
    }
    return read(latestReadDay(fleet_, device_));
  }

 private:
  Cartridge newCartridge(const SupplySpec& s, double fill) {
    Cartridge c;
    const bool consumable = !s.receptacle && std::string_view(s.type) != "opc";
    c.capacity = s.yieldPages / (consumable ? device_.coverage : 1.0);
    c.left = c.capacity * fill;
    const double u = rng_.uniform();
    if (u < 0.55) {
      c.runsEmpty = true;
      c.waitDays = static_cast<int>(rng_.between(0, 3));
    } else if (u < 0.85) {
      c.replaceAt = 0.01 + 0.07 * rng_.uniform();
    } else if (u < 0.97) {
      c.replaceAt = 0.08 + 0.17 * rng_.uniform();
    } else {
      c.replaceAt = 0.3 + 0.3 * rng_.uniform();  // replaced early: never runs out
    }
    if (std::string_view(s.type) == "toner" || std::string_view(s.type) == "ink") {
      c.serial = "CR" + base32(rng_.next(), 10);
    }
    return c;
  }

  void replaceCartridges() {
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      Cartridge& c = cartridges_[i];
      const double fraction = c.left / c.capacity;
      if (fraction > c.replaceAt) {
        continue;
      }
      if (c.runsEmpty && c.emptyDays++ < c.waitDays) {
        continue;
      }
      Cartridge next = newCartridge(spec_.supplies[i], 0.97 + 0.03 * rng_.uniform());
      c = next;
    }
  }

  double pagesOn(int day) {
    const auto date = std::chrono::year_month_day{fleet_.params.end -
                                                  std::chrono::days{fleet_.params.days - day}};
    const std::chrono::weekday wd{std::chrono::sys_days{date}};
    double factor = (wd == std::chrono::Saturday || wd == std::chrono::Sunday)
                        ? kWeekendFactor * kWeekdayNorm
                        : kWeekdayNorm;
    const unsigned month = static_cast<unsigned>(date.month());
    const unsigned dom = static_cast<unsigned>(date.day());
    if (month == 8) {
      factor *= 0.75;
    } else if ((month == 12 && dom >= 23) || (month == 1 && dom <= 2)) {
      factor *= 0.4;
    }
    const double noise = std::exp(0.35 * rng_.normal() - 0.06);
    carry_ += device_.monthlyPages / kDaysPerMonth * factor * noise;
    const double whole = std::floor(carry_);
    carry_ -= whole;
    return whole;
  }

  bool blackEmpty() const {
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      const auto& s = spec_.supplies[i];
      if (!s.receptacle && !s.colorPagesOnly && std::string_view(s.type) != "opc" &&
          cartridges_[i].left <= 0) {
        return true;
      }
    }
    return false;
  }

  bool colorEmpty() const {
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      if (spec_.supplies[i].colorPagesOnly && cartridges_[i].left <= 0) {
        return true;
      }
    }
    return false;
  }

  void printDay(int day) {
    double pages = pagesOn(day);
    if (blackEmpty()) {
      pages = 0;  // the device stops until the cartridge is replaced
    }
    double color = std::round(pages * device_.colorShare * (0.7 + 0.6 * rng_.uniform()));
    color = colorEmpty() ? 0 : std::min(color, pages);
    const double copy = std::min(pages, std::round(pages * device_.copyShare));
    const double fax = std::min(pages - copy, std::round(pages * device_.faxShare));
    totals_.mono += pages - color;
    totals_.color += color;
    totals_.copy += copy;
    totals_.fax += fax;
    totals_.print += pages - copy - fax;
    totals_.scan += std::round(pages * device_.scansPerPage * (0.5 + rng_.uniform()));
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      const auto& s = spec_.supplies[i];
      const double used = (s.colorPagesOnly ? color * (0.6 + 0.8 * rng_.uniform()) : pages) *
                          (0.85 + 0.3 * rng_.uniform());
      cartridges_[i].left = std::max(0.0, cartridges_[i].left - used);
    }
  }

  void resetCounters() {
    for (const char* name : spec_.counters) {
      base_[name] = std::max<std::int64_t>(0, value(name) - rng_.between(0, 12));
    }
  }

  std::int64_t raw(std::string_view name) const {
    const double total = totals_.mono + totals_.color;
    if (name == "total" || name == "large.total") return std::llround(total);
    if (name == "mono") return std::llround(totals_.mono);
    if (name == "color" || name == "large.color") return std::llround(totals_.color);
    if (name == "print.total") return std::llround(totals_.print);
    if (name == "copy.total") return std::llround(totals_.copy);
    if (name == "fax.total") return std::llround(totals_.fax);
    if (name == "scan.total") return std::llround(totals_.scan);
    return 0;
  }

  std::int64_t value(const char* name) const {
    const auto it = base_.find(name);
    return raw(name) - (it == base_.end() ? 0 : it->second);
  }

  Read read(int day) {
    Read r;
    r.day = day;
    r.at = readTime(fleet_, device_, day);
    for (const char* name : spec_.counters) {
      std::int64_t v = value(name);
      if (day == device_.glitchDay && name == spec_.counters.front()) {
        v = std::max<std::int64_t>(0, last_[name] - rng_.between(1, 40));
      }
      const auto previous = last_.find(name);
      const bool back = previous != last_.end() && v < previous->second;
      r.counters.push_back({name, v, back, back ? previous->second : 0});
      last_[name] = v;
    }
    for (std::size_t i = 0; i < cartridges_.size(); ++i) {
      r.supplies.push_back(supplyReading(static_cast<int>(i), cartridges_[i]));
    }
    r.status = status(r.supplies);
    return r;
  }

  model::Supply supplyReading(int i, const Cartridge& c) const {
    const SupplySpec& s = spec_.supplies[static_cast<std::size_t>(i)];
    model::Supply out;
    out.index = i + 1;
    out.description = s.description;
    out.type = s.type;
    out.color = s.color;
    out.supplyClass = s.receptacle ? "receptacle" : "consumed";
    out.partNumber = s.partNumber;
    out.serial = c.serial;
    const double percent = 100.0 * c.left / c.capacity;
    switch (spec_.scale) {
      case LevelScale::kPercent:
        out.unit = "percent";
        out.max = 100;
        out.level =
            c.left <= 0 ? 0 : std::clamp<std::int64_t>(std::llround(std::ceil(percent)), 1, 100);
        break;
      case LevelScale::kImpressions:
        out.unit = "impressions";
        out.max = static_cast<std::int64_t>(s.yieldPages);
        out.level = std::llround(c.left / c.capacity * s.yieldPages / 10.0) * 10;
        break;
      case LevelScale::kSteps: {
        out.unit = "percent";
        out.max = 100;
        const double steps = std::ceil(percent / spec_.stepPercent);
        const auto level = static_cast<std::int64_t>(steps) * spec_.stepPercent;
        out.level = c.left <= 0 ? 0 : (level >= 99 ? 100 : level);
        break;
      }
      case LevelScale::kSomeRemaining:
        out.unit = "impressions";
        out.max = -2;
        out.level = c.left <= 0 ? 0 : -3;
        break;
    }
    decideState(out);
    return out;
  }

  // The client's rule (client/pmd/engine.cpp): percent where level and
  // capacity say it, low at 10 % or less, empty (full) at 0.
  static void decideState(model::Supply& s) {
    if (s.level == -3) {
      s.state = model::SupplyState::kSomeRemaining;
      return;
    }
    const bool receptacle = s.supplyClass == "receptacle";
    if (s.max <= 0) {
      s.state = s.level == 0 ? (receptacle ? model::SupplyState::kFull : model::SupplyState::kEmpty)
                             : model::SupplyState::kSomeRemaining;
      return;
    }
    s.levelPercent = static_cast<int>(std::lround(
        std::min(100.0, static_cast<double>(s.level) * 100.0 / static_cast<double>(s.max))));
    if (*s.levelPercent == 0) {
      s.state = receptacle ? model::SupplyState::kFull : model::SupplyState::kEmpty;
    } else if (*s.levelPercent <= kLowPercent) {
      s.state = model::SupplyState::kLow;
    } else {
      s.state = model::SupplyState::kOk;
    }
  }

  model::Status status(const std::vector<model::Supply>& supplies) {
    model::Status st;
    bool low = false;
    bool empty = false;
    for (std::size_t i = 0; i < supplies.size(); ++i) {
      const auto& s = supplies[i];
      if (s.type != "toner" && s.type != "ink") {
        continue;
      }
      const double percent = 100.0 * cartridges_[i].left / cartridges_[i].capacity;
      empty = empty || cartridges_[i].left <= 0;
      low = low || percent <= kLowPercent;
    }
    auto raise = [&](const char* error, const char* severity, const char* group, int code,
                     const char* text) {
      st.errors.emplace_back(error);
      st.alerts.push_back({static_cast<int>(st.alerts.size()) + 1, severity, group, code, text});
    };
    if (empty) {
      raise("noToner", "critical", "markerSupplies", 1101, "Replace toner");
    } else if (low) {
      raise("lowToner", "warning", "markerSupplies", 1104, "Toner low");
    }
    if (rng_.chance(0.003)) raise("jammed", "critical", "mediaPath", 8, "Paper jam in tray 2");
    if (rng_.chance(0.004)) raise("noPaper", "critical", "input", 808, "Tray 2 empty");
    if (rng_.chance(0.01)) raise("lowPaper", "warning", "input", 807, "Tray 1 low");
    if (rng_.chance(0.0005)) raise("doorOpen", "critical", "cover", 3, "Front cover open");
    if (rng_.chance(0.0004)) {
      raise("serviceRequested", "critical", "other", 1, "Service call SC542");
    }
    bool critical = false;
    for (const auto& e : st.errors) {
      critical = critical || model::isCriticalError(e);
    }
    st.printerStatus = rng_.chance(0.06) ? "printing" : "idle";
    st.deviceStatus = critical ? "down" : (st.errors.empty() ? "running" : "warning");
    return st;
  }

  const Fleet& fleet_;
  const Device& device_;
  const ModelSpec& spec_;
  Rng rng_;
  Totals totals_;
  double carry_ = 0;
  std::vector<Cartridge> cartridges_;
  std::map<std::string, std::int64_t, std::less<>> base_;
  std::map<std::string, std::int64_t, std::less<>> last_;
};

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index)
    : state_(mix(mix(seed * 0x9E3779B97F4A7C15ULL + stream) + index)) {}

std::uint64_t Rng::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  return mix(state_);
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11U) * 0x1.0p-53;
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) {
    return lo;
  }
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(next() % span);
}

Fleet planFleet(const FleetParams& p) {
  if (p.dealers < 1 || p.customers < p.dealers ||
      p.devices / p.dealers < p.customers / p.dealers + 1 || p.historyDevices > p.devices ||
      p.days < 1) {
    throw std::invalid_argument(
        "need 1 <= dealers <= customers, more devices than customers per dealer, history devices "
        "<= devices, days >= 1");
  }
  Fleet fleet;
  fleet.params = p;
  for (int d = 0; d < p.dealers; ++d) {
    fleet.dealerNames.push_back(d < 10 ? std::string(kDealerNames[d])
                                       : "Dealer " + std::to_string(d));
  }
  Rng sizes(p.seed, kSizeStream, 0);
  std::set<std::int64_t> collectorIds;
  int customerIndex = 0;
  for (int d = 0; d < p.dealers; ++d) {
    const int customers = p.customers / p.dealers + (d < p.customers % p.dealers ? 1 : 0);
    const int devices = p.devices / p.dealers + (d < p.devices % p.dealers ? 1 : 0);
    const auto split = splitSizes(sizes, devices, customers);
    for (int i = 0; i < customers; ++i, ++customerIndex) {
      Customer c = planCustomer(p, customerIndex, d, collectorIds);
      c.firstDevice = static_cast<int>(fleet.devices.size());
      c.deviceCount = split[static_cast<std::size_t>(i)];
      for (int k = 0; k < c.deviceCount; ++k) {
        fleet.devices.push_back(planDevice(p, c, static_cast<int>(fleet.devices.size()), k));
      }
      c.history = c.firstDevice < p.historyDevices;
      planLostBatches(p, c);
      fleet.customers.push_back(std::move(c));
    }
  }
  planSwaps(p, fleet);
  return fleet;
}

int latestReadDay(const Fleet& fleet, const Device& device) {
  // Never before the first day (few days, long stale), and never on a day
  // whose batch was lost: its read would name a batch that does not exist.
  int day = std::max(0, fleet.params.days - 1 - device.stale);
  const auto& lost = fleet.customers[static_cast<std::size_t>(device.customer)].lostBatchDays;
  while (day > 0 && std::binary_search(lost.begin(), lost.end(), day)) {
    --day;
  }
  return day;
}

bool isRead(const Fleet& fleet, const Device& device, int day) {
  if (!device.history) {
    return day == latestReadDay(fleet, device);
  }
  if (day < device.firstDay || day > device.lastDay) {
    return false;
  }
  if (day >= device.gapFirst && day <= device.gapLast) {
    return false;
  }
  const auto& lost = fleet.customers[static_cast<std::size_t>(device.customer)].lostBatchDays;
  return !std::binary_search(lost.begin(), lost.end(), day);
}

TimePoint readTime(const Fleet& fleet, const Device& device, int day) {
  const std::uint64_t jitter =
      mix(fleet.params.seed ^ (static_cast<std::uint64_t>(device.index) << 20U) ^
          static_cast<std::uint64_t>(day)) %
      240;
  return dayStart(fleet, day) + std::chrono::seconds{device.readSecond} +
         std::chrono::seconds{jitter};
}

TimePoint dayStart(const Fleet& fleet, int day) {
  return TimePoint{fleet.params.end - std::chrono::days{fleet.params.days - day}};
}

std::vector<Read> simulateHistory(const Fleet& fleet, const Device& device) {
  return Simulation(fleet, device, kSimulationStream).history();
}

Read simulateLatest(const Fleet& fleet, const Device& device) {
  return Simulation(fleet, device, kLatestStream).latest();
}

}  // namespace openmps::test::fleet
