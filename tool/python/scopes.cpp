#include "python/scopes.h"

#include "python/flow.h"
#include "python/nodes.h"
#include "python/walk.h"
#include "support/text.h"

#include <algorithm>
#include <cctype>

namespace poolify::py {

namespace {
enum class Role { Load, Store, Delete };
struct Item {
  TSNode node;
  int scope;
  Role role;
  TSNode stmt;    // the statement the node belongs to (tracked here: ts_node_parent is costly)
  TSNode parent;  // the node that was visited when this one was pushed
  bool inType;    // inside an annotation (tracked here: walking up to find one is quadratic)
  TSNode dead;    // the condition of an enclosing `if TYPE_CHECKING:` whose body holds it (null: none)
  bool chained;   // pushed by pushChildren: its next sibling is pushed when it is popped
  uint32_t index; // the node's index in the tree's Nodes (Nodes::kNone: not known yet)
};

// The node kinds the walk dispatches on, by symbol id.
enum Kind : int8_t {
  Identifier,
  Import,
  ImportFrom,
  Comment,
  FutureImport,
  FunctionDef,
  Lambda,
  ClassDef,
  ListComprehension,
  SetComprehension,
  DictComprehension,
  Generator,
  Assignment,
  AugmentedAssignment,
  NamedExpression,
  For,
  AsPattern,
  ExceptClause,
  AsPatternTarget,
  Global,
  Nonlocal,
  Delete,
  CaseClause,
  If,
  Attribute,
  KeywordArgument,
  Type,
  String,
  Block,
  Module
};
const std::vector<int8_t> &kinds() {
  static const std::vector<int8_t> table = symbolKinds({"identifier",
                                                        "import_statement",
                                                        "import_from_statement",
                                                        "comment",
                                                        "future_import_statement",
                                                        "function_definition",
                                                        "lambda",
                                                        "class_definition",
                                                        "list_comprehension",
                                                        "set_comprehension",
                                                        "dictionary_comprehension",
                                                        "generator_expression",
                                                        "assignment",
                                                        "augmented_assignment",
                                                        "named_expression",
                                                        "for_statement",
                                                        "as_pattern",
                                                        "except_clause",
                                                        "as_pattern_target",
                                                        "global_statement",
                                                        "nonlocal_statement",
                                                        "delete_statement",
                                                        "case_clause",
                                                        "if_statement",
                                                        "attribute",
                                                        "keyword_argument",
                                                        "type",
                                                        "string",
                                                        "block",
                                                        "module"});
  return table;
}
int kindAt(TSSymbol s) { return s < kinds().size() ? kinds()[s] : -1; }
} // namespace

class ScopeBuilder {
public:
  ScopeBuilder(ScopeModel &m) : m_(m), text_(m.tree_.text()), nodes_(m.tree_.nodes()) {}

  void run() {
    walk();
    bindNonlocals();
  }

private:
  void walk() {
    m_.scopes_.push_back(Scope{ScopeKind::Module, -1, m_.tree_.root(), {}, {}, {}});
    current_ = m_.tree_.root();
    push(m_.tree_.root(), 0, Role::Load);
    if (!stack_.empty())
      stack_.back().index = 0;
    while (!stack_.empty()) {
      Item it = stack_.back();
      stack_.pop_back();
      if (it.chained)
        pushNextSibling(it);
      current_ = it.stmt;
      visiting_ = it.node;
      visitingIndex_ = it.index;
      parentOfVisited_ = it.parent;
      inType_ = it.inType;
      dead_ = it.dead;
      visit(it);
    }
  }

  // A binding in a scope that declares the name `nonlocal` binds in the nearest enclosing function
  // that has it (known only once every scope is built).
  void bindNonlocals() {
    for (Binding &b : pendingNonlocal_) {
      for (int s = m_.scopes_[b.textualScope].parent; s > 0; s = m_.scopes_[s].parent) {
        const Scope &sc = m_.scopes_[s];
        if (sc.kind == ScopeKind::Class || sc.nonlocals.count(b.name))
          continue;
        if (sc.kind == ScopeKind::Function || sc.kind == ScopeKind::Lambda) {
          if (!sc.bindings.count(b.name) && !sc.globals.count(b.name))
            continue;
          if (sc.globals.count(b.name))
            break; // not valid Python (nonlocal of a global): binds nothing we can name
          b.scope = s;
          m_.scopes_[s].bindings[b.name].push_back(static_cast<int>(m_.bindings_.size()));
          m_.bindings_.push_back(b);
        }
        break;
      }
    }
  }

