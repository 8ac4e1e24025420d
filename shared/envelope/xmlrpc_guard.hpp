#pragma once

#include <string_view>

namespace openmps::envelope {

// xmlrpc-c 1.33 (Debian 12) crashes while reporting a malformed <i8> value
// (any non-digit, a trailing blank, an entity, CDATA, too many digits): its
// fault message formats a bad pointer. Every XML-RPC document from the
// network must pass this check before xmlrpc-c parses it. Conservative on
// purpose: <i8> (or <ex:i8>) may hold only optional leading blanks, an
// optional sign and 1 to 18 digits, written literally. Throws
// EnvelopeError(kBadCall) naming the byte offset otherwise.
void rejectUnsafeXmlRpc(std::string_view xml);

}  // namespace openmps::envelope
