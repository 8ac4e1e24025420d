#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

// A thin RAII layer over one SQLite connection: the client's database file
// (outbox, known devices, state). One connection per thread.
namespace openmps::client::outbox {

class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  // True while there is a row to read.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optionalInteger(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;

 private:
  [[noreturn]] void fail(const char* what) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  // Opens (creating when read-write) the file, sets WAL and synchronous=FULL
  // and creates or upgrades the schema.
  explicit Database(const std::filesystem::path& path, Mode mode = Mode::kReadWrite);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(const char* sql);
  // A statement prepared once per connection and reset before each use.
  Statement& statement(const char* sql);
  std::int64_t changes() const;
  std::int64_t lastInsertRowid() const;
  const std::filesystem::path& path() const { return path_; }

  // BEGIN IMMEDIATE ... COMMIT; rolls back when left without commit(), so
  // an exception half-way stores nothing.
  class Transaction {
   public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

   private:
    Database& db_;
    bool done_ = false;
  };

 private:
  void migrate();
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::map<const char*, std::unique_ptr<Statement>> statements_;
};

std::int64_t toUnixMillis(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromUnixMillis(std::int64_t ms);

}  // namespace openmps::client::outbox
