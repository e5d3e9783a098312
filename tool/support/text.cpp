#include "support/text.h"

#include <cstring>

#include <algorithm>

namespace poolify {

LineIndex::LineIndex(std::string_view text, bool utf8) : text_(text), utf8_(utf8) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n')
      starts_.push_back(i + 1);
}

unsigned LineIndex::lineOf(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<unsigned>(it - starts_.begin());
}

LineCol LineIndex::at(size_t offset) const {
  offset = std::min(offset, text_.size());
  LineCol lc;
  lc.line = lineOf(offset);
  size_t start = starts_[lc.line - 1];
  unsigned col = 1;
  for (size_t i = start; i < offset; ++i)
    if (!utf8_ || (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80)
      ++col;
  lc.col = col;
  return lc;
}

std::string_view detectEol(std::string_view text) {
  size_t nl = text.find('\n');
  if (nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r')
    return "\r\n";
  return "\n";
}

uint64_t contentHash(std::string_view bytes) {
  // Eight bytes per step, each mixed by a multiply and a rotate; the length goes in last, so
  // texts that differ only in trailing zero bytes differ too. Not cryptographic: it tells whether
  // a file's bytes are still the ones analyzed.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull;
  size_t i = 0, n = bytes.size();
  auto mix = [&](uint64_t w) {
    h = (h ^ w) * kMul;
    h = (h << 27) | (h >> 37);
  };
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    mix(w);
  }
  uint64_t tail = 0;
  if (n > i)
    std::memcpy(&tail, bytes.data() + i, n - i);
  mix(tail);
  mix(static_cast<uint64_t>(n));
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}

std::optional<uint64_t> parseByteSize(std::string_view text) {
  size_t digits = 0;
  uint64_t n = 0;
  constexpr uint64_t maxBytes = uint64_t(1) << 40;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
    n = n * 10 + uint64_t(text[digits] - '0');
    if (n > maxBytes)
      return std::nullopt;
  }
  if (digits == 0)
    return std::nullopt;
  std::string_view unit = text.substr(digits);
  uint64_t scale = 1;
  if (!unit.empty() && (unit[0] == 'K' || unit[0] == 'k' || unit[0] == 'M' || unit[0] == 'm')) {
    scale = unit[0] == 'K' || unit[0] == 'k' ? 1024 : 1024 * 1024;
    unit.remove_prefix(1);
  }
  if (!(unit.empty() || ((unit == "B" || unit == "b") && scale != 1)))
    return std::nullopt;
  return n * scale > maxBytes ? std::nullopt : std::optional<uint64_t>(n * scale);
}

std::optional<size_t> firstInvalidUtf8(std::string_view text) {
  const auto *s = reinterpret_cast<const unsigned char *>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    // Source is mostly ASCII: skip eight ASCII bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::nullopt;
}

size_t lineStartOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  while (offset > 0 && text[offset - 1] != '\n')
    --offset;
  return offset;
}

size_t lineEndOf(std::string_view text, size_t offset) {
  size_t nl = text.find('\n', offset);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

std::string_view indentOf(std::string_view text, size_t offset) {
  size_t start = lineStartOf(text, offset), end = start;
  while (end < text.size() && (text[end] == ' ' || text[end] == '\t'))
    ++end;
  return text.substr(start, end - start);
}

bool onlyBlankBefore(std::string_view text, size_t offset) {
  size_t start = lineStartOf(text, offset);
  for (size_t i = start; i < offset; ++i)
    if (text[i] != ' ' && text[i] != '\t')
      return false;
  return true;
}

bool isIdentifier(std::string_view s) {
  if (s.empty())
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

bool isDottedName(std::string_view s) {
  for (size_t start = 0;;) {
    size_t dot = s.find('.', start);
    if (!isIdentifier(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

std::string counted(size_t n, std::string_view noun, std::string_view plural) {
  std::string out = std::to_string(n) + " ";
  if (n == 1)
    return out.append(noun);
  if (!plural.empty())
    return out.append(plural);
  return out.append(noun).append("s");
}

} // namespace poolify
