#include "python/flow.h"

#include <utility>

namespace poolify::py {

namespace {

// The state on the paths that reach a point: `reach` false when none does (after return, raise,
// break, continue); `b` is then irrelevant and kept at Yes (vacuously bound).
struct State {
  bool reach = true;
  Bound b = Bound::No;
  bool operator==(const State &o) const { return reach == o.reach && (!reach || b == o.b); }
  bool operator!=(const State &o) const { return !(*this == o); }
};
constexpr State kNever{false, Bound::Yes};

State join(State a, State c) {
  if (!a.reach)
    return c;
  if (!c.reach)
    return a;
  return {true, a.b == c.b ? a.b : Bound::Maybe};
}

State withBound(State s, Bound b) {
  if (s.reach)
    s.b = b;
  return s;
}

TSNode stripParens(TSNode n) {
  while (is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1)
    n = ts_node_named_child(n, 0);
  return n;
}

bool isTrue(const Tree &tree, TSNode condition) {
  TSNode c = stripParens(condition);
  return is(c, "true") || (is(c, "integer") && tree.text(c) == "1");
}

// The first named child of `n` that is a block (an except or finally clause's body).
TSNode blockOf(TSNode n) {
  for (TSNode c : namedChildren(n))
    if (is(c, "block"))
      return c;
  return TSNode{};
}

// The target of `except E as name` / `except* E as name` (null when none).
TSNode exceptTarget(TSNode clause) {
  for (TSNode c : namedChildren(clause)) {
    if (is(c, "as_pattern")) {
      TSNode alias = field(c, "alias");
      return is(alias, "as_pattern_target") ? ts_node_named_child(alias, 0) : alias;
    }
    if (is(c, "block"))
      break;
  }
  return TSNode{};
}

constexpr int kMaxDepth = 100;       // nesting of compound statements followed
constexpr size_t kMaxSteps = 200000; // statements visited (loops are walked twice)

} // namespace

bool Flow::neverRuns(const Tree &tree, TSNode condition) {
  TSNode c = stripParens(condition);
  if (is(c, "false"))
    return true;
  if (is(c, "identifier"))
    return tree.text(c) == "TYPE_CHECKING";
  return is(c, "attribute") && tree.text(field(c, "attribute")) == "TYPE_CHECKING";
}

class FlowWalker {
public:
  FlowWalker(const Tree &tree, Flow &flow, Tracked what, std::function<bool(TSNode)> noReturn)
      : tree_(tree), flow_(flow), what_(std::move(what)), noReturn_(std::move(noReturn)) {}

  void run(TSNode scope) {
    bool module = is(scope, "module");
    TSNode code = module ? scope : field(scope, "body");
    State start{true, !module && is(scope, "function_definition") && isParameter(scope) ? Bound::Yes : Bound::No};
    State out = block(code, start);
    flow_.end_ = join(out, returns_).b;
    flow_.gaveUp_ = gaveUp_;
  }

private:
  struct Loop {
    State breaks = kNever, continues = kNever;
  };

  const Tree &tree_;
  Flow &flow_;
  Tracked what_;
  std::function<bool(TSNode)> noReturn_;
  State returns_ = kNever;
  std::vector<Loop> loops_;
  std::vector<State> sinks_; // every state seen inside an open try or with body
  int depth_ = 0;
  size_t steps_ = 0;
  bool gaveUp_ = false;

  void record(TSNode n, State s) { flow_.states_[n.id] = s.reach ? s.b : Bound::Yes; }
  void observe(State s) {
    for (State &sink : sinks_)
      sink = join(sink, s);
  }

  // --- what binds the tracked name ---

  bool isTracked(TSNode n) const {
    if (what_.attr.empty())
      return is(n, "identifier") && tree_.text(n) == what_.name;
    if (!is(n, "attribute"))
      return false;
    TSNode obj = field(n, "object");
    return is(obj, "identifier") && tree_.text(obj) == what_.name && tree_.text(field(n, "attribute")) == what_.attr;
  }

