#include "server/metrics/metrics_registry.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace openmps::server::metrics {
namespace {

enum Type { kCounter, kHistogram, kGauge };

constexpr std::string_view typeName(int type) {
  return type == kCounter ? "counter" : type == kHistogram ? "histogram" : "gauge";
}

std::string labelText(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + escapeLabelValue(labels[i].second) + '"';
  }
  return out + "}";
}

// A histogram's bucket label joins the series' own labels.
std::string withLe(const Labels& labels, const std::string& le) {
  Labels all = labels;
  all.emplace_back("le", le);
  return labelText(all);
}

struct HistogramSeries {
  std::vector<std::uint64_t> buckets;  // not cumulative; one per bound
  std::uint64_t count = 0;
  double sum = 0;
};

}  // namespace

struct Registry::Family {
  int type = kCounter;
  std::string help;
  std::vector<double> bounds;
  GaugeReader read;
  // Keyed by the rendered label text: the same labels in the same order
  // are the same series.
  std::map<std::string, double> counters;
  std::map<std::string, std::pair<Labels, HistogramSeries>> histograms;
};

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::declareCounter(std::string name, std::string help) {
  auto f = std::make_unique<Family>();
  f->type = kCounter;
  f->help = std::move(help);
  const std::lock_guard lock(mutex_);
  families_[std::move(name)] = std::move(f);
}

void Registry::declareHistogram(std::string name, std::string help, std::vector<double> bounds) {
  auto f = std::make_unique<Family>();
  f->type = kHistogram;
  f->help = std::move(help);
  f->bounds = std::move(bounds);
  const std::lock_guard lock(mutex_);
  families_[std::move(name)] = std::move(f);
}

void Registry::declareGauge(std::string name, std::string help, GaugeReader read) {
  auto f = std::make_unique<Family>();
  f->type = kGauge;
  f->help = std::move(help);
  f->read = std::move(read);
  const std::lock_guard lock(mutex_);
  families_[std::move(name)] = std::move(f);
}

Registry::Family& Registry::family(std::string_view name, int type) {
  const auto it = families_.find(name);
  if (it == families_.end() || it->second->type != type) {
    throw std::logic_error("metrics: no " + std::string(typeName(type)) + " named " +
                           std::string(name));
  }
  return *it->second;
}

void Registry::add(std::string_view counter, const Labels& labels, double amount) {
  const std::lock_guard lock(mutex_);
  family(counter, kCounter).counters[labelText(labels)] += amount;
}

void Registry::observe(std::string_view histogram, const Labels& labels, double value) {
  const std::lock_guard lock(mutex_);
  Family& f = family(histogram, kHistogram);
  auto& [stored, series] = f.histograms[labelText(labels)];
  if (series.buckets.empty()) {
    stored = labels;
    series.buckets.assign(f.bounds.size(), 0);
  }
  for (std::size_t i = 0; i < f.bounds.size(); ++i) {
    if (value <= f.bounds[i]) {
      ++series.buckets[i];
      break;
    }
  }
  ++series.count;
  series.sum += value;
}

double Registry::value(std::string_view counter, const Labels& labels) const {
  const std::lock_guard lock(mutex_);
  const auto it = families_.find(counter);
  if (it == families_.end()) return 0;
  const auto s = it->second->counters.find(labelText(labels));
  return s == it->second->counters.end() ? 0 : s->second;
}

std::string Registry::render() const {
  // Gauges are read outside the lock: a reader may take its own locks.
  std::map<std::string, std::vector<GaugeSample>, std::less<>> gauges;
  {
    std::vector<std::pair<std::string, GaugeReader>> readers;
    {
      const std::lock_guard lock(mutex_);
      for (const auto& [name, f] : families_) {
        if (f->type == kGauge) readers.emplace_back(name, f->read);
      }
    }
    for (const auto& [name, read] : readers)
      gauges[name] = read ? read() : std::vector<GaugeSample>{};
  }
  const std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + ' ' + f->help + '\n';
    out += "# TYPE " + name + ' ' + std::string(typeName(f->type)) + '\n';
    if (f->type == kCounter) {
      for (const auto& [labels, v] : f->counters)
        out += name + labels + ' ' + formatValue(v) + '\n';
    } else if (f->type == kGauge) {
      for (const auto& s : gauges[name]) {
        out += name + labelText(s.labels) + ' ' + formatValue(s.value) + '\n';
      }
    } else {
      for (const auto& [key, entry] : f->histograms) {
        const auto& [labels, series] = entry;
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < f->bounds.size(); ++i) {
          cumulative += series.buckets[i];
          out += name + "_bucket" + withLe(labels, formatValue(f->bounds[i])) + ' ' +
                 std::to_string(cumulative) + '\n';
        }
        out +=
            name + "_bucket" + withLe(labels, "+Inf") + ' ' + std::to_string(series.count) + '\n';
        out += name + "_sum" + key + ' ' + formatValue(series.sum) + '\n';
        out += name + "_count" + key + ' ' + std::to_string(series.count) + '\n';
      }
    }
  }
  return out;
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace openmps::server::metrics
