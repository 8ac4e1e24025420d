#include "server/store/pg_array.hpp"

namespace openmps::server::store {

void PgArray::separator() {
  if (count_++ > 0) {
    body_ += ',';
  }
}

void PgArray::add(std::string_view text) {
  separator();
  body_ += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      body_ += '\\';
    }
    // NUL cannot be stored in a PostgreSQL text value; the model's strings
    // come from untrusted devices.
    if (c != '\0') {
      body_ += c;
    }
  }
  body_ += '"';
}

void PgArray::add(std::int64_t number) {
  separator();
  body_ += std::to_string(number);
}

void PgArray::addNull() {
  separator();
  body_ += "NULL";
}

}  // namespace openmps::server::store
