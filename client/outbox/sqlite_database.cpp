#include "client/outbox/sqlite_database.hpp"

#include <sqlite3.h>

namespace openmps::client::outbox {
namespace {

// Version 1 of the client database. Timestamps are Unix milliseconds (UTC).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE state(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  client_id INTEGER NOT NULL DEFAULT 0,
  last_item_seq INTEGER NOT NULL DEFAULT 0,
  last_batch_seq INTEGER NOT NULL DEFAULT 0,
  last_batched_item INTEGER NOT NULL DEFAULT 0,
  stored_items INTEGER NOT NULL DEFAULT 0,
  confirmed_items INTEGER NOT NULL DEFAULT 0,
  confirmed_batches INTEGER NOT NULL DEFAULT 0,
  last_confirm_at INTEGER,
  last_send_error TEXT NOT NULL DEFAULT '',
  last_send_error_at INTEGER,
  last_sweep_at INTEGER,
  last_sweep_found INTEGER NOT NULL DEFAULT 0
);
INSERT INTO state(id) VALUES (1);

-- One row per committed reading; seq is the item sequence number the
-- server sees, assigned from state.last_item_seq and never reused.
CREATE TABLE items(
  seq INTEGER PRIMARY KEY,
  device INTEGER NOT NULL,
  kind TEXT NOT NULL,
  urgent INTEGER NOT NULL,
  committed_at INTEGER NOT NULL,
  reading TEXT NOT NULL
);

-- A batch covers the items first_item..last_item (contiguous: batches are
-- formed from the oldest queued items). envelope holds the sealed bytes.
-- Batch numbers are per client id: a re-enrolled client starts again at 1,
-- next to the rejected batches of its former id.
CREATE TABLE batches(
  batch_seq INTEGER NOT NULL,
  client_id INTEGER NOT NULL,
  first_item INTEGER NOT NULL,
  last_item INTEGER NOT NULL,
  items INTEGER NOT NULL,
  envelope BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'rejected')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  rejected_at INTEGER,
  PRIMARY KEY (client_id, batch_seq)
);

CREATE TABLE devices(
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  credential TEXT NOT NULL,
  serial TEXT NOT NULL,
  mac TEXT NOT NULL,
  sys_object_id TEXT NOT NULL,
  sys_descr TEXT NOT NULL,
  sys_name TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  last_meter_at INTEGER,
  last_status_at INTEGER,
  status_digest TEXT NOT NULL DEFAULT '',
  critical TEXT NOT NULL DEFAULT '',
  ever_online INTEGER NOT NULL DEFAULT 0,
  meter_readings INTEGER NOT NULL DEFAULT 0,
  status_readings INTEGER NOT NULL DEFAULT 0
);
)sql";

// Version 2: the sent-envelope log (sent_log.hpp). A batch keeps the plain
// payload it sealed (deflated) until it is confirmed, when the payload
// moves into the log.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE batches ADD COLUMN plain BLOB;

CREATE TABLE sent_envelopes(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sent_at INTEGER NOT NULL,
  carrier TEXT NOT NULL,
  server TEXT NOT NULL,
  client_id INTEGER NOT NULL,
  batch_seq INTEGER NOT NULL,
  readings INTEGER NOT NULL,
  sealed_bytes INTEGER NOT NULL,
  content_bytes INTEGER NOT NULL,
  content BLOB NOT NULL
);
)sql";

constexpr int kSchemaVersion = 2;
constexpr int kBusyTimeoutMs = 30'000;

}  // namespace

std::int64_t toUnixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromUnixMillis(std::int64_t ms) {
  return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::fail(const char* what) const {
  throw DatabaseError(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
    fail("bind");
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
      SQLITE_OK) {
    fail("bind");
  }
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    fail("bind");
  }
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
    fail("bind");
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bindNull(index);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  const std::string message = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw DatabaseError(std::string(sqlite3_sql(stmt_)).substr(0, 60) + "...: " + message);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::optionalInteger(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

Database::Database(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError(path.string() + ": cannot open: " + message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    if (mode == Mode::kReadWrite) {
      // WAL: readers (status, the sender thread) never block the writer.
      // synchronous=FULL: a commit is on disk before we act on it. NORMAL
      // is safe against kill -9 but may lose the last commits on power
      // loss; losing a formed batch would make us reuse its number for
      // other content, which the server must refuse.
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=FULL");
      migrate();
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Database::~Database() {
  statements_.clear();
  sqlite3_close(db_);
}

void Database::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw DatabaseError(path_.string() + ": " + message);
  }
}

Statement& Database::statement(const char* sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      throw DatabaseError(path_.string() + ": cannot prepare: " + sqlite3_errmsg(db_));
    }
    slot = std::make_unique<Statement>(db_, stmt);
  } else {
    slot->reset();
  }
  return *slot;
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

std::int64_t Database::lastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_);
}

void Database::migrate() {
  Transaction txn(*this);
  auto& version = statement("PRAGMA user_version");
  version.step();
  const std::int64_t current = version.integer(0);
  version.reset();
  if (current > kSchemaVersion) {
    throw DatabaseError(path_.string() + ": written by a newer openmps-client (schema " +
                        std::to_string(current) + "); refusing to touch it");
  }
  if (current < 1) exec(kSchemaV1);
  if (current < 2) exec(kSchemaV2);
  if (current < kSchemaVersion) {
    exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  }
  txn.commit();
}

Database::Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Database::Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing better to do in a destructor
    }
  }
}

void Database::Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace openmps::client::outbox
