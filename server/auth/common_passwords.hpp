#pragma once

#include <span>
#include <string_view>

namespace openmps::server::auth {

// Passwords and base words people choose most, in lower case (the policy
// also strips digits and symbols around a word and undoes l33t spelling
// before it looks a password up). Built in, so a server without a word
// list installed still refuses the worst ones.
std::span<const std::string_view> commonPasswords();

}  // namespace openmps::server::auth
