#include "shared/util/secret.hpp"

#include <sodium.h>

namespace openmps::util {

Secret::~Secret() {
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
}

}  // namespace openmps::util
