#include "client/pmd/device_reader.hpp"

#include <algorithm>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace openmps::client::pmd {
namespace {

// The GET and the walks of phase two complete in any order; the last one to
// finish evaluates.
struct PhaseTwo {
  std::mutex mutex;
  Snapshot snapshot;
  std::size_t pending = 0;
  snmp::Result failure;  // first hard failure, if any
  std::vector<std::string> notes;
};

bool isHardFailure(snmp::ErrorKind kind) {
  // A table the agent refuses (genErr, a looping walk) costs that table,
  // not the whole reading; a device that stops answering costs everything.
  return kind != snmp::ErrorKind::kNone && kind != snmp::ErrorKind::kAgentError &&
         kind != snmp::ErrorKind::kBadResponse;
}

ReadOutcome snmpFailure(const snmp::Result& result) {
  ReadOutcome out;
  out.error = ReadError::kSnmp;
  out.snmpError = result.error;
  out.message = result.message.empty() ? snmp::toString(result.error) : result.message;
  return out;
}

}  // namespace

void DeviceReader::read(const snmp::Target& target, Done done) {
  FetchPlan asked = planIdentify(catalog_);
  std::sort(asked.gets.begin(), asked.gets.end());
  const EvaluateContext context{target.toString(), target.host};
  const openmps::pmd::Catalog* catalog = &catalog_;
  snmp::SnmpClient* client = &client_;
  client_.get(target, asked.gets, [=, done = std::move(done)](const snmp::Result& first) mutable {
    if (!first.ok()) {
      done(snmpFailure(first));
      return;
    }
    Snapshot phaseOne;
    phaseOne.add(first.varbinds);
    const openmps::pmd::Definition* def = &selectDefinition(*catalog, phaseOne);
    FetchPlan plan = planRead(*def, phaseOne);
    // An OID the identification asked and the device does not have
    // (noSuchObject) is not asked again.
    std::erase_if(plan.gets, [&](const Oid& get) {
      return std::binary_search(asked.gets.begin(), asked.gets.end(), get);
    });
    auto state = std::make_shared<PhaseTwo>();
    state->snapshot = std::move(phaseOne);
    state->pending = (plan.walks.empty() ? 0U : 1U) + (plan.gets.empty() ? 0U : 1U);
    auto finish = [state, catalog, context, done]() mutable {
      if (isHardFailure(state->failure.error)) {
        done(snmpFailure(state->failure));
        return;
      }
      const Identification id = identify(*catalog, state->snapshot);
      ReadOutcome out;
      out.kind = id.kind;
      if (!id.read()) {
        out.error = ReadError::kNotAPrinter;
        out.message = "not a printer: " + context.address +
                      " answers SNMP but matches no device definition and shows no "
                      "Printer-MIB and no printer in hrDeviceTable";
        done(std::move(out));
        return;
      }
      out.reading = evaluate(*id.definition, state->snapshot, context);
      for (auto& note : state->notes) {
        out.reading.notes.push_back(std::move(note));
      }
      done(std::move(out));
    };
    if (state->pending == 0) {
      finish();
      return;
    }
    // Takes the answer of one request (chain) under the lock.
    auto take = [state](const snmp::Result& result, const std::string& what) {
      if (result.ok() || !isHardFailure(result.error)) {
        state->snapshot.add(result.varbinds);
      }
      if (!result.ok()) {
        if (isHardFailure(result.error) && !isHardFailure(state->failure.error)) {
          state->failure = result;
        } else if (!isHardFailure(result.error)) {
          state->notes.push_back(what + ": " + result.message);
        }
      }
    };
    auto complete = [state, finish](const std::function<void()>& takeAll) mutable {
      bool last = false;
      {
        const std::lock_guard<std::mutex> lock(state->mutex);
        takeAll();
        last = --state->pending == 0;
      }
      if (last) {
        finish();
      }
    };
    if (!plan.gets.empty()) {
      client->get(target, plan.gets, [complete, take](const snmp::Result& r) mutable {
        complete([&] { take(r, "reading scalars"); });
      });
    }
    if (!plan.walks.empty()) {
      // Every column in one request chain: a table costs varbinds, not round trips.
      client->walkMany(
          target, plan.walks, snmp::WalkOptions{},
          [complete, take, roots = plan.walks](const std::vector<snmp::Result>& results) mutable {
            complete([&] {
              for (std::size_t i = 0; i < results.size() && i < roots.size(); ++i) {
                take(results[i], "walking " + roots[i].toString());
              }
            });
          });
    }
  });
}

ReadOutcome DeviceReader::readAndWait(const snmp::Target& target) {
  auto promise = std::make_shared<std::promise<ReadOutcome>>();
  auto future = promise->get_future();
  read(target, [promise](ReadOutcome outcome) { promise->set_value(std::move(outcome)); });
  return future.get();
}

}  // namespace openmps::client::pmd
