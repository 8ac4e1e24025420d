#include "server/auth/password_policy.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

using Catch::Matchers::Contains;
using openmps::server::auth::PasswordPolicy;
using openmps::server::auth::utf8Length;

TEST_CASE("length counts characters, 8 to 64", "[server][auth]") {
  const PasswordPolicy policy;
  CHECK_THAT(policy.problem("Ab1!xyz"), Contains("shorter than 8"));
  CHECK(policy.problem("Ab1!xyzq").empty());
  CHECK(policy.problem("Zq7!" + std::string(60, 'k')).empty());
  CHECK_THAT(policy.problem("Zq7!" + std::string(61, 'k')), Contains("longer than 64"));
  // Seven characters in more than eight bytes are still too short.
  CHECK(utf8Length("Gr\xc3\xbc\xc3\x9f"
                   "e1") == 6);
  CHECK_THAT(policy.problem("Gr\xc3\xbc\xc3\x9f"
                            "e1x"),
             Contains("shorter than 8"));
  CHECK_THAT(policy.problem("Abc1\xff\xfe!xyz"), Contains("UTF-8"));
  CHECK_THAT(policy.problem("Abc1\nefgh"), Contains("control character"));
}

TEST_CASE("three of four character classes", "[server][auth]") {
  const PasswordPolicy policy;
  CHECK_THAT(policy.problem("qzkwvhtrbn"), Contains("at least 3"));
  CHECK_THAT(policy.problem("qzkwvHTRBN"), Contains("at least 3"));
  CHECK_THAT(policy.problem("qzkw9813"), Contains("at least 3"));
  CHECK(policy.problem("qzkwVH81").empty());         // lower, upper, digit
  CHECK(policy.problem("qzkw vh81").empty());        // lower, digit, other
  CHECK(policy.problem("qzkw\xc3\xa9h81").empty());  // non-ASCII counts as other
}

TEST_CASE("common passwords and dressed-up words are refused", "[server][auth]") {
  const PasswordPolicy policy;
  for (const char* weak : {"Password1", "P@ssw0rd", "P@ssw0rd1!", "Welcome123!", "Sommer2024!",
                           "Qwertz123", "1Password!", "Dezember24!", "@dmin2024", "Drucker#1"}) {
    INFO(weak);
    CHECK_THAT(policy.problem(weak), Contains("common"));
  }
  CHECK(policy.problem("Kx9!vomit-Prawn").empty());
}

TEST_CASE("a word list adds its words", "[server][auth]") {
  const auto path = std::filesystem::temp_directory_path() / "openmps_words_test.txt";
  {
    std::ofstream out(path);
    out << "zebrafish\nab\nQuokka\r\n";
  }
  PasswordPolicy policy;
  const std::size_t before = policy.wordCount();
  CHECK(policy.problem("Zebrafish99!").empty());
  policy.addWordList(path);
  CHECK(policy.wordCount() == before + 2);  // "ab" is too short to count
  CHECK_THAT(policy.problem("Zebrafish99!"), Contains("common"));
  CHECK(policy.problem("QUOKKA#2025x").empty());  // followed by more letters, not the word
  CHECK_THAT(policy.problem("QUOKKA#2025"), Contains("common"));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(policy.addWordList(path), Contains("cannot read the word list"));
}

TEST_CASE("the password may not contain the user name", "[server][auth]") {
  const PasswordPolicy policy;
  CHECK_THAT(policy.problem("xx-Mueller-42", "mueller"), Contains("user name"));
  CHECK(policy.problem("xx-Mueller-42", "jo").empty());
}
