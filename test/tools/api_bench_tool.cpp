// api_bench_tool: the figures of test/bench/test_api_bench.py. Sessions
// (one thread each, all at once) run the same walk through the device
// list as a person in the portal does: first page, next page, a status
// filter, a supply filter, a sort, one customer's devices, a search and a
// device page. Two ways, each measured in the same run:
//   sql   the store's own queries (store::PgDevices, the API's code) on a
//         connection per session, in the session's RLS scope, rows fetched
//   http  the same requests to the REST API over HTTPS (one keep-alive
//         connection per session, its session cookie)
// Phases alternate (sql, http, sql, http, ...) so that load from elsewhere
// on the machine falls on both. Prints JSON: per way the latencies (p50,
// p99, max in ms) overall and per step, requests and requests per second.
// The sessions come from a JSON file (--sessions): [{cookie, path:[ids],
// customers:[ids], terms:[text]}]; the database URI from
// $BENCH_DATABASE_URI (never argv).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/device_list.hpp"
#include "server/store/pg_api_role.hpp"
#include "server/store/pg_devices.hpp"
#include "shared/util/args.hpp"
#include "shared/util/secret.hpp"

using namespace openmps;
using namespace openmps::server;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Session {
  std::string cookie;
  store::TenantScope scope;
  std::vector<std::int64_t> customers;
  std::vector<std::string> terms;
};

// One step of the walk: its name, the API request and the same query.
struct Step {
  std::string name;
  std::string target;  // path and query of the API request
  store::DeviceListQuery query;
  std::int64_t deviceId = 0;  // a device page instead of a list
};

// Latencies in ms by step name.
using Samples = std::map<std::string, std::vector<double>>;

std::vector<Session> readSessions(const std::string& path) {
  std::ifstream in(path);
  const auto doc = Json::parse(in);
  std::vector<Session> out;
  for (const auto& s : doc) {
    Session session;
    session.cookie = s.at("cookie").get<std::string>();
    session.scope.organisationPath = s.at("path").get<std::vector<std::int64_t>>();
    session.customers = s.at("customers").get<std::vector<std::int64_t>>();
    session.terms = s.at("terms").get<std::vector<std::string>>();
    out.push_back(std::move(session));
  }
  return out;
}

std::string urlEncode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=?#+%/ ", out);
  return out;
}

store::DeviceListQuery pageOf(int limit) {
  store::DeviceListQuery q;
  q.limit = limit;
  return q;
}

// The list steps of round `round` for one session; the next page and the
// device page follow from the first page's answer.
std::vector<Step> listSteps(const Session& s, int round, int limit) {
  const auto lim = "limit=" + std::to_string(limit);
  std::vector<Step> steps;
  steps.push_back({"first_page", "/api/v1/devices?" + lim, pageOf(limit)});
  auto byStatus = pageOf(limit);
  byStatus.condition = store::DeviceCondition::kError;
  steps.push_back({"filter_status", "/api/v1/devices?status=error&" + lim, byStatus});
  auto bySupply = pageOf(limit);
  bySupply.supply = store::SupplyFilter::kLow;
  steps.push_back({"filter_supply", "/api/v1/devices?supply=low&" + lim, bySupply});
  auto sorted = pageOf(limit);
  sorted.sort = round % 2 == 0 ? store::DeviceSort::kLastSeen : store::DeviceSort::kModel;
  sorted.descending = round % 2 == 0;
  steps.push_back(
      {"sort",
       std::string("/api/v1/devices?sort=") + (round % 2 == 0 ? "-last_seen" : "model") + "&" + lim,
       sorted});
  if (!s.customers.empty()) {
    auto one = pageOf(limit);
    one.customerId = s.customers[static_cast<std::size_t>(round) % s.customers.size()];
    steps.push_back({"customer",
                     "/api/v1/devices?customer_id=" + std::to_string(one.customerId) + "&" + lim,
                     one});
  }
  if (!s.terms.empty()) {
    auto found = pageOf(limit);
    found.search = s.terms[static_cast<std::size_t>(round) % s.terms.size()];
    steps.push_back({"search", "/api/v1/devices?q=" + urlEncode(found.search) + "&" + lim, found});
  }
  return steps;
}

// What a page says about the walk's next steps.
struct PageFacts {
  std::string nextAfter;
  std::int64_t someDevice = 0;
  std::size_t rows = 0;
};

class SqlWay {
 public:
  SqlWay(const std::string& uri, std::string apiRole, const Session& session)
      : conn_(uri), role_(std::move(apiRole)), session_(session) {}

  PageFacts list(const store::DeviceListQuery& q) {
    pqxx::work txn(conn_);
    store::enterTenantScope(txn, role_, session_.scope);
    auto rows = store::PgDevices(txn).list(q, std::chrono::system_clock::now());
    txn.commit();
    PageFacts facts;
    const bool more = rows.size() > static_cast<std::size_t>(q.limit);
    if (more) rows.pop_back();
    facts.rows = rows.size();
    if (more && !rows.empty())
      facts.nextAfter = store::encodeCursor({rows.back().sortKey, rows.back().id});
    if (!rows.empty()) facts.someDevice = rows[rows.size() / 2].id;
    return facts;
  }

