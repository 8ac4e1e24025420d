#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "client/outbox/sent_log.hpp"

// THE stand-in for outbox::SentEnvelopeLog in unit tests: entries kept in
// memory, listed newest first like the SQLite log.
namespace openmps::client::test {

class MockSentEnvelopeLog final : public outbox::SentEnvelopeLog {
 public:
  // Appends an entry; its id is the next one.
  std::uint64_t add(outbox::SentEnvelope envelope, std::string content) {
    envelope.id = entries_.empty() ? 1 : entries_.back().envelope.id + 1;
    entries_.push_back({std::move(envelope), std::move(content)});
    return entries_.back().envelope.id;
  }

  std::vector<outbox::SentEnvelope> list(std::size_t limit,
                                         std::optional<std::uint64_t> before) override {
    std::vector<outbox::SentEnvelope> out;
    for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) {
      if (!before || it->envelope.id < *before) out.push_back(it->envelope);
    }
    return out;
  }

  std::optional<outbox::SentEnvelopeContent> get(std::uint64_t id) override {
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const auto& e) { return e.envelope.id == id; });
    if (it == entries_.end()) return std::nullopt;
    return *it;
  }

 private:
  std::vector<outbox::SentEnvelopeContent> entries_;
};

}  // namespace openmps::client::test
