#include "shared/yaml/yaml_field.hpp"

#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

namespace yaml = openmps::yaml;

namespace {

// Each caller brings its own exception type; this one keeps the parts.
struct TestError : std::runtime_error {
  TestError(const std::string& source, const yaml::Mark& m, std::string p)
      : std::runtime_error(source), mark(m), path(std::move(p)) {}
  yaml::Mark mark;
  std::string path;
};

[[noreturn]] void throwFormatted(const std::string& source, const yaml::Mark& mark,
                                 const std::string& path, const std::string& problem) {
  throw std::runtime_error(yaml::formatError(source, mark, path, problem));
}

[[noreturn]] void throwParts(const std::string& source, const yaml::Mark& mark,
                             const std::string& path, const std::string& problem) {
  throw TestError(source + "|" + problem, mark, path);
}

void returnsWithoutThrowing(const std::string&, const yaml::Mark&, const std::string&,
                            const std::string&) {}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("formatError names source, position and path") {
  CHECK(yaml::formatError("a.yaml", {3, 5}, "x.y", "bad") == "a.yaml:3:5: x.y: bad");
  CHECK(yaml::formatError("a.yaml", {}, "", "bad") == "a.yaml: bad");
  CHECK(yaml::formatError("a.yaml", {}, "top", "bad") == "a.yaml: top: bad");
}

TEST_CASE("child paths of lists and mappings, and the marks of their nodes") {
  const yaml::Context ctx("c.yaml", "/etc/x", throwFormatted);
  const auto top = ctx.load("networks:\n  - ranges: [a, b, c]\n");
  const auto networks = top.entries({"networks"});
  REQUIRE(networks.size() == 1);
  CHECK(networks[0].second.path() == "networks");
  const auto items = networks[0].second.list();
  REQUIRE(items.size() == 1);
  CHECK(items[0].path() == "networks[0]");
  const auto ranges = items[0].entries({"ranges"}).at(0).second.list();
  REQUIRE(ranges.size() == 3);
  CHECK(ranges[2].path() == "networks[0].ranges[2]");
  CHECK(ranges[2].text() == "c");
  CHECK(ranges[2].mark().line == 2);
  CHECK(ranges[2].mark().column == 20);
  CHECK(errorOf([&] { ranges[2].integer(1, 9); }) ==
        "c.yaml:2:20: networks[0].ranges[2]: expected a whole number from 1 to 9, got 'c'");
}

TEST_CASE("mappings: unknown keys, duplicates, non-scalar keys, size limit") {
  const yaml::Context ctx("c.yaml", "", throwFormatted);
  CHECK(errorOf([&] {
          ctx.load("a: 1\nbee: 2\n").entries({"a", "b"});
        }) == "c.yaml:2:1: bee: unknown key (known here: a, b)");
  CHECK(errorOf([&] { ctx.load("a: 1\na: 2\n").entries({"a"}); }) == "c.yaml:2:1: a: given twice");
  CHECK(errorOf([&] { ctx.load("? [x]\n: 1\n").entries({"a"}); }) ==
        "c.yaml:1:3: keys must be plain words");
  CHECK(errorOf([&] { ctx.load("- 1\n").entries({"a"}); }) ==
        "c.yaml:1:1: expected a mapping of keys to values");
  CHECK(ctx.load("anything: 1\nelse: 2\n").entries().size() == 2);
  const std::vector<std::string> allowed = {"p", "q"};
  CHECK(errorOf([&] { ctx.load("r: 1\n").entries(allowed); }) ==
        "c.yaml:1:1: r: unknown key (known here: p, q)");

  yaml::Options limited;
  limited.maxMappingKeys = 2;
  const yaml::Context small("s.yaml", "", throwFormatted, limited);
  CHECK(errorOf([&] { small.load("a: 1\nb: 2\nc: 3\n").entries(); }) ==
        "s.yaml:1:1: more than 2 keys");
  CHECK(small.load("a: 1\nb: 2\n").entries().size() == 2);
}

TEST_CASE("scalars: text, integer, boolean") {
  const yaml::Context ctx("c.yaml", "", throwFormatted);
  const auto f = ctx.load("t: abc\nn: 42\nb: on\ne: ''\nl: [1]\n").entries();
  CHECK(f[0].second.text() == "abc");
  CHECK(errorOf([&] { f[0].second.text(2); }) == "c.yaml:1:4: t: longer than 2 characters");
  CHECK(f[1].second.integer(0, 100) == 42);
  CHECK(errorOf([&] { f[1].second.integer(0, 10); }) ==
        "c.yaml:2:4: n: expected a whole number from 0 to 10, got '42'");
  CHECK(f[2].second.boolean());
  CHECK(f[3].second.text().empty());
  CHECK(errorOf([&] { f[4].second.scalar(); }) ==
        "c.yaml:5:4: l: expected a single value, not a list or a mapping");
  CHECK(errorOf([&] { f[0].second.boolean(); }) ==
        "c.yaml:1:4: t: expected true or false, got 'abc'");

  yaml::Options strict;
  strict.emptyTextAllowed = false;
  strict.onOffBooleans = false;
  strict.boundedScalars = true;
  strict.maxText = 3;
  const yaml::Context sctx("s.yaml", "", throwFormatted, strict);
  const auto g = sctx.load("e: ''\nb: on\nn: 12345\nt: yes\n").entries();
  CHECK(errorOf([&] { g[0].second.text(); }) == "s.yaml:1:4: e: must not be empty");
  CHECK(errorOf([&] { g[1].second.boolean(); }) ==
        "s.yaml:2:4: b: expected true or false, got 'on'");
  CHECK(errorOf([&] { g[2].second.integer(0, 99999); }) ==
        "s.yaml:3:4: n: longer than 3 characters");
  CHECK(g[3].second.boolean());
}

TEST_CASE("lists: a single value as a list of one, and the limits") {
  yaml::Options options;
  options.maxListItems = 2;
  const yaml::Context ctx("c.yaml", "", throwFormatted, options);
  const auto f = ctx.load("one: x\nmap: {a: 1}\nmany: [1, 2, 3]\nnone:\n").entries();
  const auto one = f[0].second.list();
  REQUIRE(one.size() == 1);
  CHECK(one[0].path() == "one");
  CHECK(errorOf([&] { f[1].second.list(); }) == "c.yaml:2:6: map: expected a list");
  CHECK(errorOf([&] { f[2].second.list(); }) == "c.yaml:3:7: many: more than 2 entries");
  CHECK(errorOf([&] { f[3].second.list(); }) == "c.yaml:5:1: none: expected a list");

  options.anyValueIsListOfOne = true;
  const yaml::Context any("a.yaml", "", throwFormatted, options);
  const auto g = any.load("map: {a: 1}\nnone:\n").entries();
  REQUIRE(g[0].second.list().size() == 1);
  CHECK(g[0].second.list()[0].isMap());
  CHECK(errorOf([&] { g[1].second.list(); }) == "a.yaml:3:1: none: expected a value");
}

TEST_CASE("load: invalid YAML, empty documents, structure queries") {
  const yaml::Context ctx("c.yaml", "", throwFormatted);
  CHECK(errorOf([&] { ctx.load("a: [1, 2\n"); }).rfind("c.yaml:", 0) == 0);
  CHECK(errorOf([&] { ctx.load("a: [1, 2\n"); }).find(": not valid YAML: ") != std::string::npos);
  CHECK(ctx.load("").isNull());

  yaml::Options options;
  options.emptyDocumentIsMapping = true;
  const yaml::Context empty("e.yaml", "", throwFormatted, options);
  const auto top = empty.load("");
  CHECK(top.isMap());
  CHECK(top.entries({"a"}).empty());

  const auto doc = ctx.load("replace: []\nafter: x\n");
  CHECK(doc.has("replace"));
  CHECK_FALSE(doc.has("before"));
  CHECK(doc.size() == 2);
  const auto replace = doc.entries().at(0).second;
  CHECK(replace.isList());
  CHECK(replace.size() == 0);
  CHECK(doc.entries().at(1).second.isScalar());
  CHECK(doc.entries().at(1).second.size() == 0);
}

TEST_CASE("the caller's exception type carries the parts") {
  const yaml::Context ctx("p.yaml", "", throwParts);
  const auto f = ctx.load("a:\n  b: x\n").entries().at(0).second.entries().at(0).second;
  try {
    f.integer(0, 1);
    FAIL("no exception");
  } catch (const TestError& e) {
    CHECK(std::string(e.what()) == "p.yaml|expected a whole number from 0 to 1, got 'x'");
    CHECK(e.path == "a.b");
    CHECK(e.mark.line == 2);
    CHECK(e.mark.column == 6);
  }
  CHECK_THROWS_AS(ctx.fail({}, "", "x"), TestError);
}

TEST_CASE("a thrower that returns still stops the reader") {
  const yaml::Context ctx("r.yaml", "", returnsWithoutThrowing);
  CHECK_THROWS_AS(ctx.load("a: x\n").entries().at(0).second.integer(0, 1), std::logic_error);
}

TEST_CASE("resolve keeps absolute paths and anchors relative ones at the base") {
  const yaml::Context ctx("c.yaml", "/etc/openmps", throwFormatted);
  CHECK(ctx.resolve("/var/x") == std::filesystem::path("/var/x"));
  CHECK(ctx.resolve("keys/a") == std::filesystem::path("/etc/openmps/keys/a"));
}
