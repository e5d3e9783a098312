#include "python/compile_check.h"

#include "python/limits.h"
#include "python/names.h"
#include "python/nodes.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <vector>

namespace poolify::py {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// CPython 3.11's Parser/tokenizer.c: get_coding_spec, check_coding_spec and get_normal_name. The
// cookie is in a comment-only line 1, or in line 2 when line 1 is blank or a comment; its name is
// compared by its first 12 characters, lowercased, '_' read as '-'.
struct Cookie {
  size_t offset; // of the name
  std::string name;
};

std::optional<Cookie> codingCookie(std::string_view body) {
  size_t pos = 0;
  for (int line = 0; line < 2 && pos < body.size(); ++line) {
    size_t nl = body.find('\n', pos);
    std::string_view l = body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl + 1 - pos);
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\f'))
      ++i;
    if (i < l.size() && l[i] == '#') {
      for (size_t c = l.find("coding", i); c != std::string_view::npos; c = l.find("coding", c + 1)) {
        size_t t = c + 6;
        if (t >= l.size() || (l[t] != ':' && l[t] != '='))
          continue;
        do
          ++t;
        while (t < l.size() && (l[t] == ' ' || l[t] == '\t'));
        size_t begin = t;
        while (t < l.size() &&
               (std::isalnum(static_cast<unsigned char>(l[t])) || l[t] == '-' || l[t] == '_' || l[t] == '.'))
          ++t;
        if (t > begin)
          return Cookie{pos + begin, std::string(l.substr(begin, t - begin))};
      }
    } else if (i < l.size() && l[i] != '\n' && l[i] != '\r') {
      return std::nullopt; // a line with code: no cookie below it
    }
    if (nl == std::string_view::npos)
      break;
    pos = nl + 1;
  }
  return std::nullopt;
}

std::string normalName(const std::string &name) {
  std::string buf;
  for (size_t i = 0; i < name.size() && i < 12; ++i)
    buf += name[i] == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  auto starts = [&](std::string_view p) { return buf.compare(0, p.size(), p) == 0; };
  if (buf == "utf-8" || starts("utf-8-"))
    return "utf-8";
  if (buf == "latin-1" || buf == "iso-8859-1" || buf == "iso-latin-1" || starts("latin-1-") || starts("iso-8859-1-") ||
      starts("iso-latin-1-"))
    return "iso-8859-1";
  return name;
}

std::optional<Problem> bomCookieProblem(std::string_view text) {
  if (text.substr(0, 3) != kBom)
    return std::nullopt;
  auto cookie = codingCookie(text.substr(3));
  if (!cookie)
    return std::nullopt;
  std::string name = normalName(cookie->name);
  if (name == "utf-8")
    return std::nullopt;
  return Problem{3 + cookie->offset, fmt::format("encoding problem: {} with BOM (the file starts with a UTF-8 byte "
                                                 "order mark but declares another encoding)",
                                                 name)};
}

// CPython's tokenizer limits, outside strings and comments: more than 200 brackets open at once
// is "too many nested parentheses" (MAXLEVEL), a 100th level of indentation "too many levels of
// indentation" (MAXINDENT). Strings are skipped whole, f-strings too (CPython 3.11 parses their
// expressions separately).
std::optional<Problem> tokenizerProblem(std::string_view text, size_t from) {
  constexpr int kMaxLevel = 200;
  constexpr size_t kMaxIndents = 99; // indentation levels above the first column
  int level = 0;
  std::vector<int> indents{0};
  bool lineStart = true, continued = false;
  size_t i = from, n = text.size();
  while (i < n) {
    if (lineStart) {
      lineStart = false;
      int col = 0;
      size_t k = i;
      for (; k < n && (text[k] == ' ' || text[k] == '\t' || text[k] == '\f'); ++k)
        col = text[k] == ' ' ? col + 1 : text[k] == '\t' ? (col / 8 + 1) * 8 : 0;
      bool blank = k >= n || text[k] == '\n' || text[k] == '\r' || text[k] == '#';
      if (!blank && level == 0 && !continued) {
        if (col > indents.back()) {
          if (indents.size() > kMaxIndents)
            return Problem{
                k, fmt::format("too many levels of indentation (CPython allows {} nested blocks)", kMaxIndents)};
          indents.push_back(col);
        }
        while (indents.size() > 1 && col < indents.back())
          indents.pop_back();
      }
      continued = false;
      i = k;
      continue;
    }
    char c = text[i];
    if (c == '\n') {
      lineStart = true;
    } else if (c == '\\' && i + 1 < n && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
      continued = true; // a line continuation: the next line is not a new logical line
    } else if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n')
        ++i;
    } else if (c == '\'' || c == '"') {
      bool triple = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      i += triple ? 3 : 1;
      while (i < n) {
        if (text[i] == '\\') {
          i += 2;
        } else if (text[i] == c && (!triple || (i + 2 < n && text[i + 1] == c && text[i + 2] == c))) {
          i += triple ? 3 : 1;
          break;
        } else if (text[i] == '\n' && !triple) {
          break; // unterminated: tree-sitter has reported it already
        } else {
          ++i;
        }
      }
      continue;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++level > kMaxLevel)
        return Problem{i, fmt::format("too many nested parentheses (CPython allows {} levels of parentheses, "
                                      "brackets and braces)",
                                      kMaxLevel)};
    } else if (c == ')' || c == ']' || c == '}') {
      level = std::max(0, level - 1);
    }
    ++i;
  }
  return std::nullopt;
}

