#include "server/store/migrations.hpp"

#include <cctype>
#include <stdexcept>
#include <string>

namespace openmps::server::store {

void checkMigrationOrder(std::span<const Migration> migrations) {
  int previous = 0;
  for (const auto& m : migrations) {
    const std::string name = m.name;
    if (name.size() < 6 || name[4] != '_') {
      throw std::logic_error("migration '" + name + "': expected NNNN_name");
    }
    for (std::size_t i = 0; i < 4; ++i) {
      if (std::isdigit(static_cast<unsigned char>(name[i])) == 0) {
        throw std::logic_error("migration '" + name + "': expected NNNN_name");
      }
    }
    const int number = std::stoi(name.substr(0, 4));
    if (number <= previous) {
      throw std::logic_error("migration '" + name + "' is out of order");
    }
    previous = number;
  }
}

}  // namespace openmps::server::store
