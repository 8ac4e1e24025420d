#include "client/carrier/carrier.hpp"

#include <optional>
#include <stdexcept>

namespace openmps::client::carrier {

const char* toString(SendStatus status) {
  switch (status) {
    case SendStatus::kStored: return "stored";
    case SendStatus::kDuplicate: return "duplicate";
    case SendStatus::kRetryable: return "retryable";
    case SendStatus::kPermanent: return "permanent";
  }
  return "unknown";
}

FailoverCarrier::FailoverCarrier(std::vector<std::unique_ptr<Carrier>> routes)
    : routes_(std::move(routes)) {
  if (routes_.empty()) {
    throw std::invalid_argument(
        "no server to send to: the enrollment lists none this client can use");
  }
}

std::string FailoverCarrier::name() const {
  std::string out;
  for (const auto& route : routes_) {
    out += (out.empty() ? "" : ", ") + route->name();
  }
  return out;
}

SendResult FailoverCarrier::send(std::uint64_t clientId, std::uint64_t batchSeq,
                                 std::string_view sealed) {
  std::optional<SendResult> permanent;
  std::optional<SendResult> routeRefusal;
  bool retryableFailure = false;
  std::string failures;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const std::size_t index = (preferred_ + i) % routes_.size();
    Carrier& route = *routes_[index];
    SendResult result = route.send(clientId, batchSeq, sealed);
    if (result.delivered()) {
      preferred_ = index;
      result.route = route.name();
      return result;
    }
    result.detail = route.name() + ": " + result.detail;
    // The server refused this envelope: any other route reaches the same
    // server and would hear the same.
    if (result.batchRefused && !result.refusedByRoute) {
      return result;
    }
    failures += (failures.empty() ? "" : "; ") + result.detail;
    if (result.batchRefused) {
      if (!routeRefusal) routeRefusal = std::move(result);
      continue;
    }
    retryableFailure = retryableFailure || result.status == SendStatus::kRetryable;
    // A route that is set up wrong (say, a certificate that is not the
    // enrolled one) does not stop the others; it is reported if none works.
    if (result.status == SendStatus::kPermanent && !permanent) {
      permanent = std::move(result);
    }
  }
  // Refused by one route, and no other that might work later: set aside.
  // With a route that is only away for now, the batch waits for it.
  if (routeRefusal && !retryableFailure) {
    routeRefusal->detail = failures;
    return *routeRefusal;
  }
  SendResult out;
  out.status = permanent ? SendStatus::kPermanent : SendStatus::kRetryable;
  out.detail = failures;
  return out;
}

}  // namespace openmps::client::carrier
