#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace openmps::util {

// A command line that does not fit its command's options. The message is
// meant for the user as it stands.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;  // without the leading "--"
  bool takesValue = false;
  std::string valueName;  // for help: "--timeout-ms N"
  std::string help;
};

// Parsed "--name value", "--name=value", "--flag" and positional arguments.
// A lone "--" ends option parsing.
class ParsedArgs {
 public:
  bool has(const std::string& name) const { return values_.contains(name); }
  // Last value given for name.
  std::optional<std::string> get(const std::string& name) const;
  std::string getOr(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> all(const std::string& name) const;
  // Integer option within [min, max]; UsageError naming the option otherwise.
  std::int64_t intOr(const std::string& name, std::int64_t fallback, std::int64_t min,
                     std::int64_t max) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend ParsedArgs parseArgs(std::span<const std::string>, std::span<const OptionSpec>);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

ParsedArgs parseArgs(std::span<const std::string> args, std::span<const OptionSpec> specs);
// Two columns of "--name VALUE   help" lines for --help output.
std::string formatOptions(std::span<const OptionSpec> specs);
// Parses a whole decimal integer; nullopt on anything else or overflow.
std::optional<std::int64_t> parseInt(const std::string& text);

}  // namespace openmps::util
