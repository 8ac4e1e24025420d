// Device definitions come from bundles and from dealers' own folders: any
// text must end in a PmdError (file, line, field) or a definition.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shared/pmd/definition.hpp"
#include "shared/pmd/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::pmd;
  try {
    (void)parseDefinition(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                          "fuzz");
  } catch (const PmdError&) {
  }
  return 0;
}