  ScopeModel &m_;
  std::string_view text_;
  const Nodes &nodes_;
  std::vector<Item> stack_;
  TSNode current_{};                      // statement of the node being visited
  TSNode visiting_{};                     // the node being visited
  uint32_t visitingIndex_ = Nodes::kNone; // its index in nodes_, when known
  TSNode parentOfVisited_{};              // and the node it was pushed from
  bool inType_ = false;                   // the node being visited is inside an annotation
  TSNode dead_{};                         // and the `if` condition under which it never runs (TYPE_CHECKING, False)
  std::vector<Binding> pendingNonlocal_;  // bindings of names declared nonlocal where they are made

  std::string_view textOf(TSNode n) const { return text_.substr(start(n), end(n) - start(n)); }

  void push(TSNode n, int scope, Role role) {
    if (!ts_node_is_null(n))
      stack_.push_back({n, scope, role, current_, visiting_, inType_, dead_, false, Nodes::kNone});
  }

  // The index of `n` in nodes_ (kNone: not a named node of the tree).
  uint32_t indexOf(TSNode n) const {
    if (visitingIndex_ != Nodes::kNone && same(n, visiting_))
      return visitingIndex_;
    return nodes_.find(n);
  }

  bool holdsStatements(uint32_t i) const {
    int k = kindAt(nodes_[i].symbol);
    return k == Block || k == Module;
  }
  // The first named child, chained: its next sibling is pushed when it is popped (pushNextSibling),
  // so the children are visited in document order and the stack grows with the depth of the tree,
  // not its breadth (a list of 5 million elements is not 5 million items). A block's children are
  // statements of their own.
  void pushChildren(TSNode n, int scope, Role role) {
    uint32_t i = indexOf(n);
    uint32_t child = i == Nodes::kNone ? Nodes::kNone : nodes_.firstChild(i);
    if (child == Nodes::kNone)
      return;
    TSNode c = nodes_.node(child);
    stack_.push_back({c, scope, role, holdsStatements(i) ? c : current_, n, inType_, dead_, true, child});
  }

  // Before `it` is visited, its next sibling goes under it: visited once `it`'s subtree is done.
  void pushNextSibling(const Item &it) {
    uint32_t c = nodes_.nextSibling(it.index);
    if (c == Nodes::kNone)
      return;
    Item next = it;
    next.node = nodes_.node(c);
    next.index = c;
    if (holdsStatements(nodes_[c].parent))
      next.stmt = next.node;
    stack_.push_back(next);
  }

  // Every child at once (in reverse, so they are visited in document order): for visitIf, which
  // marks the body's item.
  void pushAllChildren(TSNode n, int scope, Role role) {
    uint32_t i = indexOf(n);
    if (i == Nodes::kNone)
      return;
    bool statements = holdsStatements(i);
    // Pushed in order, then reversed in place, so the first child is visited first.
    size_t from = stack_.size();
    nodes_.forEachChild(i, [&](uint32_t c) {
      TSNode child = nodes_.node(c);
      stack_.push_back({child, scope, role, statements ? child : current_, n, inType_, dead_, false, c});
    });
    std::reverse(stack_.begin() + static_cast<std::ptrdiff_t>(from), stack_.end());
  }

  int newScope(ScopeKind kind, int parent, TSNode node) {
    m_.scopes_.push_back(Scope{kind, parent, node, {}, {}, {}});
    return static_cast<int>(m_.scopes_.size()) - 1;
  }

  int targetScope(int scope, std::string_view name) const {
    const Scope &s = m_.scopes_[scope];
    if (s.globals.count(name))
      return 0;
    return scope;
  }

