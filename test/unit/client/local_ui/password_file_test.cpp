#include "client/local_ui/password_file.hpp"

#include <filesystem>
#include <set>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/util/files.hpp"
#include "test/unit/temp_dir.hpp"

using namespace openmps;
using namespace openmps::client::local_ui;

namespace {

// The cheapest cost libsodium allows: the tests check the handling, not Argon2.
constexpr PasswordCost kCheap{1, 8192};

}  // namespace

TEST_CASE("local UI password: Argon2id hash in a 0600 file, verified") {
  test::TempDir dir("local-ui-test");
  PasswordFile file(dir.path() / "local-ui.password", kCheap);
  CHECK_FALSE(file.isSet());
  CHECK_FALSE(file.verify(util::Secret("correct horse")));
  file.set(util::Secret("correct horse"));
  CHECK(file.isSet());
  CHECK(file.verify(util::Secret("correct horse")));
  CHECK_FALSE(file.verify(util::Secret("correct horsf")));
  const auto text = util::readFile(file.path());
  CHECK_THAT(text, Catch::StartsWith("$argon2id$"));
  CHECK(text.find("correct horse") == std::string::npos);
  struct stat info {};
  REQUIRE(::stat(file.path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("local UI password: a garbled file verifies nothing") {
  test::TempDir dir("local-ui-test");
  util::writeFileAtomically(dir.path() / "p", "not a hash\n", 0600);
  PasswordFile file(dir.path() / "p", kCheap);
  CHECK_FALSE(file.verify(util::Secret("not a hash")));
}

TEST_CASE("local UI password: length rules") {
  CHECK_FALSE(passwordProblem(util::Secret("short")).empty());
  CHECK(passwordProblem(util::Secret("0123456789")).empty());
  CHECK_FALSE(passwordProblem(util::Secret(std::string(kMaxPasswordLength + 1, 'x'))).empty());
}

TEST_CASE("local UI setup code: one use, random, compared in constant time") {
  const auto code = newSetupCode();
  CHECK(code.size() == 14);
  CHECK(code[4] == '-');
  std::set<std::string> codes;
  for (int i = 0; i < 50; ++i) codes.insert(newSetupCode());
  CHECK(codes.size() == 50);
  SetupCode setup(code);
  CHECK(setup.active());
  CHECK(setup.matches(code));
  CHECK_FALSE(setup.matches(code + "X"));
  CHECK_FALSE(setup.matches(""));
  setup.consume();
  CHECK_FALSE(setup.active());
  CHECK_FALSE(setup.matches(code));
  CHECK(randomToken() != randomToken());
  CHECK(randomToken(32).size() == 43);
  CHECK(equalConstantTime("abc", "abc"));
  CHECK_FALSE(equalConstantTime("abc", "abd"));
}
