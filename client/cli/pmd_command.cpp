// openmps-client pmd check DIR: validate a folder of device definitions.
#include <cstdio>
#include <string>
#include <vector>

#include "client/cli/commands.hpp"
#include "client/pmd/pmd_dir.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/args.hpp"

namespace openmps::client::cli {

int pmdCommand(std::span<const std::string> args) {
  const std::vector<util::OptionSpec> specs = {{"help", false, "", "show this help"}};
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client pmd check [DIR]\n\n"
        "Loads every *.yaml definition in DIR (default: the built-in ones), applies\n"
        "inheritance and reports every problem as FILE:LINE:COLUMN: FIELD: PROBLEM.\n"
        "Exit status 0 when all are valid, 1 otherwise. The format: pmd/README.md.\n");
    return 0;
  }
  const auto& positional = parsed.positional();
  if (positional.empty() || positional.front() != "check" || positional.size() > 2) {
    throw util::UsageError("expected: pmd check [DIR]");
  }
  const std::filesystem::path dir =
      positional.size() == 2 ? std::filesystem::path(positional[1]) : pmd::defaultPmdDir();
  const auto report = openmps::pmd::checkDirectory(dir);
  for (const auto& error : report.errors) {
    std::fprintf(stderr, "%s\n", error.c_str());
  }
  if (!report.ok()) {
    std::fprintf(stderr, "%s: %zu definition files, %zu problems\n", dir.string().c_str(),
                 report.files, report.errors.size());
    return 1;
  }
  std::printf("%s: %zu definitions, all valid\n", dir.string().c_str(), report.files);
  return 0;
}

}  // namespace openmps::client::cli