  void bind(int scope, BindingKind kind, std::string name, TSNode node, std::string qname = {}) {
    const Scope &s = m_.scopes_[scope];
    int target = targetScope(scope, name);
    Binding b{kind, std::move(name), target, node, current_, std::move(qname), scope, dead_};
    if (s.nonlocals.count(b.name)) {
      pendingNonlocal_.push_back(std::move(b)); // binds in an enclosing function (bindNonlocals)
      return;
    }
    m_.scopes_[b.scope].bindings[b.name].push_back(static_cast<int>(m_.bindings_.size()));
    m_.bindings_.push_back(std::move(b));
  }

  void reference(TSNode n, int scope) { m_.references_.push_back(Reference{textOf(n), scope, n, false, inType_}); }

  // Words inside a string that is used as code: annotations ("bigquery.Client") and __all__.
  void stringReferences(TSNode str, int scope) {
    std::string_view s = textOf(str);
    size_t i = 0;
    while (i < s.size()) {
      if (s[i] == '_' || isalpha(static_cast<unsigned char>(s[i]))) {
        size_t j = i;
        while (j < s.size() && (s[j] == '_' || isalnum(static_cast<unsigned char>(s[j]))))
          ++j;
        bool afterDot = i > 0 && s[i - 1] == '.';
        if (!afterDot)
          m_.references_.push_back(Reference{s.substr(i, j - i), scope, str, true, true});
        i = j;
      } else {
        ++i;
      }
    }
  }

  void visitImport(TSNode stmt, int scope) {
    bool from = is(stmt, "import_from_statement");
    std::string module;
    if (from) {
      TSNode mod = field(stmt, "module_name");
      module = std::string(textOf(mod));
      module.erase(std::remove_if(module.begin(), module.end(), [](char c) { return isspace((unsigned char)c); }),
                   module.end());
    }
    std::vector<TSNode> items;
    forEachChild(stmt, [&](TSNode c, std::string_view f) {
      if (f == "name")
        items.push_back(c);
    });
    for (TSNode item : items) {
      TSNode nameNode = item, alias{};
      if (is(item, "aliased_import")) {
        nameNode = field(item, "name");
        alias = field(item, "alias");
      }
      std::string dotted(textOf(nameNode));
      dotted.erase(std::remove_if(dotted.begin(), dotted.end(), [](char c) { return isspace((unsigned char)c); }),
                   dotted.end());
      if (from) {
        std::string q = module.back() == '.' ? module + dotted : module + "." + dotted;
        std::string local = ts_node_is_null(alias) ? dotted : std::string(textOf(alias));
        bind(scope, BindingKind::Import, local, item, q);
      } else if (!ts_node_is_null(alias)) {
        bind(scope, BindingKind::Import, std::string(textOf(alias)), item, dotted);
      } else {
        std::string head = dotted.substr(0, dotted.find('.'));
        bind(scope, BindingKind::Import, head, item, head);
      }
    }
  }

  void visitParameters(TSNode params, int outer, int inner) {
    for (TSNode p : namedChildren(params)) {
      if (is(p, "identifier")) {
        bind(inner, BindingKind::Parameter, std::string(textOf(p)), p);
      } else if (is(p, "default_parameter") || is(p, "typed_default_parameter")) {
        bindPattern(field(p, "name"), inner, BindingKind::Parameter);
        push(field(p, "value"), outer, Role::Load);
        push(field(p, "type"), outer, Role::Load);
      } else if (is(p, "typed_parameter")) {
        forEachChild(p, [&](TSNode c, std::string_view f) {
          if (f == "type")
            push(c, outer, Role::Load);
          else
            bindPattern(c, inner, BindingKind::Parameter);
        });
      } else {
        bindPattern(p, inner, BindingKind::Parameter);
      }
    }
  }

  // Binds every identifier in a parameter pattern (tuple parameters, *args, **kwargs).
  void bindPattern(TSNode n, int scope, BindingKind kind) {
    if (ts_node_is_null(n))
      return;
    if (is(n, "identifier")) {
      bind(scope, kind, std::string(textOf(n)), n);
      return;
    }
    uint32_t count = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < count; ++i)
      bindPattern(ts_node_named_child(n, i), scope, kind);
  }

  // `del name` needs the name bound (a reference) and unbinds it; `del a.b` / `del a[i]` read `a`.
  void visitDeleteTarget(TSNode n, int scope) {
    if (is(n, "identifier")) {
      reference(n, scope);
      bind(scope, BindingKind::Deletion, std::string(textOf(n)), n);
    } else if (is(n, "attribute") || is(n, "subscript")) {
      push(n, scope, Role::Load);
    } else {
      for (TSNode c : namedChildren(n))
        push(c, scope, Role::Delete);
    }
  }

