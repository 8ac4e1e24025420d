// The collector's reads: started through the device reader, their outcome
// judged (read_plan.hpp) and committed to the outbox with the device's new
// condition in one transaction.
#include <span>

#include "client/daemon/collector_impl.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::daemon {
namespace {
constexpr std::string_view kLog = "run";
}

void Collector::Impl::startRead(scheduler::Task task, bool manual) {
  reader->read(readTarget(known.at(task.device), cfg()),
               [this, task, manual](pmd::ReadOutcome outcome) {
                 {
                   const std::lock_guard lock(resultsMutex);
                   results.push_back({task, std::move(outcome), manual});
                 }
                 resultsReady.notify_all();
               });
}

bool Collector::Impl::commit(const discovery::KnownDevice& d, const ReadDecision& decision) {
  const auto& verdict = decision.verdict;
  outbox::NewReading nr{
      decision.reading,
      verdict.urgent,
      {d.id, verdict.next.statusDigest, verdict.next.critical, verdict.next.everOnline}};
  try {
    outbox.commit(std::span<const outbox::NewReading>(&nr, 1), clock.now());
  } catch (const outbox::OutboxFull& e) {
    util::logError(kLog) << "reading of device " << d.id << " NOT stored: " << e.what()
                         << "; the server has not confirmed batches for a long time";
    return false;
  }
  if (verdict.urgent) {
    util::logWarning(kLog) << "device " << d.id << " at " << d.address << ": "
                           << (verdict.newCritical.empty() ? "" : verdict.newCritical.front())
                           << " — queued for sending at once";
  }
  return true;
}

void Collector::Impl::handleResult(const ReadResult& r, bool once) {
  const auto it = known.find(r.task.device);
  if (it == known.end()) {
    return;
  }
  discovery::KnownDevice& d = it->second;
  int inARow = 0;
  if (r.outcome.ok()) {
    failures.answered(d.id);
  } else {
    util::logWarning(kLog) << "device " << d.id << " at " << d.address << ": " << r.outcome.message;
    inARow = failures.failed(d.id);
  }
  const ReadDecision decision =
      decideRead(d, r.task.kind, r.outcome, inARow, clock.now(), enrollment.clientId);
  if (board != nullptr) {
    board->deviceRead(d.id, r.outcome.ok() ? std::optional(decision.reading) : std::nullopt, inARow,
                      r.outcome.message);
  }
  const bool committed = !decision.verdict.store || commit(d, decision);
  if (committed) {
    d.statusDigest = decision.verdict.next.statusDigest;
    d.critical = decision.verdict.next.critical;
    d.everOnline = decision.verdict.next.everOnline;
    if (decision.verdict.store) {
      // As the outbox stores them: a meter reading is a status poll too.
      d.lastStatusAt = decision.reading.readAt;
      if (decision.reading.kind == model::ReadingKind::kMeter) {
        d.lastMeterAt = decision.reading.readAt;
      }
    }
  }
  if (!once && !r.manual) {
    // A meter reading the full outbox refused counts as a failed read: it
    // is tried again within the hour, not at the next meter interval.
    const bool refusedMeter = !committed && r.task.kind == scheduler::TaskKind::kMeter;
    scheduler.taskDone(r.task, r.outcome.ok() && !refusedMeter);
  }
}

}  // namespace openmps::client::daemon
