#include "client/discovery/address_range.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace openmps::client::discovery {
namespace {

std::string quoted(std::string_view text) {
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) on "'" + string.
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

bool isHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// RFC 1123 host names; anything else is more likely a typo in an address.
bool isHostName(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (!std::all_of(text.begin(), text.end(), isHostNameChar)) return false;
  if (text.front() == '.' || text.front() == '-' || text.find("..") != std::string_view::npos) {
    return false;
  }
  // A name made of digits and dots only is a malformed IPv4 address.
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return (c < '0' || c > '9') && c != '.'; });
}

bool isIpv6Literal(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string copy(text);
  unsigned char buf[16];
  return ::inet_pton(AF_INET6, copy.c_str(), buf) == 1;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Ipv4> parseIpv4(std::string_view text) {
  Ipv4 out = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    // No leading zeros: "010" is octal to some tools and decimal to others.
    if (p == end || *p < '0' || *p > '9' ||
        (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9')) {
      return std::nullopt;
    }
    unsigned value = 0;
    const auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || value > 255) return std::nullopt;
    out = (out << 8) | value;
    p = next;
  }
  if (p != end) return std::nullopt;
  return out;
}

std::string formatIpv4(Ipv4 address) {
  return std::to_string(address >> 24) + '.' + std::to_string((address >> 16) & 0xff) + '.' +
         std::to_string((address >> 8) & 0xff) + '.' + std::to_string(address & 0xff);
}

RangeSpec parseRange(std::string_view input) {
  const std::string_view text = trim(input);
  RangeSpec spec;
  spec.text = std::string(text);
  if (text.empty()) throw RangeError("empty address range");

  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const auto base = parseIpv4(text.substr(0, slash));
    if (!base) {
      throw RangeError(quoted(text) + ": " + quoted(text.substr(0, slash)) +
                       " is not an IPv4 address (CIDR blocks are IPv4 only)");
    }
    const std::string_view bitsText = text.substr(slash + 1);
    unsigned bits = 0;
    const auto [ptr, ec] =
        std::from_chars(bitsText.data(), bitsText.data() + bitsText.size(), bits);
    if (bitsText.empty() || ec != std::errc() || ptr != bitsText.data() + bitsText.size() ||
        bits > 32) {
      throw RangeError(quoted(text) + ": prefix length must be 0 to 32");
    }
    const Ipv4 mask = bits == 0 ? 0 : ~Ipv4{0} << (32 - bits);
    if ((*base & ~mask) != 0) {
      throw RangeError(quoted(text) + ": host bits are set; did you mean " +
                       formatIpv4(*base & mask) + "/" + std::to_string(bits) + "?");
    }
    spec.first = *base;
    spec.last = *base | ~mask;
    if (bits <= 30) {
      ++spec.first;
      --spec.last;
    }
    return spec;
  }

  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto first = parseIpv4(trim(text.substr(0, dash)));
    if (first) {
      const std::string_view lastText = trim(text.substr(dash + 1));
      auto last = parseIpv4(lastText);
      if (!last) {
        // "10.0.0.5-80": the last octet only.
        unsigned octet = 0;
        const auto [ptr, ec] =
            std::from_chars(lastText.data(), lastText.data() + lastText.size(), octet);
        if (!lastText.empty() && ec == std::errc() && ptr == lastText.data() + lastText.size() &&
            octet <= 255) {
          last = (*first & 0xffffff00u) | octet;
        }
      }
      if (!last) {
        throw RangeError(quoted(text) + ": " + quoted(lastText) +
                         " is not an IPv4 address (expected FIRST-LAST, e.g. 10.0.0.5-10.0.0.80)");
      }
      if (*last < *first) {
        throw RangeError(quoted(text) + ": the last address comes before the first");
      }
      spec.first = *first;
      spec.last = *last;
      return spec;
    }
    // Otherwise a host name with a dash in it.
  }

  if (const auto single = parseIpv4(text)) {
    spec.first = spec.last = *single;
    return spec;
  }
  if (isIpv6Literal(text) || isHostName(text)) {
    spec.kind = RangeSpec::Kind::kHost;
    spec.host = std::string(text);
    return spec;
  }
  throw RangeError(quoted(text) +
                   ": not an address range (expected CIDR like 192.168.1.0/24, a range like "
                   "192.168.1.10-192.168.1.50, an address, or a host name)");
}

void AddressSet::add(Ipv4 first, Ipv4 last) {
  if (last < first) return;
  std::vector<Interval> out;
  out.reserve(intervals_.size() + 1);
  Interval merged{first, last};
  bool placed = false;
  for (const Interval& iv : intervals_) {
    // Adjacent intervals merge too, so that equal sets have equal forms.
    if (std::uint64_t{iv.last} + 1 < merged.first) {
      out.push_back(iv);
    } else if (std::uint64_t{merged.last} + 1 < iv.first) {
      if (!placed) {
        out.push_back(merged);
        placed = true;
      }
      out.push_back(iv);
    } else {
      merged.first = std::min(merged.first, iv.first);
      merged.last = std::max(merged.last, iv.last);
    }
  }
  if (!placed) out.push_back(merged);
  intervals_ = std::move(out);
}

void AddressSet::remove(Ipv4 first, Ipv4 last) {
  if (last < first) return;
  std::vector<Interval> out;
  out.reserve(intervals_.size() + 1);
  for (const Interval& iv : intervals_) {
    if (iv.last < first || iv.first > last) {
      out.push_back(iv);
      continue;
    }
    if (iv.first < first) out.push_back({iv.first, first - 1});
    if (iv.last > last) out.push_back({last + 1, iv.last});
  }
  intervals_ = std::move(out);
}

void AddressSet::add(const AddressSet& other) {
  for (const Interval& iv : other.intervals_) add(iv.first, iv.last);
}

void AddressSet::remove(const AddressSet& other) {
  for (const Interval& iv : other.intervals_) remove(iv.first, iv.last);
}

bool AddressSet::contains(Ipv4 address) const {
  const auto it = std::upper_bound(intervals_.begin(), intervals_.end(), address,
                                   [](Ipv4 a, const Interval& iv) { return a < iv.first; });
  return it != intervals_.begin() && std::prev(it)->last >= address;
}

std::uint64_t AddressSet::size() const {
  std::uint64_t total = 0;
  for (const Interval& iv : intervals_) total += std::uint64_t{iv.last} - iv.first + 1;
  return total;
}

}  // namespace openmps::client::discovery
