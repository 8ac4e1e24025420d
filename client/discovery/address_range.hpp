#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// Address ranges as customers write them in the configuration and on the
// scan command line. Pure parsing and set arithmetic; resolving host names
// happens at the I/O seam (resolver.hpp).
namespace openmps::client::discovery {

// A range entry that cannot be understood. The message names the entry and
// says what was expected.
class RangeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An IPv4 address in host byte order.
using Ipv4 = std::uint32_t;

std::optional<Ipv4> parseIpv4(std::string_view text);
std::string formatIpv4(Ipv4 address);

// One entry as written: "192.168.1.0/24", "10.0.0.5-10.0.0.80", "10.0.0.7",
// or a host name / IPv6 literal that is resolved at every sweep.
struct RangeSpec {
  enum class Kind { kInterval, kHost };
  Kind kind = Kind::kInterval;
  Ipv4 first = 0;    // kInterval, inclusive
  Ipv4 last = 0;     // kInterval, inclusive
  std::string host;  // kHost
  std::string text;  // as written, for messages
  std::uint64_t size() const { return kind == Kind::kHost ? 1 : std::uint64_t{last} - first + 1; }
};

// CIDR blocks of /30 and wider leave out their network and broadcast
// addresses: a printer never has them, and a datagram to a broadcast
// address would reach every host of the subnet.
RangeSpec parseRange(std::string_view text);

struct Interval {
  Ipv4 first = 0;
  Ipv4 last = 0;
  bool operator==(const Interval&) const = default;
};

// A set of IPv4 addresses as sorted, disjoint, non-adjacent intervals, so a
// /8 costs a few bytes rather than sixteen million entries.
class AddressSet {
 public:
  void add(Ipv4 first, Ipv4 last);
  void remove(Ipv4 first, Ipv4 last);
  void add(const AddressSet& other);
  void remove(const AddressSet& other);
  bool contains(Ipv4 address) const;
  std::uint64_t size() const;
  bool empty() const { return intervals_.empty(); }
  const std::vector<Interval>& intervals() const { return intervals_; }

 private:
  std::vector<Interval> intervals_;
};

}  // namespace openmps::client::discovery
