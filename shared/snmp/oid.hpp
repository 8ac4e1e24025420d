#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openmps::snmp {

// An SNMP object identifier as its arcs. Pure value type; no net-snmp here.
class Oid {
 public:
  static constexpr std::size_t kMaxArcs = 128;  // RFC 2578 limit

  Oid() = default;
  explicit Oid(std::vector<std::uint32_t> arcs) : arcs_(std::move(arcs)) {}
  // "1.3.6.1.2.1.1.1.0" or ".1.3.6..." ; nullopt on anything else.
  static std::optional<Oid> parse(std::string_view text);
  // Like parse, for OIDs written in code; throws std::invalid_argument.
  static Oid of(std::string_view text);

  const std::vector<std::uint32_t>& arcs() const { return arcs_; }
  std::size_t size() const { return arcs_.size(); }
  bool empty() const { return arcs_.empty(); }
  std::string toString() const;  // dotted, no leading dot

  // True when this OID is prefix (or equal to) other: 1.3.6 is a prefix of 1.3.6.1.
  bool isPrefixOf(const Oid& other) const;
  // The arcs after prefix; requires prefix.isPrefixOf(*this).
  Oid suffixAfter(const Oid& prefix) const;
  Oid child(std::uint32_t arc) const;
  Oid concat(const Oid& suffix) const;

  auto operator<=>(const Oid&) const = default;  // lexicographic, as SNMP orders OIDs
  bool operator==(const Oid&) const = default;

 private:
  std::vector<std::uint32_t> arcs_;
};

}  // namespace openmps::snmp
