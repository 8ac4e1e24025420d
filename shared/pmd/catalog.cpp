#include "shared/pmd/catalog.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "shared/pmd/load.hpp"

namespace openmps::pmd {
namespace {

constexpr std::size_t kMaxFiles = 1000;
constexpr std::size_t kMaxChain = 16;

std::map<std::string, Rule> mergeRules(const std::map<std::string, Rule>& parent,
                                       const std::map<std::string, Rule>& child) {
  std::map<std::string, Rule> out = parent;
  for (const auto& [name, rule] : child) {
    auto it = out.find(name);
    if (it == out.end() || rule.mode == MergeMode::kReplace) {
      if (rule.candidates.empty()) {
        out.erase(name);
      } else {
        out[name] = rule;
        out[name].mode = MergeMode::kPrepend;
      }
      continue;
    }
    Rule merged;
    merged.where = rule.where;
    const auto& first = rule.mode == MergeMode::kAppend ? it->second.candidates : rule.candidates;
    const auto& second = rule.mode == MergeMode::kAppend ? rule.candidates : it->second.candidates;
    merged.candidates = first;
    merged.candidates.insert(merged.candidates.end(), second.begin(), second.end());
    it->second = std::move(merged);
  }
  return out;
}

template <typename Table>
std::vector<Table> mergeTables(const std::vector<Table>& parent, const std::vector<Table>& child) {
  std::vector<Table> out = parent;
  for (const auto& table : child) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const Table& t) { return t.name == table.name; });
    if (table.disabled) {
      if (it != out.end()) {
        out.erase(it);
      }
    } else if (it != out.end()) {
      *it = table;
    } else {
      out.push_back(table);
    }
  }
  return out;
}

void collectCounterRefs(const Source& source, std::vector<const Source*>& out) {
  if (source.kind == SourceKind::kCounter) {
    out.push_back(&source);
  }
  for (const auto& operand : source.operands) {
    collectCounterRefs(operand, out);
  }
}

// Counters may refer to each other (total = mono + color); each reference
// must exist and none may come back to where it started.
void validateCounters(const Definition& def) {
  std::map<std::string, std::vector<const Source*>> refs;
  for (const auto& [name, rule] : def.counters) {
    auto& list = refs[name];
    for (const auto& candidate : rule.candidates) {
      collectCounterRefs(candidate, list);
    }
    for (const Source* ref : list) {
      if (!def.counters.contains(ref->counter)) {
        throw PmdError(ref->where, "refers to counter '" + ref->counter + "', which " + def.id +
                                       " does not define");
      }
    }
  }
  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::function<void(const std::string&, const Source*)> visit = [&](const std::string& name,
                                                                     const Source* via) {
    if (state[name] == 2) {
      return;
    }
    if (state[name] == 1) {
      throw PmdError(via != nullptr ? via->where : def.counters.at(name).where,
                     "counter '" + name + "' depends on itself");
    }
    state[name] = 1;
    for (const Source* ref : refs[name]) {
      visit(ref->counter, ref);
    }
    state[name] = 2;
  };
  for (const auto& [name, rule] : def.counters) {
    visit(name, nullptr);
  }
  for (const auto& check : def.checks) {
    if (!def.counters.contains(check.counter)) {
      throw PmdError(check.where, "checks counter '" + check.counter + "', which " + def.id +
                                      " does not define");
    }
  }
}

}  // namespace

Definition applyInheritance(const Definition& parent, const Definition& child) {
  Definition out = child;
  out.identity = mergeRules(parent.identity, child.identity);
  out.counters = mergeRules(parent.counters, child.counters);
  out.status = mergeRules(parent.status, child.status);
  out.capabilities = mergeRules(parent.capabilities, child.capabilities);
  out.checks = parent.checks;
  for (const auto& check : child.checks) {
    auto it = std::find_if(out.checks.begin(), out.checks.end(),
                           [&](const SanityCheck& c) { return c.counter == check.counter; });
    if (it != out.checks.end()) {
      *it = check;
    } else {
      out.checks.push_back(check);
    }
  }
  out.supplies = mergeTables(parent.supplies, child.supplies);
  out.supplyPatterns.insert(out.supplyPatterns.end(), parent.supplyPatterns.begin(),
                            parent.supplyPatterns.end());
  if (!out.kind) {
    out.kind = parent.kind;
  }
  out.alerts = mergeTables(parent.alerts, child.alerts);
  if (!child.colorants) {
    out.colorants = parent.colorants;
  }
  out.chain = parent.chain;
  out.chain.push_back(child.id);
  return out;
}

