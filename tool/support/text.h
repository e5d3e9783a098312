// Text helpers shared by every stage: line/column lookup, line endings, UTF-8 checks.
// Offsets are byte offsets into one buffer; lines and columns reported to users are 1-based,
// columns count characters (UTF-8 code points), so editors jump to the right place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify {

struct LineCol {
  unsigned line = 1; // 1-based
  unsigned col = 1;  // 1-based, in characters
};

class LineIndex {
public:
  /// `utf8`: columns count characters; otherwise (a latin-1 file, say) bytes.
  explicit LineIndex(std::string_view text, bool utf8 = true);
  LineCol at(size_t offset) const;
  unsigned lineOf(size_t offset) const; // 1-based

private:
  std::string_view text_;
  std::vector<size_t> starts_;
  bool utf8_;
};

/// The line ending a file uses: the first one found ("\r\n" or "\n"); "\n" when there is none.
std::string_view detectEol(std::string_view text);

/// A 64-bit hash of a byte string (fast, not cryptographic): has a file changed since it was read?
uint64_t contentHash(std::string_view bytes);

/// Offset of the first byte that is not valid UTF-8, or nullopt.
std::optional<size_t> firstInvalidUtf8(std::string_view text);

/// Offset of the start of the line containing `offset`.
size_t lineStartOf(std::string_view text, size_t offset);
/// Offset just past the end of the line containing `offset` (past its "\n", or text.size()).
size_t lineEndOf(std::string_view text, size_t offset);
/// The run of spaces and tabs at the start of the line containing `offset`.
std::string_view indentOf(std::string_view text, size_t offset);
/// True when only spaces/tabs lie between the line start and `offset`.
bool onlyBlankBefore(std::string_view text, size_t offset);

/// A byte that can be part of a Python identifier as the text prefilters read one: ASCII letters,
/// digits and _, and any byte of a non-ASCII character (without a call into the C library per byte).
inline bool identifierByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

bool isIdentifier(std::string_view s);
/// One or more identifiers joined by dots ("a.b.c").
bool isDottedName(std::string_view s);
/// A size in bytes as a user writes it: digits, then K or M (1024, 1024 * 1024; either case, an
/// optional B after it: "512", "64K", "4M", "4MB"). nullopt for anything else: no sign, no spaces,
/// no fractions, nothing beyond 2^40.
std::optional<uint64_t> parseByteSize(std::string_view text);

/// A count and its noun, singular for one: counted(1, "site") is "1 site", counted(2, "site") "2 sites";
/// `plural` for nouns that do not just take an s (counted(2, "patch", "patches")).
std::string counted(size_t n, std::string_view noun, std::string_view plural = {});

} // namespace poolify