  // True when the target (a name, attribute, or a pattern of them) binds the tracked thing.
  bool targetBinds(TSNode target) const {
    std::vector<TSNode> stack{target};
    while (!stack.empty()) {
      TSNode n = stack.back();
      stack.pop_back();
      if (isTracked(n))
        return true;
      if (is(n, "pattern_list") || is(n, "tuple_pattern") || is(n, "list_pattern") || is(n, "tuple") || is(n, "list") ||
          is(n, "expression_list") || is(n, "parenthesized_expression") || is(n, "list_splat_pattern") ||
          is(n, "list_splat") || is(n, "as_pattern_target"))
        for (TSNode c : namedChildren(n))
          stack.push_back(c);
    }
    return false;
  }

  bool isParameter(TSNode def) const {
    if (!what_.attr.empty())
      return false;
    for (TSNode p : namedChildren(field(def, "parameters"))) {
      TSNode name = p;
      if (is(p, "default_parameter") || is(p, "typed_default_parameter"))
        name = field(p, "name");
      else if (is(p, "typed_parameter") || is(p, "list_splat_pattern") || is(p, "dictionary_splat_pattern"))
        name = ts_node_named_child(p, 0);
      if (isTracked(name))
        return true;
    }
    return false;
  }

  bool importBinds(TSNode stmt) const {
    if (!what_.attr.empty())
      return false;
    bool from = is(stmt, "import_from_statement");
    bool found = false;
    forEachChild(stmt, [&](TSNode item, std::string_view f) {
      if (f != "name")
        return;
      std::string_view bound;
      if (is(item, "aliased_import"))
        bound = tree_.text(field(item, "alias"));
      else if (from)
        bound = tree_.text(item);
      else
        bound = tree_.text(ts_node_named_child(item, 0));
      found = found || bound == what_.name;
    });
    return found;
  }

  // A walrus `(name := value)` as a whole condition, or as the left operand of `and` / `or`.
  bool walrusBinds(TSNode condition) const {
    TSNode c = stripParens(condition);
    while (is(c, "boolean_operator"))
      c = stripParens(field(c, "left"));
    return is(c, "named_expression") && isTracked(field(c, "name"));
  }

  bool assignmentBinds(TSNode a) const {
    for (TSNode cur = a; is(cur, "assignment"); cur = field(cur, "right")) {
      if (ts_node_is_null(field(cur, "right")))
        return false; // `x: int` binds nothing
      if (targetBinds(field(cur, "left")))
        return true;
    }
    return false;
  }

  // --- statements ---

  bool tick() {
    if (++steps_ > kMaxSteps || depth_ > kMaxDepth)
      gaveUp_ = true;
    return !gaveUp_;
  }

  State block(TSNode blk, State s) {
    for (TSNode c : namedChildren(blk)) {
      if (is(c, "comment"))
        continue;
      if (!tick())
        return {true, Bound::Maybe};
      observe(s);
      record(c, s);
      s = statement(c, s);
    }
    observe(s);
    return s;
  }

  State statement(TSNode n, State s) {
    std::string_view t = type(n);
    if (t == "if_statement" || t == "while_statement" || t == "for_statement" || t == "try_statement" ||
        t == "with_statement" || t == "match_statement") {
      ++depth_;
      State out = compound(n, s);
      --depth_;
      return out;
    }
    if (t == "decorated_definition")
      n = field(n, "definition");
    if (is(n, "function_definition") || is(n, "class_definition"))
      return targetBinds(field(n, "name")) ? withBound(s, Bound::Yes) : s;
    return simple(n, s);
  }

  State compound(TSNode n, State s) {
    std::string_view t = type(n);
    if (t == "if_statement")
      return ifStatement(n, s);
    if (t == "while_statement" || t == "for_statement")
      return loop(n, s);
    if (t == "try_statement")
      return tryStatement(n, s);
    if (t == "with_statement")
      return withStatement(n, s);
    return matchStatement(n, s);
  }

  State simple(TSNode n, State s) {
    std::string_view t = type(n);
    if (t == "return_statement") {
      returns_ = join(returns_, s);
      return kNever;
    }
    if (t == "raise_statement")
      return kNever;
    if (t == "break_statement" || t == "continue_statement") {
      if (!loops_.empty()) {
        State &into = t == "break_statement" ? loops_.back().breaks : loops_.back().continues;
        into = join(into, s);
      }
      return kNever;
    }
    if (t == "delete_statement") {
      bool deletes = false;
      for (TSNode c : namedChildren(n))
        deletes = deletes || targetBinds(c);
      return deletes ? withBound(s, Bound::No) : s;
    }
    if (t == "import_statement" || t == "import_from_statement")
      return importBinds(n) ? withBound(s, Bound::Yes) : s;
    if (t != "expression_statement")
      return s;
    for (TSNode c : namedChildren(n)) {
      if ((is(c, "assignment") && assignmentBinds(c)) ||
          (is(c, "augmented_assignment") && targetBinds(field(c, "left"))) ||
          (is(c, "named_expression") && isTracked(field(c, "name"))))
        s = withBound(s, Bound::Yes);
      else if (is(c, "call") && noReturn_ && noReturn_(c))
        return kNever;
    }
    return s;
  }

