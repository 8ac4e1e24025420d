#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace openmps::util {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Logs go to stderr, one line each, with a syslog priority prefix ("<6>")
// so journald files them at the right level. The line is written when the
// LogLine goes out of scope:  util::logInfo("ingest") << "stored " << n;
// Every line passes util::escapeForLog (text.hpp) on its way out: values
// from outside cannot break a line or forge one. Call sites still quote
// such values through escapeForLog where they build text for other sinks.
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view component);
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  ~LogLine();

  template <typename T>
  LogLine& operator<<(const T& value) {
    if (enabled_) stream_ << value;
    return *this;
  }

 private:
  bool enabled_;
  LogLevel level_;
  std::ostringstream stream_;
};

void setLogLevel(LogLevel level);
LogLevel logLevel();
// Parses "debug", "info", "warning", "error"; throws std::invalid_argument.
LogLevel parseLogLevel(std::string_view text);
// Tests capture log lines instead of reading stderr.
void setLogSinkForTesting(std::ostringstream* sink);
// One more reader of every line written (the client daemon keeps its recent
// lines for the local UI): called under the log's lock with the level and
// the escaped line ("component: message", no newline); it must not log.
// An empty function removes it.
using LogObserver = std::function<void(LogLevel, std::string_view)>;
void setLogObserver(LogObserver observer);

inline LogLine logDebug(std::string_view component) {
  return {LogLevel::kDebug, component};
}
inline LogLine logInfo(std::string_view component) {
  return {LogLevel::kInfo, component};
}
inline LogLine logWarning(std::string_view component) {
  return {LogLevel::kWarning, component};
}
inline LogLine logError(std::string_view component) {
  return {LogLevel::kError, component};
}

}  // namespace openmps::util