Catalog Catalog::build(const std::vector<Definition>& raw) {
  std::map<std::string, const Definition*> byId;
  for (const auto& def : raw) {
    if (!byId.emplace(def.id, &def).second) {
      throw PmdError(SourceLocation{def.file, 0, 0, ""},
                     "a second definition with id '" + def.id + "'");
    }
  }
  if (!byId.contains(std::string(kGenericId))) {
    throw PmdError(SourceLocation{}, "no generic definition (generic.yaml) among the definitions");
  }
  std::map<std::string, Definition> done;
  std::function<const Definition&(const Definition&, std::size_t)> resolve =
      [&](const Definition& def, std::size_t depth) -> const Definition& {
    if (auto it = done.find(def.id); it != done.end()) {
      return it->second;
    }
    if (depth > kMaxChain) {
      throw PmdError(SourceLocation{def.file, 0, 0, "extends"},
                     "inheritance goes round in a circle or deeper than " +
                         std::to_string(kMaxChain) + " levels");
    }
    Definition resolved;
    if (def.extends.empty()) {
      resolved = def;
      resolved.chain = {def.id};
      resolved.kind = def.kind.value_or(DeviceKind::kPrinter);
    } else {
      auto parent = byId.find(def.extends);
      if (parent == byId.end()) {
        throw PmdError(SourceLocation{def.file, 0, 0, "extends"},
                       "extends '" + def.extends + "', which does not exist");
      }
      resolved = applyInheritance(resolve(*parent->second, depth + 1), def);
    }
    validateCounters(resolved);
    return done.emplace(def.id, std::move(resolved)).first->second;
  };
  Catalog out;
  for (const auto& def : raw) {
    out.resolved_.push_back(resolve(def, 0));
  }
  std::sort(out.resolved_.begin(), out.resolved_.end(),
            [](const Definition& a, const Definition& b) { return a.id < b.id; });
  return out;
}

namespace {
std::vector<std::filesystem::path> definitionFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw PmdError(SourceLocation{dir.string(), 0, 0, ""}, "not a folder");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  if (files.size() > kMaxFiles) {
    throw PmdError(SourceLocation{dir.string(), 0, 0, ""},
                   "more than " + std::to_string(kMaxFiles) + " definitions");
  }
  std::sort(files.begin(), files.end());
  return files;
}
}  // namespace

Catalog Catalog::loadDirectory(const std::filesystem::path& dir) {
  std::vector<Definition> raw;
  for (const auto& file : definitionFiles(dir)) {
    raw.push_back(loadDefinitionFile(file));
  }
  return build(raw);
}

const Definition* Catalog::find(std::string_view id) const {
  for (const auto& def : resolved_) {
    if (def.id == id) {
      return &def;
    }
  }
  return nullptr;
}

const Definition& Catalog::generic() const {
  return *find(kGenericId);
}

CheckReport checkDirectory(const std::filesystem::path& dir) {
  CheckReport report;
  std::vector<Definition> raw;
  try {
    const auto files = definitionFiles(dir);
    report.files = files.size();
    for (const auto& file : files) {
      try {
        raw.push_back(loadDefinitionFile(file));
      } catch (const PmdError& e) {
        report.errors.emplace_back(e.what());
      }
    }
  } catch (const PmdError& e) {
    report.errors.emplace_back(e.what());
    return report;
  }
  if (!report.errors.empty()) {
    return report;
  }
  // Resolve each on its own, so one broken child does not hide the others.
  const bool haveGeneric =
      std::any_of(raw.begin(), raw.end(), [](const Definition& d) { return d.id == kGenericId; });
  if (!haveGeneric) {
    report.errors.emplace_back(dir.string() + ": no generic.yaml (every definition extends it)");
    return report;
  }
  for (const auto& def : raw) {
    std::vector<Definition> subset;
    std::set<std::string> wanted;
    const Definition* at = &def;
    while (at != nullptr && wanted.insert(at->id).second) {
      subset.push_back(*at);
      const std::string parent = at->extends;
      at = nullptr;
      for (const auto& candidate : raw) {
        if (!parent.empty() && candidate.id == parent) {
          at = &candidate;
        }
      }
    }
    if (!wanted.contains(std::string(kGenericId))) {
      for (const auto& candidate : raw) {
        if (candidate.id == kGenericId) {
          subset.push_back(candidate);
        }
      }
    }
    try {
      (void)Catalog::build(subset);
    } catch (const PmdError& e) {
      report.errors.emplace_back(e.what());
    }
  }
  std::sort(report.errors.begin(), report.errors.end());
  report.errors.erase(std::unique(report.errors.begin(), report.errors.end()), report.errors.end());
  return report;
}

}  // namespace openmps::pmd