  void device(std::int64_t id) {
    pqxx::work txn(conn_);
    store::enterTenantScope(txn, role_, session_.scope);
    const auto d = store::PgDevices(txn).get(id, session_.scope.organisationPath.back());
    txn.commit();
    if (!d) throw std::runtime_error("device " + std::to_string(id) + " not visible");
  }

 private:
  pqxx::connection conn_;
  std::string role_;
  const Session& session_;
};

class HttpWay {
 public:
  HttpWay(const Poco::URI& base, const Session& session)
      : http_(base.getHost(), base.getPort(), context()), session_(session) {
    http_.setKeepAlive(true);
    http_.setTimeout(Poco::Timespan(120, 0));
  }

  // A GET whose kept-alive connection the listener reset (its pending
  // places full) is sent once more on a new connection, as browsers do
  // with idempotent requests (RFC 9112 9.3.1); counted, and its latency
  // includes the retry.
  Json get(const std::string& target) {
    try {
      return exchange(target);
    } catch (const Poco::Net::NetException&) {
      ++retried_;
      http_.reset();
      return exchange(target);
    }
  }

  std::size_t closed() const { return closed_; }
  std::size_t retried() const { return retried_; }

  PageFacts list(const std::string& target) {
    const auto page = get(target);
    PageFacts facts;
    const auto& items = page.at("items");
    facts.rows = items.size();
    if (!page.at("next_after").is_null())
      facts.nextAfter = page.at("next_after").get<std::string>();
    if (!items.empty()) facts.someDevice = items.at(items.size() / 2).at("id").get<std::int64_t>();
    return facts;
  }

 private:
  Json exchange(const std::string& target) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Cookie", session_.cookie);
    request.set("Accept", "application/json");
    request.setKeepAlive(true);
    http_.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = http_.receiveResponse(response);
    // The listener closes a kept-alive connection when its idle places are
    // taken: the next request pays a TLS handshake.
    if (!response.getKeepAlive()) ++closed_;
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
      throw std::runtime_error(target + ": HTTP " + std::to_string(response.getStatus()) + " " +
                               body.substr(0, 300));
    return Json::parse(body);
  }

  static Poco::Net::Context::Ptr context() {
    static const Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
    return ctx;
  }

  Poco::Net::HTTPSClientSession http_;
  const Session& session_;
  std::size_t closed_ = 0;
  std::size_t retried_ = 0;
};

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One session's rounds through either way; `Way` has list(step) and
// device(id) adapters below.
template <typename ListFn, typename DeviceFn>
void walk(const Session& s, int rounds, int limit, Samples& samples, std::size_t& rows,
          ListFn&& list, DeviceFn&& device) {
  for (int round = 0; round < rounds; ++round) {
    for (const auto& step : listSteps(s, round, limit)) {
      auto start = Clock::now();
      const auto facts = list(step.target, step.query);
      samples[step.name].push_back(msSince(start));
      rows += facts.rows;
      if (step.name != "first_page") continue;
      if (!facts.nextAfter.empty()) {
        auto next = step.query;
        next.after = store::decodeCursor(facts.nextAfter);
        start = Clock::now();
        rows += list(step.target + "&after=" + urlEncode(facts.nextAfter), next).rows;
        samples["next_page"].push_back(msSince(start));
      }
      if (facts.someDevice != 0) {
        start = Clock::now();
        device(facts.someDevice);
        samples["device_page"].push_back(msSince(start));
      }
    }
  }
}

struct PhaseResult {
  Samples samples;
  double seconds = 0;
  std::size_t rows = 0;
  std::size_t closed = 0;   // answers that closed the connection (http)
  std::size_t retried = 0;  // requests sent again after a reset (http)
};

