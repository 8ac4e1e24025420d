#pragma once

#include <filesystem>

namespace openmps::client::pmd {

// The folder of definitions used when none is given: the source tree's
// pmd/ while it exists (a build tree), else the installed one.
std::filesystem::path defaultPmdDir();

}  // namespace openmps::client::pmd
