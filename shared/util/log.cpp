#include "shared/util/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "shared/util/text.hpp"

namespace openmps::util {
namespace {

std::atomic<LogLevel> gLevel{LogLevel::kInfo};
std::mutex gMutex;
std::ostringstream* gSink = nullptr;
LogObserver gObserver;

const char* prefix(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "<7>debug";
    case LogLevel::kInfo: return "<6>info";
    case LogLevel::kWarning: return "<4>warning";
    case LogLevel::kError: return "<3>error";
  }
  return "<6>info";
}

}  // namespace

LogLine::LogLine(LogLevel level, std::string_view component)
    : enabled_(level >= gLevel.load(std::memory_order_relaxed)), level_(level) {
  if (enabled_) stream_ << prefix(level_) << ' ' << component << ": ";
}

LogLine::~LogLine() {
  if (!enabled_) return;
  // The sink escapes every line whole (escapeForLog is idempotent): a
  // newline or a syslog priority from outside can never start a line of its
  // own, whatever a call site forgot.
  const std::string line = escapeForLog(stream_.str()) + '\n';
  const std::lock_guard lock(gMutex);
  if (gObserver) {
    const std::string_view text(line.data(), line.size() - 1);
    const auto space = text.find(' ');
    gObserver(level_, space == std::string_view::npos ? text : text.substr(space + 1));
  }
  if (gSink != nullptr) {
    *gSink << line;
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void setLogObserver(LogObserver observer) {
  const std::lock_guard lock(gMutex);
  gObserver = std::move(observer);
}

void setLogLevel(LogLevel level) {
  gLevel.store(level);
}
LogLevel logLevel() {
  return gLevel.load();
}

LogLevel parseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warning") return LogLevel::kWarning;
  if (text == "error") return LogLevel::kError;
  throw std::invalid_argument("unknown log level '" + std::string(text) +
                              "' (expected debug, info, warning or error)");
}

void setLogSinkForTesting(std::ostringstream* sink) {
  const std::lock_guard lock(gMutex);
  gSink = sink;
}

}  // namespace openmps::util
