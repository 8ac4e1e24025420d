#pragma once

#include <cstddef>
#include <string_view>

namespace openmps::envelope {

// What a legitimate document of this project needs, with a margin: the
// deepest (a system.methodSignature answer) nests 11 elements, the largest
// (an mps.submit acknowledgement) has 21.
struct XmlRpcShapeLimits {
  std::size_t maxDepth = 16;
  std::size_t maxElements = 256;
};

// Every XML-RPC document from the network (a call the server receives, an
// answer the client receives) passes this check before xmlrpc-c parses it.
// xmlrpc-c expands internal entities without bound, frees its parse tree
// recursively (deep nesting overflows the stack) and crashes while
// reporting a malformed <i8>; none of that may be reachable from outside.
//
// One linear pass over the bytes. Refused, with EnvelopeError(kBadCall)
// naming what was wrong and at which byte offset:
// - any `<!` markup: DOCTYPE, ENTITY, comments, CDATA (XML-RPC needs none);
// - processing instructions other than the XML declaration at the start;
// - entity references other than the five predefined ones and character
//   references;
// - nesting deeper than maxDepth, more than maxElements elements, a closing
//   tag without its opening one, `<` inside a tag, an unclosed tag;
// - an <i8> (or <ex:i8>) that is not optional blanks, an optional sign and
//   1 to 18 digits written literally.
void rejectUnsafeXmlRpc(std::string_view xml, const XmlRpcShapeLimits& limits = {});

}  // namespace openmps::envelope
