// Strict reading of YAML documents with errors that name the file, the
// line and column and the path of the offending field
// ("config.yaml:7:5: networks[0].ranges[2]: ...").
//
// yaml-cpp is not included here: the node lives behind a pointer to an
// incomplete type, so only yaml_field.cpp sees it. Each caller keeps its own
// exception type (ConfigError, PmdError, ...) by handing the Context a
// Thrower, and its own wording where readers differ through Options.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openmps::yaml {

// A position in the document, 1-based; line 0 means unknown.
struct Mark {
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
};

// Raises the caller's exception. It must throw; if it returns, the reader
// throws std::logic_error instead.
using Thrower = void (*)(const std::string& source, const Mark& mark, const std::string& path,
                         const std::string& problem);

// "SOURCE[:LINE:COLUMN]: [PATH: ]PROBLEM", the usual one-line form.
std::string formatError(const std::string& source, const Mark& mark, const std::string& path,
                        const std::string& problem);

// The Thrower of callers whose exception takes that one-line message:
// Context(name, dir, throwFormatted<ConfigError>).
template <typename E>
[[noreturn]] void throwFormatted(const std::string& source, const Mark& mark,
                                 const std::string& path, const std::string& problem) {
  throw E(formatError(source, mark, path, problem));
}

// Where the callers' readers differ; the defaults are the config files'.
struct Options {
  std::size_t maxListItems = 64;
  // More keys than this in one mapping is an error ("more than N keys");
  // 0: no limit.
  std::size_t maxMappingKeys = 0;
  // The default maximum length of text().
  std::size_t maxText = 1024;
  // false: text() fails "must not be empty" on "".
  bool emptyTextAllowed = true;
  // Whether booleans also accept on/off next to true/yes and false/no.
  bool onOffBooleans = true;
  // integer() and boolean() check maxText before reading the value.
  bool boundedScalars = false;
  // list(): a single mapping counts as a list of one too (and a missing or
  // null value fails "expected a value"); otherwise only a single scalar
  // does and anything else that is not a list fails "expected a list".
  bool anyValueIsListOfOne = false;
  // load(): an empty document reads as an empty mapping.
  bool emptyDocumentIsMapping = false;
};

class Field;

// One document being read: its name in errors, the directory relative
// paths in it are resolved against, and how errors are raised.
class Context {
 public:
  Context(std::string sourceName, std::filesystem::path baseDir, Thrower thrower,
          Options options = {});

  const std::string& sourceName() const { return sourceName_; }
  const Options& options() const { return options_; }

  [[noreturn]] void fail(const Mark& mark, const std::string& path,
                         const std::string& problem) const;
  std::filesystem::path resolve(const std::string& text) const;

  // The root of the document; invalid YAML fails "not valid YAML: ...".
  // The Field refers to this Context, which must outlive it.
  Field load(std::string_view text) const;

 private:
  std::string sourceName_;
  std::filesystem::path baseDir_;
  Thrower thrower_;
  Options options_;
};

// One node with its path, read strictly.
class Field {
 public:
  struct Node;  // the yaml-cpp node, defined in yaml_field.cpp

  Field(const Context& ctx, std::shared_ptr<const Node> node, std::string path);

  const std::string& path() const { return path_; }
  const Context& context() const { return *ctx_; }
  Mark mark() const;
  [[noreturn]] void fail(const std::string& problem) const;

  bool isMap() const;
  bool isList() const;
  bool isScalar() const;
  bool isNull() const;
  // Entries of a list or a mapping; 0 for anything else.
  std::size_t size() const;
  // Whether a mapping has this key.
  bool has(const std::string& key) const;

  std::string scalar() const;
  std::string text() const { return text(ctx_->options().maxText); }
  std::string text(std::size_t maxLength) const;
  std::int64_t integer(std::int64_t min, std::int64_t max) const;
  // A duration in the one vocabulary (util::parseDuration: 90s, 5m, 1h30m).
  std::chrono::seconds duration(std::chrono::seconds min, std::chrono::seconds max) const;
  bool boolean() const;

  // The entries of a list with paths "name[i]"; a single value counts as a
  // list of one (see Options::anyValueIsListOfOne).
  std::vector<Field> list() const;

  // Every key of a mapping with paths "parent.key", each checked against
  // the allowed ones: an unknown key is almost always a misspelt known one.
  std::vector<std::pair<std::string, Field>> entries(
      std::initializer_list<std::string_view> allowed) const;
  std::vector<std::pair<std::string, Field>> entries(const std::vector<std::string>& allowed) const;
  // Any key allowed.
  std::vector<std::pair<std::string, Field>> entries() const;

 private:
  std::vector<std::pair<std::string, Field>> entriesOf(
      const std::vector<std::string_view>& allowed) const;
  std::string bounded() const;

  const Context* ctx_;
  std::shared_ptr<const Node> node_;
  std::string path_;
};

}  // namespace openmps::yaml
