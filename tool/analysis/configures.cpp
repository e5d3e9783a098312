#include "analysis/configures.h"

#include <algorithm>

namespace poolify::analysis {

std::vector<std::string> configuringAttributes(const std::vector<rules::Rule> &rules) {
  std::vector<std::string> out;
  for (const auto &rule : rules)
    for (const auto &rw : rule.rewrites)
      if (rw.leaveClosed) {
        out.insert(out.end(), rw.leaveIfConfigured.begin(), rw.leaveIfConfigured.end());
        out.emplace_back("close");
      }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

bool identifierStart(unsigned char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
bool identifierChar(unsigned char c) { return identifierStart(c) || (c >= '0' && c <= '9'); }

// The scanner's last tokens: enough to see `[.] HOLDER . ATTR`.
struct Token {
  enum class Kind { Name, Dot, Other } kind = Kind::Other;
  std::string_view text;
};

// The offset after the string literal that starts at `i` (its quote), counting the lines it spans.
size_t afterString(std::string_view text, size_t i, unsigned &line) {
  size_t n = text.size();
  bool triple = i + 2 < n && text[i + 1] == text[i] && text[i + 2] == text[i];
  char q = text[i];
  i += triple ? 3 : 1;
  while (i < n) {
    if (text[i] == '\\') {
      line += i + 1 < n && text[i + 1] == '\n';
      i += 2;
      continue;
    }
    if (text[i] == '\n') {
      ++line;
      if (!triple) // an unterminated string ends at the line's end
        return i + 1;
    }
    if (text[i] == q && (!triple || (i + 2 < n && text[i + 1] == q && text[i + 2] == q)))
      return i + (triple ? 3 : 1);
    ++i;
  }
  return n;
}

// Whether `text` may hold `.ATTR` for one of `attributes` (white space allowed after the dot, as
// Python does): the scan below runs only then. Most files have none, and a search from dot to dot
// (memchr) is several times faster than the scan's look at every byte.
bool mayConfigure(std::string_view text, const std::vector<std::string> &attributes) {
  size_t n = text.size();
  for (size_t pos = text.find('.'); pos != std::string_view::npos; pos = text.find('.', pos)) {
    ++pos;
    while (pos < n &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\\' || text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
    size_t end = pos;
    while (end < n && identifierChar(static_cast<unsigned char>(text[end])))
      ++end;
    if (end > pos && std::binary_search(attributes.begin(), attributes.end(), text.substr(pos, end - pos)))
      return true;
    pos = end;
  }
  return false;
}

} // namespace

std::vector<model::ConfigUse> scanConfigUses(std::string_view text, const std::vector<std::string> &attributes) {
  std::vector<model::ConfigUse> out;
  if (attributes.empty() || !mayConfigure(text, attributes))
    return out;
  Token last[3]; // last[2] the newest
  auto push = [&](Token t) {
    last[0] = last[1];
    last[1] = last[2];
    last[2] = t;
  };
  unsigned line = 1;
  size_t n = text.size();
  for (size_t i = 0; i < n;) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\\') { // a continuation joins lines
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < n && text[i] != '\n')
        ++i;
      continue;
    }
    if (c == '\'' || c == '"') { // a string (its prefix was a name token): skipped whole
      i = afterString(text, i, line);
      push({Token::Kind::Other, {}});
      continue;
    }
    if (c == '.') {
      push({Token::Kind::Dot, {}});
      ++i;
      continue;
    }
    if (c >= '0' && c <= '9') { // a number, `1.5e3` and `0x1F` whole
      while (i < n && (identifierChar(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
      push({Token::Kind::Other, {}});
      continue;
    }
    if (!identifierStart(c)) {
      push({Token::Kind::Other, {}});
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && identifierChar(static_cast<unsigned char>(text[j])))
      ++j;
    std::string_view name = text.substr(i, j - i);
    if (last[2].kind == Token::Kind::Dot && last[1].kind == Token::Kind::Name &&
        std::binary_search(attributes.begin(), attributes.end(), name)) {
      bool called = true;
      if (name == "close") {
        size_t k = j;
        while (k < n && (text[k] == ' ' || text[k] == '\t'))
          ++k;
        called = k < n && text[k] == '(';
      }
      bool dotted = last[0].kind == Token::Kind::Dot;
      // The first use of each kind is the one a reason names: the others add nothing.
      bool seen = std::any_of(out.begin(), out.end(), [&](const model::ConfigUse &u) {
        return u.dotted == dotted && u.holder == last[1].text && u.attr == name;
      });
      if (called && !seen)
        out.push_back({std::string(last[1].text), std::string(name), line, dotted});
    }
    push({Token::Kind::Name, name});
    i = j;
  }
  return out;
}

} // namespace poolify::analysis