  // The body of `if TYPE_CHECKING:` (or `if False:`) never runs: what it binds is marked dead.
  void visitIf(TSNode n, int scope) {
    size_t from = stack_.size();
    pushAllChildren(n, scope, Role::Load);
    TSNode condition = field(n, "condition");
    if (!Flow::neverRuns(m_.tree_, condition))
      return;
    TSNode body = field(n, "consequence");
    for (size_t i = from; i < stack_.size(); ++i)
      if (same(stack_[i].node, body))
        stack_[i].dead = condition;
  }

  // `case <pattern> if <guard>: <body>`: the pattern binds its captures; the dotted values and
  // class names it matches against are looked up.
  void visitCaseClause(TSNode clause, int scope) {
    std::vector<TSNode> later;
    forEachChild(clause, [&](TSNode c, std::string_view f) {
      if (!is(c, "case_pattern")) {
        later.push_back(c);
        return;
      }
      for (TSNode capture : patternCaptures(c))
        bind(scope, BindingKind::Other, std::string(textOf(capture)), capture);
      forEachNamed(c, [&](TSNode n) {
        if (!is(n, "dotted_name"))
          return true;
        if (ts_node_named_child_count(n) > 1 || is(ts_node_parent(n), "class_pattern"))
          reference(ts_node_named_child(n, 0), scope);
        return false;
      });
    });
    for (auto it = later.rbegin(); it != later.rend(); ++it)
      push(*it, scope, Role::Load);
  }

  void visitStoreTarget(TSNode n, int scope, BindingKind kind) {
    if (is(n, "identifier")) {
      bind(scope, kind, std::string(textOf(n)), n);
    } else if (is(n, "attribute")) {
      push(field(n, "object"), scope, Role::Load);
    } else if (is(n, "subscript")) {
      pushChildren(n, scope, Role::Load);
    } else {
      uint32_t count = ts_node_named_child_count(n);
      for (uint32_t i = count; i-- > 0;)
        push(ts_node_named_child(n, i), scope, Role::Store);
    }
  }

  void visit(const Item &it) {
    if (it.role == Role::Store)
      visitStoreTarget(it.node, it.scope, BindingKind::Other);
    else if (it.role == Role::Delete)
      visitDeleteTarget(it.node, it.scope);
    else
      visitLoad(it.node, it.scope);
  }

  // A node read (not stored to or deleted): dispatched on its type.
  void visitLoad(TSNode n, int scope) {
    switch (kindAt(ts_node_symbol(n))) {
    case Identifier:
      return reference(n, scope);
    case Import:
    case ImportFrom:
      return visitImport(n, scope);
    case Comment:
      return m_.comments_.push_back(n);
    case FutureImport:
      return; // binds nothing a rule cares about
    case FunctionDef:
      return visitFunction(n, scope);
    case Lambda:
      return visitLambda(n, scope);
    case ClassDef:
      return visitClass(n, scope);
    case ListComprehension:
    case SetComprehension:
    case DictComprehension:
    case Generator:
      return visitComprehension(n, scope);
    case Assignment:
      return visitAssignment(n, scope);
    case AugmentedAssignment:
      return visitAugmentedAssignment(n, scope);
    case NamedExpression:
      return visitNamedExpression(n, scope);
    case For:
      return visitFor(n, scope);
    case AsPattern:
    case ExceptClause:
      return visitWithAlias(n, scope);
    case AsPatternTarget:
      return push(ts_node_named_child(n, 0), scope, Role::Store);
    case Global:
    case Nonlocal:
      return visitScopeDeclaration(n, scope, kindAt(ts_node_symbol(n)) == Global);
    case Delete:
      return pushChildren(n, scope, Role::Delete);
    case CaseClause:
      return visitCaseClause(n, scope);
    case If:
      return visitIf(n, scope);
    case Attribute:
      return push(field(n, "object"), scope, Role::Load);
    case KeywordArgument:
      return push(field(n, "value"), scope, Role::Load);
    case Type:
      return visitType(n, scope);
    case String:
      return visitString(n, scope);
    default:
      return pushChildren(n, scope, Role::Load);
    }
  }