  State ifStatement(TSNode n, State s) {
    TSNode cond = field(n, "condition");
    State entry = walrusBinds(cond) ? withBound(s, Bound::Yes) : s;
    State out = block(field(n, "consequence"), Flow::neverRuns(tree_, cond) ? kNever : entry);
    State rest = isTrue(tree_, cond) ? kNever : entry; // the path on which no branch so far ran
    forEachChild(n, [&](TSNode c, std::string_view f) {
      if (f != "alternative")
        return;
      record(c, rest);
      if (is(c, "else_clause")) {
        out = join(out, block(field(c, "body"), rest));
        rest = kNever;
        return;
      }
      TSNode elifCond = field(c, "condition");
      State in = walrusBinds(elifCond) ? withBound(rest, Bound::Yes) : rest;
      out = join(out, block(field(c, "consequence"), Flow::neverRuns(tree_, elifCond) ? kNever : in));
      rest = isTrue(tree_, elifCond) ? kNever : in;
    });
    return join(out, rest);
  }

  // while / for: the body runs zero or more times; a second pass starts from what the first one
  // left (Yes/No/Maybe settles after it). `while True:` ends only through break.
  State loop(TSNode n, State s) {
    bool isFor = is(n, "for_statement");
    TSNode cond = isFor ? TSNode{} : field(n, "condition");
    bool walrus = !isFor && walrusBinds(cond);
    State head = s;
    Loop last;
    for (int pass = 0; pass < 2; ++pass) {
      record(n, head);
      State in = head;
      if (isFor ? targetBinds(field(n, "left")) : walrus)
        in = withBound(in, Bound::Yes);
      loops_.emplace_back();
      State out = block(field(n, "body"), in);
      last = loops_.back();
      loops_.pop_back();
      State next = join(s, join(out, last.continues));
      if (next == head)
        break;
      head = next;
    }
    State exit = !isFor && isTrue(tree_, cond) ? kNever : (walrus ? withBound(head, Bound::Yes) : head);
    TSNode alt = field(n, "alternative");
    if (!ts_node_is_null(alt)) {
      record(alt, exit);
      exit = block(field(alt, "body"), exit);
    }
    return join(exit, last.breaks);
  }

  State tryStatement(TSNode n, State s) {
    sinks_.push_back(kNever);
    State body = block(field(n, "body"), s);
    State anywhere = sinks_.back(); // an exception may leave the body at any of its statements
    sinks_.pop_back();
    State normal = body, handled = kNever;
    bool handlers = false;
    TSNode fin{};
    forEachChild(n, [&](TSNode c, std::string_view) {
      if (is(c, "except_clause") || is(c, "except_group_clause")) {
        handlers = true;
        handled = join(handled, handler(c, anywhere));
      } else if (is(c, "else_clause")) {
        record(c, body);
        normal = block(field(c, "body"), body);
      } else if (is(c, "finally_clause")) {
        fin = c;
      }
    });
    State out = handlers ? join(normal, handled) : normal;
    return ts_node_is_null(fin) ? out : finally(fin, out, join(anywhere, handled));
  }

  State handler(TSNode clause, State in) {
    bool named = targetBinds(exceptTarget(clause));
    if (named)
      in = withBound(in, Bound::Yes);
    record(clause, in);
    State out = block(blockOf(clause), in);
    return named ? withBound(out, Bound::No) : out; // Python deletes `as name` when the handler ends
  }

  // The finally body runs on every path; only the normal one goes on after it. Walked for the
  // result from the normal path, then again from every path for the states recorded inside it.
  State finally(TSNode fin, State normal, State exceptional) {
    TSNode body = blockOf(fin);
    State out = block(body, normal);
    State every = join(normal, exceptional);
    if (every != normal) {
      record(fin, every);
      block(body, every);
    } else {
      record(fin, normal);
    }
    return out;
  }

