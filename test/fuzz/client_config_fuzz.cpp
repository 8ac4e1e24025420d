// The client's configuration is written by hand: any text must end in a
// ConfigError (file:line:field) or a configuration, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/config/client_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::client::config;
  try {
    (void)parseConfig(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                      "/nonexistent-openmps-fuzz");
  } catch (const ConfigError&) {
  }
  return 0;
}
