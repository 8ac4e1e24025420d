#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"

// A simulated fleet for benchmarks: dealers, customers, collectors and
// devices with their latest state, and for the first devices a daily
// history (counters, supply cycles with replacements, status). Everything
// follows from the seed: the same parameters give the same rows.
// large_fleet_tool writes it into PostgreSQL; test/lib/openmps_test/
// large_fleet.py documents the shape.
namespace openmps::test::fleet {

using TimePoint = std::chrono::system_clock::time_point;

// splitmix64 streams: each (seed, stream, index) is independent, so a
// device simulates the same whichever thread runs it and in which order.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);
  std::uint64_t next();
  double uniform();                                        // [0, 1)
  double normal();                                         // mean 0, deviation 1
  std::int64_t between(std::int64_t lo, std::int64_t hi);  // both included
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

// How a model reports supply levels.
enum class LevelScale {
  kPercent,        // max 100, whole percent
  kImpressions,    // max = the cartridge's pages, level = pages left
  kSteps,          // max 100, only multiples of stepPercent
  kSomeRemaining,  // -3 ("some remaining") until empty, capacity -2
};

struct SupplySpec {
  const char* type;  // toner, ink, opc, wasteToner
  const char* color;
  const char* description;
  const char* partNumber;
  double yieldPages;    // pages per cartridge at the model's nominal coverage
  bool colorPagesOnly;  // cyan, magenta, yellow: used by colour pages only
  bool receptacle;      // waste toner: fills up
};

struct ModelSpec {
  const char* manufacturer;
  const char* model;
  const char* sysObjectId;
  const char* macPrefix;
  const char* serialPrefix;
  std::vector<const char*> firmware;
  bool color = false;
  bool largeFormat = false;
  int dutyCycle = 0;      // pages a month the maker rates it for
  int typicalVolume = 0;  // median pages a month in the fleet
  double share = 0;       // of the fleet
  LevelScale scale = LevelScale::kPercent;
  int stepPercent = 0;
  std::vector<const char*> counters;
  std::vector<SupplySpec> supplies;
};

const std::vector<ModelSpec>& catalog();

struct FleetParams {
  std::uint64_t seed = 1;
  int dealers = 10;
  int customers = 1000;
  int devices = 100'000;
  int historyDevices = 10'000;
  int days = 396;             // 13 months
  std::chrono::sys_days end;  // history ends the day before
};

struct Customer {
  int index = 0;
  int dealer = 0;
  std::string name;
  std::string timeZone;
  std::string locale;
  int billingDay = 1;
  int leadDays = 7;
  std::int64_t collectorId = 0;
  int firstDevice = 0;
  int deviceCount = 0;
  bool history = false;
  std::vector<int> lostBatchDays;  // batches that never arrived (their reads are missing)
};

struct Device {
  int index = 0;
  int customer = 0;
  int model = 0;
  std::string serial;
  std::string mac;
  std::string ip;
  std::string hostName;
  std::string location;
  std::string contact;
  std::string firmware;
  double monthlyPages = 0;
  double colorShare = 0;
  double copyShare = 0;
  double faxShare = 0;
  double scansPerPage = 0;
  double coverage = 1;  // toner used per page against the nominal
  std::int64_t startPages = 0;
  int readSecond = 0;  // seconds after midnight UTC of its daily read
  bool history = false;
  int firstDay = 0;  // history: first and last day it is read
  int lastDay = 0;
  int gapFirst = -1;  // days not read (collector could not reach it)
  int gapLast = -1;
  int resetDay = -1;   // controller replaced: counters start again near 0
  int glitchDay = -1;  // one counter reads a little lower for a day
  int stale = 0;       // latest-state devices: days since last seen
};

struct Fleet {
  FleetParams params;
  std::vector<std::string> dealerNames;
  std::vector<Customer> customers;
  std::vector<Device> devices;
};

Fleet planFleet(const FleetParams& params);

// One read of a device.
struct CounterValue {
  const char* name;
  std::int64_t value;
  bool backwards;  // lower than the previous read of the same counter
  std::int64_t before;
};

struct Read {
  int day = 0;
  TimePoint at;
  std::vector<CounterValue> counters;
  std::vector<model::Supply> supplies;
  model::Status status;
};

// Every day of a history device that it was read, in time order (days the
// collector lost or could not reach it are missing; the device still
// printed on them).
std::vector<Read> simulateHistory(const Fleet& fleet, const Device& device);
// The one read a latest-state-only device has.
Read simulateLatest(const Fleet& fleet, const Device& device);

bool isRead(const Fleet& fleet, const Device& device, int day);
// The day a latest-state-only device is read on.
int latestReadDay(const Fleet& fleet, const Device& device);
TimePoint dayStart(const Fleet& fleet, int day);
// When the collector reads the device on that day (a few seconds apart
// from its neighbours, a little later or earlier each day).
TimePoint readTime(const Fleet& fleet, const Device& device, int day);
model::Capabilities capabilitiesOf(const ModelSpec& spec);

}  // namespace openmps::test::fleet
