// snmp_tool: drives NetSnmpClient for integration tests and benchmarks.
//
//   snmp_tool [SNMP options] [--get OID]... [--getnext OID]... [--walk OID]...
//             [--max-rows N] [--max-repetitions N] [--walk-many [--max-varbinds N]]
//             [--concurrency N] [--counts-only] HOST[:PORT]...
//
// Every operation runs against every target at once. Prints one JSON line
// per target ({"target", "results": [{"op", "oid", "ok", "kind", "message",
// "varbinds" | "count"}]}) and a last line {"summary": {...}} with the
// client's request counters and the wall time. With --walk-many, a target's
// --walk subtrees go through one walkMany call (one GETBULK chain). Exit 0 when every operation
// succeeded, 1 when one failed, 2 on a usage error.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/snmp/credential_options.hpp"
#include "client/snmp/net_snmp_client.hpp"
#include "shared/util/args.hpp"

namespace snmp = openmps::client::snmp;
namespace util = openmps::util;
using openmps::snmp::Oid;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto ch = static_cast<unsigned char>(c);
    out += digits[ch >> 4U];
    out += digits[ch & 15U];
  }
  return out;
}

nlohmann::json toJson(const VarBind& vb) {
  nlohmann::json j;
  j["oid"] = vb.oid.toString();
  j["type"] = openmps::snmp::toString(vb.value.type);
  switch (vb.value.type) {
    case ValueType::kOctetString:
    case ValueType::kOpaque:
    case ValueType::kIpAddress:
      j["hex"] = hex(vb.value.bytes);
      j["value"] = vb.value.bytes;
      break;
    case ValueType::kCounter64: j["value"] = vb.value.counter64; break;
    case ValueType::kOid: j["value"] = vb.value.oid.toString(); break;
    default:
      if (!vb.value.isException()) {
        j["value"] = vb.value.number;
      }
      break;
  }
  return j;
}

struct Job {
  std::string op;
  Oid oid;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto specs = snmp::snmpOptionSpecs();
  specs.push_back({"get", true, "OID", "GET this OID (repeatable; all in one request)"});
  specs.push_back({"getnext", true, "OID", "GETNEXT this OID (repeatable)"});
  specs.push_back({"walk", true, "OID", "walk this subtree (repeatable)"});
  specs.push_back({"max-rows", true, "N", "walk row limit"});
  specs.push_back({"max-repetitions", true, "N", "GETBULK max-repetitions"});
  specs.push_back({"walk-many", false, "", "walk the --walk subtrees together (walkMany)"});
  specs.push_back({"max-varbinds", true, "N", "walkMany: varbinds per answer"});
  specs.push_back({"concurrency", true, "N", "operations in flight at most"});
  specs.push_back({"counts-only", false, "", "print row counts instead of varbinds"});
  util::ParsedArgs parsed;
  snmp::Credentials credentials;
  std::vector<snmp::Target> targets;
  try {
    parsed = util::parseArgs(args, specs);
    credentials = snmp::credentialsFromArgs(parsed);
    for (const auto& text : parsed.positional()) {
      auto hp = snmp::parseHostPort(text, 161);
      if (!hp) {
        throw util::UsageError("bad target '" + text + "'");
      }
      snmp::Target t;
      t.host = hp->first;
      t.port = hp->second;
      t.credentials = credentials;
      snmp::applyTimingArgs(parsed, t);
      targets.push_back(t);
    }
    if (targets.empty()) {
      throw util::UsageError("no target given");
    }
  } catch (const std::exception& e) {
    std::cerr << "snmp_tool: " << e.what() << "\n";
    return 2;
  }
  std::vector<Oid> gets;
  std::vector<Job> jobs;
  try {
    for (const auto& o : parsed.all("get")) {
      gets.push_back(Oid::of(o));
    }
    if (!gets.empty()) {
      jobs.push_back({"get", {}});
    }
    for (const auto& o : parsed.all("getnext")) {
      jobs.push_back({"getnext", Oid::of(o)});
    }
    for (const auto& o : parsed.all("walk")) {
      jobs.push_back({"walk", Oid::of(o)});
    }
  } catch (const std::exception& e) {
    std::cerr << "snmp_tool: bad OID: " << e.what() << "\n";
    return 2;
  }
  snmp::WalkOptions walkOptions;
  walkOptions.maxRows = static_cast<std::size_t>(parsed.intOr("max-rows", 10000, 1, 10'000'000));
  walkOptions.maxRepetitions = static_cast<int>(parsed.intOr("max-repetitions", 25, 1, 1000));
  walkOptions.maxVarbinds = static_cast<std::size_t>(parsed.intOr(
      "max-varbinds", static_cast<std::int64_t>(snmp::WalkOptions{}.maxVarbinds), 1, 10000));
  const bool walkMany = parsed.has("walk-many");
  const bool countsOnly = parsed.has("counts-only");
  snmp::NetSnmpClient::Options options;
  options.maxInFlight = static_cast<std::size_t>(parsed.intOr("concurrency", 512, 1, 100000));

