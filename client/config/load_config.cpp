#include <sys/stat.h>

#include "client/config/client_config.hpp"
#include "shared/util/files.hpp"

namespace openmps::client::config {

ClientConfig loadConfig(const std::filesystem::path& path) {
  std::string text;
  try {
    text = util::readFile(path, kMaxConfigBytes);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  const auto base = path.has_parent_path() ? std::filesystem::absolute(path).parent_path()
                                           : std::filesystem::current_path();
  ClientConfig config = parseConfig(text, path.string(), base);
  config.sourcePath = path;

  // Inline passwords in a world-readable file are readable by every local user.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0044) != 0 &&
      (text.find("password:") != std::string::npos ||
       text.find("community:") != std::string::npos)) {
    util::logWarning("config") << path.string()
                               << " holds SNMP secrets and is readable by other users; "
                                  "chmod 600 it or use *_file keys";
  }
  return config;
}

}  // namespace openmps::client::config
