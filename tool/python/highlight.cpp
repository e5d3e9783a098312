#include "python/highlight.h"

#include "python/syntax.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace poolify::py {
namespace {

bool oneOf(std::string_view w, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

bool builtin(std::string_view w) {
  return oneOf(w, {"self",    "cls",       "super",      "print",    "len",       "range",        "isinstance",
                   "getattr", "setattr",   "hasattr",    "dict",     "list",      "set",          "tuple",
                   "str",     "int",       "float",      "bool",     "bytes",     "object",       "type",
                   "open",    "Exception", "ValueError", "KeyError", "TypeError", "RuntimeError", "ImportError"});
}

// An anonymous node spelled with letters is a keyword (def, import, not, match, ...); punctuation
// and operators are not.
bool keywordToken(TSNode n) {
  std::string_view t = type(n);
  return !ts_node_is_named(n) && !t.empty() &&
         std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isalpha(c) || c == '_'; });
}

// The colour of a whole node whose children need no look (0: look at the children).
char wholeClass(TSNode n) {
  std::string_view t = type(n);
  if (t == "comment")
    return 'c';
  if (t == "string")
    return 's';
  if (t == "integer" || t == "float")
    return 'n';
  if (t == "true" || t == "false" || t == "none" || t == "ellipsis")
    return t == "ellipsis" ? 0 : 'k';
  return keywordToken(n) ? 'k' : 0;
}

// `@name.attr` of a decorator, without a call's arguments.
uint32_t decoratorNameEnd(TSNode decorator) {
  TSNode e = ts_node_named_child(decorator, 0);
  while (!ts_node_is_null(e) && is(e, "call"))
    e = field(e, "function");
  return ts_node_is_null(e) ? end(decorator) : end(e);
}

} // namespace

std::vector<Token> highlightTokens(std::string_view text) {
  Tree tree = Tree::parse(text);
  std::vector<Token> out;
  uint32_t covered = 0; // tokens never overlap: a decorator's name covers its parts
  auto emit = [&](uint32_t s, uint32_t e, char cls) {
    if (s >= covered && e > s) {
      out.push_back({s, e, cls});
      covered = e;
    }
  };
  TSTreeCursor cur = ts_tree_cursor_new(tree.root());
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    char cls = wholeClass(n);
    bool descend = cls == 0;
    if (cls)
      emit(start(n), end(n), cls);
    else if (is(n, "decorator"))
      emit(start(n), decoratorNameEnd(n), 'd');
    else if (is(n, "identifier")) {
      const char *f = ts_tree_cursor_current_field_name(&cur);
      bool named = f && std::string_view(f) == "name";
      if (named && (is(ts_node_parent(n), "function_definition") || is(ts_node_parent(n), "class_definition")))
        emit(start(n), end(n), 'f');
      else if (builtin(tree.text(n)))
        emit(start(n), end(n), 'b');
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur))
      continue;
    while (!ts_tree_cursor_goto_next_sibling(&cur))
      if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return out;
      }
  }
}

} // namespace poolify::py
