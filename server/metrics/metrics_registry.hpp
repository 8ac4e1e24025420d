#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Counters, histograms and gauges in the Prometheus text format (version
// 0.0.4). Families are declared once with their help text; series are
// made on first use by their label values. Thread-safe: the listeners'
// worker threads count while /metrics renders.
namespace openmps::server::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One gauge reading: its labels and value, taken when /metrics is asked.
struct GaugeSample {
  Labels labels;
  double value = 0;
};
using GaugeReader = std::function<std::vector<GaugeSample>()>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  void declareCounter(std::string name, std::string help);
  // `bounds`: the upper bounds of the buckets, ascending (+Inf is implied).
  void declareHistogram(std::string name, std::string help, std::vector<double> bounds);
  // Read at each rendering (pool use, queue lengths).
  void declareGauge(std::string name, std::string help, GaugeReader read);

  // Throw std::logic_error for a family not declared as that type.
  void add(std::string_view counter, const Labels& labels, double amount = 1);
  void observe(std::string_view histogram, const Labels& labels, double value);

  // The current value of one counter series, 0 when it has none (tests).
  double value(std::string_view counter, const Labels& labels) const;
  std::string render() const;

 private:
  struct Family;
  Family& family(std::string_view name, int type);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

// A label value as the text format writes it (\\, \" and \n escaped).
std::string escapeLabelValue(std::string_view value);
// A sample's value: integers without a fraction, +Inf/-Inf/NaN spelled so.
std::string formatValue(double value);

}  // namespace openmps::server::metrics