  State withStatement(TSNode n, State s) {
    State in = s;
    forEachNamed(n, [&](TSNode c) {
      TSNode value = is(c, "with_item") ? field(c, "value") : TSNode{};
      if (is(value, "as_pattern") && targetBinds(field(value, "alias")))
        in = withBound(in, Bound::Yes);
      return is(c, "with_statement") || is(c, "with_clause");
    });
    sinks_.push_back(kNever);
    State out = block(field(n, "body"), in);
    State anywhere = sinks_.back(); // the context manager may swallow an exception raised anywhere
    sinks_.pop_back();
    return join(out, anywhere);
  }

  State matchStatement(TSNode n, State s) {
    State out = kNever, fall = s; // fall: no case matched so far (a failed case may bind some names)
    for (TSNode c : namedChildren(field(n, "body"))) {
      if (!is(c, "case_clause"))
        continue;
      bool binds = false;
      for (TSNode p : namedChildren(c))
        if (is(p, "case_pattern"))
          for (TSNode capture : patternCaptures(p))
            binds = binds || (what_.attr.empty() && tree_.text(capture) == what_.name);
      State in = binds ? withBound(fall, Bound::Yes) : fall;
      record(c, in);
      out = join(out, block(field(c, "consequence"), in));
      if (irrefutable(c))
        return out;
      if (binds)
        fall = join(fall, in);
    }
    return join(out, fall);
  }

  // `case _:` or `case name:` without a guard always matches.
  static bool irrefutable(TSNode clause) {
    if (!ts_node_is_null(field(clause, "guard")))
      return false;
    std::vector<TSNode> patterns;
    for (TSNode p : namedChildren(clause))
      if (is(p, "case_pattern"))
        patterns.push_back(p);
    if (patterns.size() != 1)
      return false;
    uint32_t count = ts_node_named_child_count(patterns[0]);
    if (count == 0)
      return true; // `_`
    TSNode only = ts_node_named_child(patterns[0], 0);
    return count == 1 && is(only, "dotted_name") && ts_node_named_child_count(only) == 1;
  }

  template <typename F> static void forEachNamed(TSNode root, F f) {
    std::vector<TSNode> stack{root};
    while (!stack.empty()) {
      TSNode n = stack.back();
      stack.pop_back();
      if (!f(n))
        continue;
      std::vector<TSNode> children = namedChildren(n);
      for (auto it = children.rbegin(); it != children.rend(); ++it)
        stack.push_back(*it);
    }
  }
};

std::vector<TSNode> patternCaptures(TSNode pattern) {
  std::vector<TSNode> out, stack{pattern};
  while (!stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    std::vector<TSNode> children = namedChildren(n);
    if (is(n, "dotted_name")) {
      if (children.size() == 1)
        out.push_back(children[0]); // a capture; `a.b` is a value looked up
    } else if (is(n, "as_pattern") || is(n, "splat_pattern")) {
      for (TSNode c : children)
        (is(c, "identifier") ? out : stack).push_back(c);
    } else if (is(n, "class_pattern") || is(n, "keyword_pattern")) {
      stack.insert(stack.end(), children.begin() + (children.empty() ? 0 : 1), children.end());
    } else if (is(n, "dict_pattern")) {
      forEachChild(n, [&](TSNode c, std::string_view f) {
        if (f != "key")
          stack.push_back(c);
      });
    } else if (is(n, "case_pattern") || is(n, "union_pattern") || is(n, "list_pattern") || is(n, "tuple_pattern")) {
      stack.insert(stack.end(), children.begin(), children.end());
    }
  }
  return out;
}

Flow::Flow(const Tree &tree, TSNode scope, Tracked what, std::function<bool(TSNode)> noReturn) {
  FlowWalker(tree, *this, std::move(what), std::move(noReturn)).run(scope);
}

Bound Flow::at(TSNode node) const {
  if (gaveUp_)
    return Bound::Maybe;
  for (TSNode n = node; !ts_node_is_null(n); n = ts_node_parent(n)) {
    auto it = states_.find(n.id);
    if (it != states_.end())
      return it->second;
  }
  return Bound::Maybe;
}

} // namespace poolify::py