  void visitFunction(TSNode n, int scope) {
    bind(scope, BindingKind::Definition, std::string(textOf(field(n, "name"))), field(n, "name"));
    int inner = newScope(ScopeKind::Function, scope, n);
    push(field(n, "body"), inner, Role::Load);
    push(field(n, "return_type"), scope, Role::Load);
    visitParameters(field(n, "parameters"), scope, inner);
  }

  void visitLambda(TSNode n, int scope) {
    int inner = newScope(ScopeKind::Lambda, scope, n);
    push(field(n, "body"), inner, Role::Load);
    TSNode params = field(n, "parameters");
    if (!ts_node_is_null(params))
      visitParameters(params, scope, inner);
  }

  void visitClass(TSNode n, int scope) {
    bind(scope, BindingKind::Definition, std::string(textOf(field(n, "name"))), field(n, "name"));
    int inner = newScope(ScopeKind::Class, scope, n);
    push(field(n, "body"), inner, Role::Load);
    push(field(n, "superclasses"), scope, Role::Load);
  }

  void visitComprehension(TSNode n, int scope) {
    int inner = newScope(ScopeKind::Comprehension, scope, n);
    std::vector<TSNode> children = namedChildren(n);
    auto first = std::find_if(children.begin(), children.end(), [](TSNode c) { return is(c, "for_in_clause"); });
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      TSNode c = *it;
      if (is(c, "for_in_clause")) {
        // The first iterable is evaluated in the enclosing scope, before the comprehension's own.
        push(field(c, "right"), it.base() - 1 == first ? scope : inner, Role::Load);
        push(field(c, "left"), inner, Role::Store);
      } else {
        push(c, inner, Role::Load);
      }
    }
  }

  void visitAssignment(TSNode n, int scope) {
    TSNode left = field(n, "left"), right = field(n, "right");
    push(right, scope, Role::Load);
    push(field(n, "type"), scope, Role::Load);
    if (!is(left, "identifier")) {
      visitStoreTarget(left, scope, BindingKind::Assignment);
      return;
    }
    std::string name(textOf(left));
    bool none = is(right, "none");
    bind(scope, none ? BindingKind::NoneAssignment : BindingKind::Assignment, name, left);
    if (name == "__all__" && !ts_node_is_null(right))
      allStrings(right, scope);
  }

  void visitAugmentedAssignment(TSNode n, int scope) {
    TSNode left = field(n, "left");
    push(field(n, "right"), scope, Role::Load);
    if (is(left, "identifier")) {
      reference(left, scope);
      bind(scope, BindingKind::Assignment, std::string(textOf(left)), left);
    } else {
      push(left, scope, Role::Load);
    }
  }

  // `name := value` binds in the nearest scope that is not a comprehension.
  void visitNamedExpression(TSNode n, int scope) {
    push(field(n, "value"), scope, Role::Load);
    int target = scope;
    while (m_.scopes_[target].kind == ScopeKind::Comprehension)
      target = m_.scopes_[target].parent;
    TSNode name = field(n, "name");
    if (is(name, "identifier"))
      bind(target, BindingKind::Other, std::string(textOf(name)), name);
  }

  void visitFor(TSNode n, int scope) {
    push(field(n, "alternative"), scope, Role::Load);
    push(field(n, "body"), scope, Role::Load);
    push(field(n, "left"), scope, Role::Store);
    push(field(n, "right"), scope, Role::Load);
  }

  // `as_pattern` and `except_clause`: the child in the `alias` field is stored to, the others read.
  void visitWithAlias(TSNode n, int scope) {
    std::vector<std::pair<TSNode, bool>> children; // (child, is the alias)
    forEachChild(n, [&](TSNode c, std::string_view f) { children.push_back({c, f == "alias"}); });
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      push(it->first, scope, it->second ? Role::Store : Role::Load);
  }

  // `global` / `nonlocal` names (ignored at module level).
  void visitScopeDeclaration(TSNode n, int scope, bool global) {
    for (TSNode c : namedChildren(n)) {
      if (!is(c, "identifier") || scope == 0)
        continue;
      auto &set = global ? m_.scopes_[scope].globals : m_.scopes_[scope].nonlocals;
      set.insert(std::string(textOf(c)));
    }
  }

  // An annotation: a string in it is code ("bigquery.Client").
  void visitType(TSNode n, int scope) {
    inType_ = true;
    forEachChild(n, [&](TSNode c, std::string_view) {
      if (is(c, "string"))
        stringReferences(c, scope);
      else
        push(c, scope, Role::Load);
    });
  }

  void visitString(TSNode n, int scope) {
    m_.strings_.push_back(n);
    m_.stringParents_.push_back(parentOfVisited_);
    pushChildren(n, scope, Role::Load); // f-string interpolations
  }

  void allStrings(TSNode value, int scope) {
    for (TSNode c : namedChildren(value)) {
      if (is(c, "string"))
        stringReferences(c, scope);
    }
  }
};

