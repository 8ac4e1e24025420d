#include "shared/util/args.hpp"

#include <algorithm>
#include <charconv>

namespace openmps::util {

std::optional<std::int64_t> parseInt(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::getOr(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::int64_t ParsedArgs::intOr(const std::string& name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const {
  const auto text = get(name);
  if (!text) return fallback;
  const auto value = parseInt(*text);
  if (!value || *value < min || *value > max) {
    throw UsageError("--" + name + " expects a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + *text + "'");
  }
  return *value;
}

ParsedArgs parseArgs(std::span<const std::string> args, std::span<const OptionSpec> specs) {
  ParsedArgs out;
  bool optionsDone = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (optionsDone || arg.size() < 2 || !arg.starts_with("--")) {
      if (!optionsDone && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        throw UsageError("unknown option '" + arg + "' (options start with --)");
      }
      out.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      optionsDone = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inlineValue;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.resize(eq);
    }
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) throw UsageError("unknown option '--" + name + "'");
    if (!spec->takesValue) {
      if (inlineValue) throw UsageError("option '--" + name + "' takes no value");
      out.values_[name];
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= args.size()) {
        throw UsageError("option '--" + name + "' needs a value (" + spec->valueName + ")");
      }
      inlineValue = args[++i];
    }
    out.values_[name].push_back(*inlineValue);
  }
  return out;
}

std::string formatOptions(std::span<const OptionSpec> specs) {
  std::size_t width = 0;
  std::vector<std::string> left;
  for (const auto& s : specs) {
    left.push_back("--" + s.name + (s.takesValue ? " " + s.valueName : ""));
    width = std::max(width, left.back().size());
  }
  std::string out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    out += "  " + left[i] + std::string(width - left[i].size() + 2, ' ') + specs[i].help + "\n";
  }
  return out;
}

}  // namespace openmps::util
