// The yaml-cpp side of yaml_field.hpp.
#include "shared/yaml/yaml_field.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "shared/util/args.hpp"
#include "shared/util/duration.hpp"

namespace openmps::yaml {

struct Field::Node {
  YAML::Node node;
};

namespace {

Mark toMark(const YAML::Mark& mark) {
  if (mark.is_null()) {
    return {};
  }
  return {mark.line + 1, mark.column + 1};
}

std::shared_ptr<const Field::Node> wrap(const YAML::Node& node) {
  return std::make_shared<const Field::Node>(Field::Node{node});
}

}  // namespace

std::string formatError(const std::string& source, const Mark& mark, const std::string& path,
                        const std::string& problem) {
  std::string where = source;
  if (mark.known()) {
    where += ':' + std::to_string(mark.line) + ':' + std::to_string(mark.column);
  }
  return where + ": " + (path.empty() ? "" : path + ": ") + problem;
}

Context::Context(std::string sourceName, std::filesystem::path baseDir, Thrower thrower,
                 Options options)
    : sourceName_(std::move(sourceName)),
      baseDir_(std::move(baseDir)),
      thrower_(thrower),
      options_(options) {}

void Context::fail(const Mark& mark, const std::string& path, const std::string& problem) const {
  thrower_(sourceName_, mark, path, problem);
  throw std::logic_error("yaml::Context: the thrower returned for: " +
                         formatError(sourceName_, mark, path, problem));
}

std::filesystem::path Context::resolve(const std::string& text) const {
  const std::filesystem::path p(text);
  return p.is_absolute() ? p : baseDir_ / p;
}

Field Context::load(std::string_view text) const {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    fail(toMark(e.mark), "", "not valid YAML: " + e.msg);
  }
  if (options_.emptyDocumentIsMapping && root.IsNull()) {
    root = YAML::Node(YAML::NodeType::Map);
  }
  return Field(*this, wrap(root), "");
}

Field::Field(const Context& ctx, std::shared_ptr<const Node> node, std::string path)
    : ctx_(&ctx), node_(std::move(node)), path_(std::move(path)) {}

Mark Field::mark() const {
  return toMark(node_->node.Mark());
}

void Field::fail(const std::string& problem) const {
  ctx_->fail(mark(), path_, problem);
}

bool Field::isMap() const {
  return node_->node.IsMap();
}
bool Field::isList() const {
  return node_->node.IsSequence();
}
bool Field::isScalar() const {
  return node_->node.IsScalar();
}
bool Field::isNull() const {
  return node_->node.IsNull();
}

std::size_t Field::size() const {
  const YAML::Node& node = node_->node;
  return node.IsMap() || node.IsSequence() ? node.size() : 0;
}

bool Field::has(const std::string& key) const {
  const YAML::Node& node = node_->node;
  return node.IsMap() && node[key].IsDefined();
}

std::string Field::scalar() const {
  if (!node_->node.IsScalar()) {
    fail("expected a single value, not a list or a mapping");
  }
  return node_->node.Scalar();
}

std::string Field::text(std::size_t maxLength) const {
  std::string value = scalar();
  if (value.empty() && !ctx_->options().emptyTextAllowed) {
    fail("must not be empty");
  }
  if (value.size() > maxLength) {
    fail("longer than " + std::to_string(maxLength) + " characters");
  }
  return value;
}

std::string Field::bounded() const {
  std::string value = scalar();
  if (ctx_->options().boundedScalars && value.size() > ctx_->options().maxText) {
    fail("longer than " + std::to_string(ctx_->options().maxText) + " characters");
  }
  return value;
}

std::int64_t Field::integer(std::int64_t min, std::int64_t max) const {
  const std::string value = bounded();
  const auto number = util::parseInt(value);
  if (!number || *number < min || *number > max) {
    fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
         ", got '" + value + "'");
  }
  return *number;
}

std::chrono::seconds Field::duration(std::chrono::seconds min, std::chrono::seconds max) const {
  const std::string value = bounded();
  const auto parsed = util::parseDuration(value);
  if (!parsed || *parsed < min || *parsed > max) {
    fail("expected a duration from " + util::formatDuration(min) + " to " +
         util::formatDuration(max) + " (such as 90s, 5m or 1h30m), got '" + value + "'");
  }
  return *parsed;
}

bool Field::boolean() const {
  const std::string value = bounded();
  const bool onOff = ctx_->options().onOffBooleans;
  if (value == "true" || value == "yes" || (onOff && value == "on")) {
    return true;
  }
  if (value == "false" || value == "no" || (onOff && value == "off")) {
    return false;
  }
  fail("expected true or false, got '" + value + "'");
}

std::vector<Field> Field::list() const {
  const YAML::Node& node = node_->node;
  std::vector<Field> out;
  if (!node.IsSequence()) {
    if (ctx_->options().anyValueIsListOfOne) {
      if (!node.IsDefined() || node.IsNull()) {
        fail("expected a value");
      }
    } else if (!node.IsScalar()) {
      fail("expected a list");
    }
    out.emplace_back(*ctx_, node_, path_);
    return out;
  }
  const std::size_t maxItems = ctx_->options().maxListItems;
  if (node.size() > maxItems) {
    fail("more than " + std::to_string(maxItems) + " entries");
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    out.emplace_back(*ctx_, wrap(node[i]), path_ + "[" + std::to_string(i) + "]");
  }
  return out;
}

std::vector<std::pair<std::string, Field>> Field::entries(
    std::initializer_list<std::string_view> allowed) const {
  return entriesOf(std::vector<std::string_view>(allowed));
}

std::vector<std::pair<std::string, Field>> Field::entries(
    const std::vector<std::string>& allowed) const {
  return entriesOf(std::vector<std::string_view>(allowed.begin(), allowed.end()));
}

std::vector<std::pair<std::string, Field>> Field::entries() const {
  return entriesOf({});
}

std::vector<std::pair<std::string, Field>> Field::entriesOf(
    const std::vector<std::string_view>& allowed) const {
  const YAML::Node& node = node_->node;
  if (!node.IsMap()) {
    fail("expected a mapping of keys to values");
  }
  std::vector<std::pair<std::string, Field>> out;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const YAML::Node key = kv.first;
    if (!key.IsScalar()) {
      ctx_->fail(toMark(key.Mark()), path_, "keys must be plain words");
    }
    const std::string& name = key.Scalar();
    const std::string childPath = path_.empty() ? name : path_ + "." + name;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (const auto& a : allowed) {
        known += std::string(known.empty() ? "" : ", ") + std::string(a);
      }
      ctx_->fail(toMark(key.Mark()), childPath, "unknown key (known here: " + known + ")");
    }
    if (!seen.insert(name).second) {
      ctx_->fail(toMark(key.Mark()), childPath, "given twice");
    }
    out.emplace_back(name, Field(*ctx_, wrap(kv.second), childPath));
  }
  const std::size_t maxKeys = ctx_->options().maxMappingKeys;
  if (maxKeys != 0 && out.size() > maxKeys) {
    fail("more than " + std::to_string(maxKeys) + " keys");
  }
  return out;
}

}  // namespace openmps::yaml