// True when an identifier (a child of `parent` in field `fieldName`) is bound there: where
// CPython says "cannot assign to __debug__".
bool bindsName(TSNode parent, std::string_view fieldName) {
  std::string_view p = type(parent);
  if (p == "keyword_argument" || p == "default_parameter" || p == "typed_parameter" || p == "typed_default_parameter")
    return fieldName == "name" || p == "typed_parameter";
  if (p == "parameters" || p == "lambda_parameters" || p == "list_splat_pattern" || p == "dictionary_splat_pattern")
    return true;
  if (p == "aliased_import")
    return fieldName == "alias";
  if (p == "assignment" || p == "augmented_assignment" || p == "for_statement" || p == "for_in_clause")
    return fieldName == "left";
  if (p == "function_definition" || p == "class_definition" || p == "named_expression")
    return fieldName == "name";
  if (p == "dotted_name") {
    // `import __debug__` and `from m import __debug__`: a one-part name that is imported.
    if (ts_node_named_child_count(parent) != 1)
      return false;
    TSNode stmt = ts_node_parent(parent);
    if (is(stmt, "import_statement"))
      return true;
    if (is(stmt, "import_from_statement"))
      return !same(field(stmt, "module_name"), parent);
  }
  return false;
}

// The first child (named or not) of `n` of this type, or a null node. A cursor: ts_node_child(n, k)
// walks from the first child each time, quadratic over a comparison with thousands of operators.
TSNode childOfType(TSNode n, std::string_view childType) {
  TSTreeCursor cur = ts_tree_cursor_new(n);
  TSNode found{};
  if (ts_tree_cursor_goto_first_child(&cur))
    do
      if (TSNode c = ts_tree_cursor_current_node(&cur); type(c) == childType)
        found = c;
    while (ts_node_is_null(found) && ts_tree_cursor_goto_next_sibling(&cur));
  ts_tree_cursor_delete(&cur);
  return found;
}

// CPython 3.11's compiler recurses once per nested expression and stops at 3 x the recursion
// limit (1000) less 3 per Python frame already on the stack: compile() at a script's top level
// fails from about 2,995 nested attributes, calls, subscripts, operators or lambdas ("RecursionError:
// maximum recursion depth exceeded during compilation"), an `import` from about 2,970, less from
// a deeper import chain. Refused from 2,901, a margin for imports. Brackets stop at 200 before
// that; `and`/`or` chains and comparisons are flat in CPython's AST.
constexpr int kMaxExpressionDepth = 2900;

// What CPython 3 refuses in an integer literal (`integer`) or a string's prefix (its string_start
// token): Python 2 spellings and leading zeros.
std::optional<std::string> literalProblem(std::string_view v, bool integer) {
  if (integer) {
    if (!v.empty() && (v.back() == 'l' || v.back() == 'L'))
      return "invalid syntax: the long integer suffix 'L' is Python 2";
    if (v.size() > 1 && v[0] == '0' && v.find_first_not_of("0123456789_") == std::string_view::npos &&
        v.find_first_not_of("0_") != std::string_view::npos)
      return "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";
    return std::nullopt;
  }
  std::string prefix;
  for (char c : v)
    if (std::isalpha(static_cast<unsigned char>(c)))
      prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!v.empty() && v.back() == '`')
    return "invalid syntax: backquotes are Python 2's repr()";
  if (prefix.find('u') != std::string::npos && prefix.size() > 1)
    return fmt::format("invalid syntax: string prefix '{}' (Python 3 takes u alone)", v.substr(0, prefix.size()));
  return std::nullopt;
}

