#include "shared/util/args.hpp"

#include <catch2/catch.hpp>

using namespace openmps::util;

namespace {
const std::vector<OptionSpec> kSpecs = {{"community", true, "C", "community"},
                                        {"json", false, "", "json"},
                                        {"timeout-ms", true, "N", "t"}};
}

TEST_CASE("options, flags and positionals are parsed", "[util]") {
  const std::vector<std::string> argv = {
      "host", "--community", "public", "--json", "--timeout-ms=500", "--", "--x"};
  const auto a = parseArgs(argv, kSpecs);
  CHECK(a.get("community") == "public");
  CHECK(a.has("json"));
  CHECK(a.intOr("timeout-ms", 1000, 1, 60000) == 500);
  CHECK(a.positional() == std::vector<std::string>{"host", "--x"});
}

TEST_CASE("usage errors name the option", "[util]") {
  auto fails = [](std::vector<std::string> argv, const char* needle) {
    try {
      const auto a = parseArgs(argv, kSpecs);
      (void)a.intOr("timeout-ms", 1, 1, 100);
      FAIL("accepted");
    } catch (const UsageError& e) {
      CHECK_THAT(e.what(), Catch::Contains(needle));
    }
  };
  fails({"--bogus"}, "--bogus");
  fails({"--community"}, "needs a value");
  fails({"--json=yes"}, "takes no value");
  fails({"--timeout-ms", "abc"}, "--timeout-ms");
  fails({"--timeout-ms", "1000"}, "1 to 100");
  fails({"-x"}, "-x");
}
