#include "python/names.h"

#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace poolify::py {

bool isKeyword(std::string_view s) {
  static constexpr std::array<std::string_view, 35> keywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  if (s.size() < 2 || s.size() > 8)
    return false;
  return std::find(keywords.begin(), keywords.end(), s) != keywords.end();
}

std::optional<std::string> badName(std::string_view name) {
  if (name.empty())
    return "is empty";
  if (!isIdentifier(name))
    return "is not a Python identifier (ASCII letters, digits and _, not starting with a digit)";
  if (isKeyword(name))
    return "is a Python keyword, which Python does not accept as a name";
  if (name == "__debug__")
    return "is __debug__, which Python does not let code import, assign or pass as a keyword";
  return std::nullopt;
}

std::optional<std::string> badDottedName(std::string_view dotted) {
  if (dotted.empty())
    return "is empty";
  size_t i = 0;
  while (i <= dotted.size()) {
    size_t j = std::min(dotted.find('.', i), dotted.size());
    std::string_view part = dotted.substr(i, j - i);
    if (part.empty())
      return "has an empty part (a leading, trailing or doubled '.')";
    if (auto why = badName(part))
      return fmt::format("has a part '{}' that {}", part, *why);
    i = j + 1;
  }
  return std::nullopt;
}

} // namespace poolify::py