PhaseResult runPhase(const std::string& way, const std::vector<Session>& sessions, int rounds,
                     int limit, const std::string& uri, const std::string& apiRole,
                     const Poco::URI& base) {
  std::vector<Samples> perThread(sessions.size());
  std::vector<std::size_t> rowsPerThread(sessions.size(), 0);
  std::vector<std::size_t> closedPerThread(sessions.size(), 0);
  std::vector<std::size_t> retriedPerThread(sessions.size(), 0);
  std::mutex errorLock;
  std::string error;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const auto body = [&](std::size_t i) {
    try {
      const auto& s = sessions[i];
      if (way == "sql") {
        SqlWay sql(uri, apiRole, s);
        sql.list(pageOf(limit));  // warm the connection and its statements
        ++ready;
        while (!go) std::this_thread::yield();
        walk(
            s, rounds, limit, perThread[i], rowsPerThread[i],
            [&](const std::string&, const store::DeviceListQuery& q) { return sql.list(q); },
            [&](std::int64_t id) { sql.device(id); });
      } else {
        // Connect one session after the other: 50 TLS handshakes at once
        // are a burst the listener sheds (limits.max_pending_connections),
        // and the walk is what is measured, not the connecting.
        while (ready < static_cast<int>(i)) std::this_thread::yield();
        HttpWay http(base, s);
        http.list("/api/v1/devices?limit=" + std::to_string(limit));
        ++ready;
        while (!go) std::this_thread::yield();
        walk(
            s, rounds, limit, perThread[i], rowsPerThread[i],
            [&](const std::string& target, const store::DeviceListQuery&) {
              return http.list(target);
            },
            [&](std::int64_t id) { http.get("/api/v1/devices/" + std::to_string(id)); });
        closedPerThread[i] = http.closed();
        retriedPerThread[i] = http.retried();
      }
    } catch (const std::exception& e) {
      const std::lock_guard lock(errorLock);
      if (error.empty()) error = way + ": " + e.what();
      ++ready;
    }
  };
  for (std::size_t i = 0; i < sessions.size(); ++i) threads.emplace_back(body, i);
  while (ready < static_cast<int>(sessions.size()))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  PhaseResult result;
  result.seconds = msSince(start) / 1000.0;
  if (!error.empty()) throw std::runtime_error(error);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    result.rows += rowsPerThread[i];
    result.closed += closedPerThread[i];
    result.retried += retriedPerThread[i];
    for (auto& [name, v] : perThread[i])
      result.samples[name].insert(result.samples[name].end(), v.begin(), v.end());
  }
  return result;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())) - 1);
  return v[std::min(i, v.size() - 1)];
}

Json figures(const std::vector<double>& v) {
  return {{"n", v.size()},
          {"p50_ms", percentile(v, 0.50)},
          {"p99_ms", percentile(v, 0.99)},
          {"max_ms", v.empty() ? 0.0 : *std::max_element(v.begin(), v.end())}};
}

Json summarise(const std::vector<PhaseResult>& phases) {
  Samples all;
  double seconds = 0;
  std::size_t rows = 0;
  std::size_t closed = 0;
  std::size_t retried = 0;
  for (const auto& p : phases) {
    seconds += p.seconds;
    rows += p.rows;
    closed += p.closed;
    retried += p.retried;
    for (const auto& [name, v] : p.samples) all[name].insert(all[name].end(), v.begin(), v.end());
  }
  std::vector<double> every;
  Json steps = Json::object();
  for (const auto& [name, v] : all) {
    steps[name] = figures(v);
    every.insert(every.end(), v.begin(), v.end());
  }
  const auto requests = static_cast<double>(every.size());
  return {{"all", figures(every)},
          {"steps", steps},
          {"requests", every.size()},
          {"rows", rows},
          {"connections_closed", closed},
          {"retried", retried},
          {"seconds", seconds},
          {"requests_per_second", seconds > 0 ? requests / seconds : 0.0}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<util::OptionSpec> specs = {
      {"sessions", true, "FILE", "the sessions (JSON)"},
      {"api-url", true, "URL", "https://host:port of the API"},
      {"rounds", true, "N", "walks per session and phase (default 3)"},
      {"phases", true, "N", "phases per way, alternating (default 2)"},
      {"limit", true, "N", "devices per page (default 100)"},
  };
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = util::parseArgs(args, specs);
    const char* uri = std::getenv("BENCH_DATABASE_URI");
    if (uri == nullptr) throw util::UsageError("set BENCH_DATABASE_URI");
    const auto sessions = readSessions(parsed.getOr("sessions", ""));
    const int rounds = static_cast<int>(parsed.intOr("rounds", 3, 1, 1000));
    const int phases = static_cast<int>(parsed.intOr("phases", 2, 1, 20));
    const int limit = static_cast<int>(parsed.intOr("limit", 100, 1, 500));
    const Poco::URI base(parsed.getOr("api-url", ""));
    const auto apiRole = store::checkApiRole(util::Secret(uri));
    std::vector<PhaseResult> sql, http;
    for (int i = 0; i < phases; ++i) {
      sql.push_back(runPhase("sql", sessions, rounds, limit, uri, apiRole, base));
      http.push_back(runPhase("http", sessions, rounds, limit, uri, apiRole, base));
    }
    // One session alone: each way's cost per request without queueing.
    const std::vector<Session> one(sessions.begin(), sessions.begin() + 1);
    const auto sqlAlone = runPhase("sql", one, rounds, limit, uri, apiRole, base);
    const auto httpAlone = runPhase("http", one, rounds, limit, uri, apiRole, base);
    std::cout << Json{{"sessions", sessions.size()},
                      {"sql", summarise(sql)},
                      {"http", summarise(http)},
                      {"sql_alone", summarise({sqlAlone})},
                      {"http_alone", summarise({httpAlone})}}
                     .dump()
              << "\n";
    return 0;
  } catch (const util::UsageError& e) {
    std::cerr << "api_bench_tool: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "api_bench_tool: " << e.what() << "\n";
    return 1;
  }
}
