#include "client/pmd/pmd_dir.hpp"

namespace openmps::client::pmd {

std::filesystem::path defaultPmdDir() {
  // A build tree reads the definitions being edited beside it; an installed
  // binary (whose source tree is gone) reads the installed ones.
  std::error_code ec;
  std::filesystem::path source(OPENMPS_PMD_SOURCE_DIR);
  if (std::filesystem::is_regular_file(source / "generic.yaml", ec)) {
    return source;
  }
  return std::filesystem::path(OPENMPS_PMD_INSTALL_DIR);
}

}  // namespace openmps::client::pmd