  const auto started = std::chrono::steady_clock::now();
  std::vector<nlohmann::json> perTarget(targets.size());
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t pending = targets.size() * jobs.size();
  std::atomic<bool> allOk{true};
  {
    snmp::NetSnmpClient client(options);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      perTarget[i]["target"] = targets[i].toString();
      perTarget[i]["results"] = nlohmann::json::array();
      std::vector<Oid> manyRoots;
      std::vector<snmp::SnmpClient::Callback> manyDone;
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        perTarget[i]["results"].push_back(nullptr);
        snmp::SnmpClient::Callback done = [&, i, j](const snmp::Result& r) {
          nlohmann::json out;
          out["op"] = jobs[j].op;
          if (jobs[j].op != "get") {
            out["oid"] = jobs[j].oid.toString();
          }
          out["ok"] = r.ok();
          out["kind"] = snmp::toString(r.error);
          out["message"] = r.message;
          if (countsOnly) {
            out["count"] = r.varbinds.size();
          } else {
            out["varbinds"] = nlohmann::json::array();
            for (const auto& vb : r.varbinds) {
              out["varbinds"].push_back(toJson(vb));
            }
          }
          if (!r.ok()) {
            allOk = false;
          }
          std::lock_guard lock(mutex);
          perTarget[i]["results"][j] = std::move(out);
          if (--pending == 0) {
            cv.notify_all();
          }
        };
        if (jobs[j].op == "get") {
          client.get(targets[i], gets, done);
        } else if (jobs[j].op == "getnext") {
          client.getNext(targets[i], {jobs[j].oid}, done);
        } else if (walkMany) {
          manyRoots.push_back(jobs[j].oid);
          manyDone.push_back(std::move(done));
        } else {
          client.walk(targets[i], jobs[j].oid, walkOptions, done);
        }
      }
      if (!manyRoots.empty()) {
        client.walkMany(targets[i], manyRoots, walkOptions,
                        [manyDone = std::move(manyDone)](std::vector<snmp::Result> results) {
                          for (std::size_t k = 0; k < results.size() && k < manyDone.size(); ++k) {
                            manyDone[k](results[k]);
                          }
                        });
      }
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return pending == 0; });
    const auto elapsed = std::chrono::steady_clock::now() - started;
    for (const auto& j : perTarget) {
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    const auto stats = client.stats();
    nlohmann::json summary;
    summary["targets"] = targets.size();
    summary["requests"] = stats.requests;
    summary["responses"] = stats.responses;
    summary["timeouts"] = stats.timeouts;
    summary["varbinds"] = stats.varbinds;
    summary["elapsed_s"] = std::chrono::duration<double>(elapsed).count();
    std::cout << nlohmann::json{{"summary", summary}}.dump() << "\n";
  }
  return allOk ? 0 : 1;
}
