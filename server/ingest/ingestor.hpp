#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/ingest/ingest_store.hpp"
#include "shared/envelope/keys.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

// The one ingest entry point every receiver calls (XML-RPC, HTTPS POST
// /RPC2, the mailbox poller): sealed envelope bytes in, an acknowledgement
// (stored | duplicate) or a fault with the code of fault_codes.hpp out.
//
// The database work runs on a fixed pool of worker threads, each with its
// own store (connection): a receiver thread only waits for the answer, and
// the number of database connections never depends on the number of
// clients.
namespace openmps::server::ingest {

// Asked after an envelope's seal was verified, so only its real client can
// use up the client's allowance (the client id travels in clear; a
// stranger's forged envelopes never get this far). False: refused as rate
// limited (fault 200), nothing stored.
using ClientAdmission = std::function<bool(std::uint64_t clientId, std::string_view carrier)>;

struct IngestOptions {
  int workers = 4;
  std::size_t queueLength = 256;  // waiting envelopes; beyond that: unavailable
  envelope::EnvelopeLimits limits;
  ClientAdmission admit;  // empty: every verified envelope is admitted
};

// Receivers name themselves in the ingest log.
inline constexpr std::string_view kCarrierXmlRpc = "xmlrpc";
inline constexpr std::string_view kCarrierHttps = "https";
inline constexpr std::string_view kCarrierMail = "mail";

class Ingestor {
 public:
  using StoreFactory = std::function<std::unique_ptr<IngestStore>()>;

  Ingestor(const envelope::MasterKey& masterKey, StoreFactory storeFactory,
           const IngestOptions& options);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Blocks until the batch is committed or refused. Never throws for bad
  // input: every refusal is a SubmitFault (retryable ones: 201 unavailable).
  envelope::SubmitResult ingest(std::string_view sealed, std::string_view carrier,
                                std::string_view peer);
  // The same, answered through a future (for callers with their own loop).
  std::future<envelope::SubmitResult> ingestAsync(std::string sealed, std::string carrier,
                                                  std::string peer);

  // Finishes queued work, then stops the workers. Later calls get 201.
  void stop();

  // How busy ingest is now (the server's /metrics).
  struct Load {
    std::size_t queued = 0;  // envelopes waiting for a worker
    int busy = 0;            // workers storing a batch (each holds a connection)
    int workers = 0;
  };
  Load load() const;

 private:
  struct Job {
    std::string sealed;
    std::string carrier;
    std::string peer;
    std::promise<envelope::SubmitResult> promise;
  };

  void workerLoop();
  envelope::SubmitResult process(std::unique_ptr<IngestStore>& store, const Job& job);

  envelope::MasterKey masterKey_;
  StoreFactory storeFactory_;
  IngestOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  int busy_ = 0;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Pure part of process(): opens the envelope for a known collector and
// hands it to the store. Exposed for unit tests.
envelope::SubmitResult ingestWithStore(IngestStore& store, const envelope::MasterKey& masterKey,
                                       std::string_view sealed, std::string_view carrier,
                                       std::string_view peer,
                                       const envelope::EnvelopeLimits& limits,
                                       const ClientAdmission& admit = {});

}  // namespace openmps::server::ingest