ScopeModel::ScopeModel(const Tree &tree) : tree_(tree) { ScopeBuilder(*this).run(); }

int ScopeModel::resolve(std::string_view name, int scope) const {
  bool first = true;
  for (int s = scope; s >= 0; s = scopes_[s].parent) {
    const Scope &sc = scopes_[s];
    if (sc.globals.count(name))
      return scopes_[0].bindings.count(name) ? 0 : -1;
    bool visible = first || sc.kind != ScopeKind::Class;
    first = false;
    if (!visible || sc.nonlocals.count(name))
      continue;
    if (sc.bindings.count(name))
      return s;
  }
  return -1;
}

std::vector<const Binding *> ScopeModel::bindingsIn(int scope, std::string_view name) const {
  std::vector<const Binding *> out;
  if (scope < 0)
    return out;
  auto it = scopes_[scope].bindings.find(name);
  if (it != scopes_[scope].bindings.end())
    for (int i : it->second)
      out.push_back(&bindings_[i]);
  return out;
}

std::optional<std::string> ScopeModel::importTarget(std::string_view name, int scope, const Binding **anchor) const {
  int s = resolve(name, scope);
  if (s < 0)
    return std::nullopt;
  std::optional<std::string> target;
  const Binding *first = nullptr;
  // Prefer, in this order: an import that runs, made by the scope's own code; then one that runs.
  auto rank = [](const Binding *b) { return (ts_node_is_null(b->deadUnder) ? 0 : 2) + (b->remote() ? 1 : 0); };
  for (const Binding *b : bindingsIn(s, name)) {
    if (b->kind == BindingKind::NoneAssignment || b->kind == BindingKind::Deletion)
      continue;
    if (b->kind != BindingKind::Import)
      return std::nullopt;
    if (target && *target != b->qname)
      return std::nullopt;
    target = b->qname;
    if (!first || rank(b) < rank(first) || (rank(b) == rank(first) && start(b->node) < start(first->node)))
      first = b;
  }
  if (anchor)
    *anchor = first;
  return target;
}

std::optional<std::string> ScopeModel::qualify(TSNode expr, int scope, const Binding **anchor) const {
  std::vector<std::string_view> attrs;
  TSNode cur = expr;
  while (is(cur, "attribute")) {
    attrs.push_back(tree_.text(field(cur, "attribute")));
    cur = field(cur, "object");
  }
  if (!is(cur, "identifier"))
    return std::nullopt;
  auto base = importTarget(tree_.text(cur), scope, anchor);
  if (!base)
    return std::nullopt;
  std::string q = *base;
  for (auto it = attrs.rbegin(); it != attrs.rend(); ++it) {
    q += '.';
    q += *it;
  }
  return q;
}

int ScopeModel::scopeAt(uint32_t offset) const {
  int best = 0;
  for (size_t i = 1; i < scopes_.size(); ++i) {
    TSNode n = scopes_[i].node;
    if (start(n) <= offset && offset < end(n) && start(n) >= start(scopes_[best].node))
      best = static_cast<int>(i);
  }
  return best;
}

int ScopeModel::enclosingFunction(int scope) const {
  for (int s = scope; s >= 0; s = scopes_[s].parent)
    if (scopes_[s].kind == ScopeKind::Function || scopes_[s].kind == ScopeKind::Lambda)
      return s;
  return -1;
}

} // namespace poolify::py
