#include "shared/snmp/oid.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace openmps::snmp {

std::optional<Oid> Oid::parse(std::string_view text) {
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  std::vector<std::uint32_t> arcs;
  while (true) {
    const auto dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    std::uint32_t arc = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    arcs.push_back(arc);
    if (arcs.size() > kMaxArcs) return std::nullopt;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return Oid(std::move(arcs));
}

Oid Oid::of(std::string_view text) {
  auto oid = parse(text);
  if (!oid) throw std::invalid_argument("not an OID: '" + std::string(text) + "'");
  return *std::move(oid);
}

std::string Oid::toString() const {
  std::string out;
  out.reserve(arcs_.size() * 4);
  for (std::size_t i = 0; i < arcs_.size(); ++i) {
    if (i != 0) out.push_back('.');
    out += std::to_string(arcs_[i]);
  }
  return out;
}

bool Oid::isPrefixOf(const Oid& other) const {
  return arcs_.size() <= other.arcs_.size() &&
         std::equal(arcs_.begin(), arcs_.end(), other.arcs_.begin());
}

Oid Oid::suffixAfter(const Oid& prefix) const {
  return Oid(std::vector<std::uint32_t>(
      arcs_.begin() + static_cast<std::ptrdiff_t>(std::min(prefix.size(), arcs_.size())),
      arcs_.end()));
}

Oid Oid::child(std::uint32_t arc) const {
  Oid out = *this;
  out.arcs_.push_back(arc);
  return out;
}

Oid Oid::concat(const Oid& suffix) const {
  Oid out = *this;
  out.arcs_.insert(out.arcs_.end(), suffix.arcs_.begin(), suffix.arcs_.end());
  return out;
}

}  // namespace openmps::snmp