// Python 2 syntax and keywords used as names, first in document order, in one walk of the tree.
std::optional<Problem> treeProblem(const Tree &tree, size_t base) {
  std::optional<Problem> found;
  auto at = [&](TSNode n, std::string message) { found = Problem{base + start(n), std::move(message)}; };
  // The expression depth of each node: its nearest named ancestor's, plus one when it nests.
  const Nodes &nodes = tree.nodes();
  std::vector<int> depths(nodes.size());
  // Node kinds by symbol id (the walk visits every named node of the file: no string compares).
  enum Kind : int8_t {
    Attribute,
    Call,
    Subscript,
    Binary,
    Unary,
    Not,
    Lambda,
    Conditional,
    Await,
    LastNesting = Await,
    Identifier,
    Print,
    Exec,
    Comparison,
    Integer,
    StringStart,
    Except,
    Raise
  };
  static const std::vector<int8_t> kinds =
      symbolKinds({"attribute", "call", "subscript", "binary_operator", "unary_operator", "not_operator", "lambda",
                   "conditional_expression", "await", "identifier", "print_statement", "exec_statement",
                   "comparison_operator", "integer", "string_start", "except_clause", "raise_statement"});
  for (uint32_t i = 0; i < nodes.size() && !found; ++i) {
    const Nodes::Entry &e = nodes[i];
    TSNode n = e.node;
    int k = e.symbol < kinds.size() ? kinds[e.symbol] : -1;
    bool nests = k >= 0 && k <= LastNesting;
    int depth = (e.parent == Nodes::kNone ? 0 : depths[e.parent]) + nests;
    depths[i] = depth;
    if (depth > kMaxExpressionDepth) {
      at(n, fmt::format("expressions nested more than {} deep: CPython's compiler stops there (RecursionError: "
                        "maximum recursion depth exceeded during compilation)",
                        kMaxExpressionDepth));
    } else if (k < Identifier) {
      // nothing else to check on an expression that nests, or on a kind not listed
    } else if (k == Identifier) {
      std::string_view name = tree.text(n);
      if (isKeyword(name))
        at(n, fmt::format("invalid syntax: '{}' is a keyword, not a name", name));
      else if (name == "__debug__" && e.parent != Nodes::kNone && bindsName(nodes.node(e.parent), nodes.fieldName(i)))
        at(n, "cannot assign to __debug__");
    } else if ((k == Print && !is(ts_node_named_child(n, 0), "chevron")) || k == Exec) {
      // (`print >>f, x` is a valid Python 3 expression: a shift and a tuple.)
      std::string_view what = k == Print ? "print" : "exec";
      at(n,
         fmt::format("Missing parentheses in call to '{0}'. Did you mean {0}(...)? (a Python 2 {0} statement)", what));
    } else if (TSNode ne = k == Comparison ? childOfType(n, "<>") : TSNode{}; !ts_node_is_null(ne)) {
      at(ne, "invalid syntax: '<>' is Python 2's not-equal; Python 3 has '!='");
    } else if (k == Integer || k == StringStart) {
      if (auto why = literalProblem(tree.text(n), k == Integer))
        at(n, std::move(*why));
    } else if (k == Except) {
      // `except E, e:` (tree-sitter reads `e` as the alias): no `as` between them.
      TSNode value = field(n, "value");
      if (!ts_node_is_null(value) && !ts_node_is_null(field(n, "alias")) && ts_node_is_null(childOfType(n, "as")))
        at(value, "multiple exception types must be parenthesized (`except E, e:` is Python 2; Python 3 writes "
                  "`except E as e:`)");
    } else if (k == Raise && is(ts_node_named_child(n, 0), "expression_list")) {
      at(n, "invalid syntax: `raise E, value` is Python 2; Python 3 writes `raise E(value)`");
    }
  }
  return found;
}

} // namespace

std::optional<Problem> cpythonRejects(std::string_view text, const Tree &body) {
  if (auto p = bomCookieProblem(text))
    return p;
  size_t base = text.substr(0, 3) == kBom ? 3 : 0;
  auto nesting = tokenizerProblem(text, base);
  auto inTree = treeProblem(body, base);
  if (nesting && (!inTree || nesting->offset <= inTree->offset))
    return nesting;
  return inTree;
}

namespace {
// The text after its BOM, and why it must not be parsed (offsets into `text`).
std::optional<Problem> limitProblem(std::string_view text, std::string_view body) {
  auto p = parserLimitProblem(body);
  if (p)
    p->offset += text.size() - body.size();
  return p;
}

std::string_view bodyOf(std::string_view text) { return text.substr(text.substr(0, 3) == kBom ? 3 : 0); }
} // namespace

std::optional<Problem> cpythonRejects(std::string_view text) {
  std::string_view body = bodyOf(text);
  if (auto p = limitProblem(text, body))
    return p;
  return cpythonRejects(text, Tree::parse(body));
}

std::optional<Problem> cpythonRejectsParsed(std::string_view text, const Tree &body) {
  if (auto p = limitProblem(text, bodyOf(text)))
    return p;
  return cpythonRejects(text, body);
}

} // namespace poolify::py
