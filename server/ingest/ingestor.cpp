#include "server/ingest/ingestor.hpp"

#include <chrono>
#include <exception>
#include <utility>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::ingest {
namespace {

constexpr std::string_view kLog = "ingest";

envelope::SubmitResult refuse(envelope::EnvelopeErrorKind kind, const std::string& message,
                              std::string_view carrier, std::string_view peer) {
  util::logWarning(kLog) << "refused (" << envelope::toString(kind) << ") via " << carrier
                         << " from " << peer << ": " << message;
  return envelope::SubmitFault{envelope::faultCodeFor(kind), message};
}

envelope::SubmitResult unavailable(const std::string& message) {
  return envelope::SubmitFault{envelope::kFaultUnavailable, message};
}

envelope::SubmitResult internalError(const std::string& message) {
  return envelope::SubmitFault{envelope::kFaultInternal, message};
}

}  // namespace

envelope::SubmitResult ingestWithStore(IngestStore& store, const envelope::MasterKey& masterKey,
                                       std::string_view sealed, std::string_view carrier,
                                       std::string_view peer,
                                       const envelope::EnvelopeLimits& limits,
                                       const ClientAdmission& admit) {
  using envelope::EnvelopeErrorKind;
  try {
    const envelope::EnvelopeHeader header = envelope::peekHeader(sealed, limits);
    const auto collector = store.findCollector(header.clientId);
    if (!collector) {
      return refuse(EnvelopeErrorKind::kUnknownClient,
                    "client " + std::to_string(header.clientId) + " is not enrolled", carrier,
                    peer);
    }
    if (collector->revoked) {
      return refuse(EnvelopeErrorKind::kUnknownClient,
                    "client " + std::to_string(header.clientId) + " was revoked", carrier, peer);
    }
    const auto started = std::chrono::steady_clock::now();
    const envelope::ClientKey key = envelope::deriveClientKey(masterKey, header.clientId);
    const envelope::OpenedEnvelope opened = envelope::openEnvelope(sealed, key, limits);
    const auto openedAt = std::chrono::steady_clock::now();
    if (admit && !admit(header.clientId, carrier)) {
      util::logWarning(kLog) << "rate limited client " << header.clientId << " via " << carrier
                             << " from " << peer << " (limits.rate_per_minute)";
      return envelope::SubmitFault{envelope::kFaultRateLimited,
                                   "rate limited: too many batches from client " +
                                       std::to_string(header.clientId) + ", try again later"};
    }
    const StoreResult result =
        store.storeBatch(*collector, opened.batch, opened.digest, carrier, peer);
    if (util::logLevel() == util::LogLevel::kDebug) {
      // Where a batch's time goes (server/README.md, benchmark analysis).
      using Ms = std::chrono::duration<double, std::milli>;
      util::logDebug(kLog) << "timing batch " << header.batchSeq
                           << ": open=" << Ms(openedAt - started).count()
                           << " store=" << Ms(std::chrono::steady_clock::now() - openedAt).count();
    }
    const auto items = static_cast<std::int64_t>(opened.batch.items.size());
    switch (result.status) {
      case StoreStatus::kConflict:
        return refuse(EnvelopeErrorKind::kReplayed,
                      "batch " + std::to_string(header.batchSeq) + " of client " +
                          std::to_string(header.clientId) +
                          " was already received with other content",
                      carrier, peer);
      case StoreStatus::kDuplicate:
        util::logInfo(kLog) << "duplicate batch " << header.batchSeq << " of client "
                            << header.clientId << " via " << carrier << " from " << peer
                            << ": acknowledged, nothing stored";
        return envelope::SubmitAck{"duplicate", header.clientId, header.batchSeq, items};
      case StoreStatus::kStored:
        util::logInfo(kLog) << "stored batch " << header.batchSeq << " of client "
                            << header.clientId << " via " << carrier << " from " << peer << ": "
                            << result.itemsStored << " of " << items << " readings new";
        return envelope::SubmitAck{"stored", header.clientId, header.batchSeq, items};
    }
    return internalError("internal error: unknown store status");
  } catch (const envelope::EnvelopeError& e) {
    return refuse(e.kind(), e.what(), carrier, peer);
  }
}

Ingestor::Ingestor(const envelope::MasterKey& masterKey, StoreFactory storeFactory,
                   const IngestOptions& options)
    : masterKey_(masterKey), storeFactory_(std::move(storeFactory)), options_(options) {
  const int count = options_.workers < 1 ? 1 : options_.workers;
  workers_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    workers_.emplace_back([this] { workerLoop(); });
  }
}

Ingestor::~Ingestor() {
  stop();
}

void Ingestor::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) {
      return;
    }
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) {
      t.join();
    }
  }
  workers_.clear();
}

std::future<envelope::SubmitResult> Ingestor::ingestAsync(std::string sealed, std::string carrier,
                                                          std::string peer) {
  Job job{std::move(sealed), std::move(carrier), std::move(peer), {}};
  auto future = job.promise.get_future();
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) {
      job.promise.set_value(unavailable("server is shutting down"));
      return future;
    }
    if (queue_.size() >= options_.queueLength) {
      util::logWarning(kLog) << "queue full (" << queue_.size() << "): refusing a batch from "
                             << job.peer << " for now";
      job.promise.set_value(unavailable("server busy, try again later"));
      return future;
    }
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return future;
}

envelope::SubmitResult Ingestor::ingest(std::string_view sealed, std::string_view carrier,
                                        std::string_view peer) {
  return ingestAsync(std::string(sealed), std::string(carrier), std::string(peer)).get();
}

envelope::SubmitResult Ingestor::process(std::unique_ptr<IngestStore>& store, const Job& job) {
  try {
    if (!store) {
      store = storeFactory_();
    }
    return ingestWithStore(*store, masterKey_, job.sealed, job.carrier, job.peer, options_.limits,
                           options_.admit);
  } catch (const StoreUnavailable& e) {
    util::logError(kLog) << "database unavailable: " << e.what();
    store.reset();  // reconnect for the next job
    return unavailable("database unavailable, try again later");
  } catch (const std::exception& e) {
    util::logError(kLog) << "batch from " << job.peer << " via " << job.carrier
                         << " failed: " << e.what();
    store.reset();
    return internalError("internal error, try again later");
  }
}

void Ingestor::workerLoop() {
  std::unique_ptr<IngestStore> store;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and nothing left
      }
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    auto result = process(store, job);
    {
      const std::lock_guard lock(mutex_);
      --busy_;
    }
    job.promise.set_value(std::move(result));
  }
}

Ingestor::Load Ingestor::load() const {
  const std::lock_guard lock(mutex_);
  return {queue_.size(), busy_, options_.workers < 1 ? 1 : options_.workers};
}

}  // namespace openmps::server::ingest
