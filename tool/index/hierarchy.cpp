#include "index/hierarchy.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

namespace poolify::index {

using Outcome = model::Outcome;

ClassIndex::ClassIndex(std::shared_ptr<const ModuleNames> names, std::function<const model::FileFacts *(size_t)> facts)
    : names_(std::move(names)), load_(std::move(facts)) {
  memoFirst_.assign(names_->size(), kNoSlots);
}

ClassIndex::ClassIndex(const std::vector<std::string> &displays, std::function<const model::FileFacts *(size_t)> facts)
    : ClassIndex(
          std::make_shared<const ModuleNames>(displays.size(), [&](size_t i) { return std::string_view(displays[i]); }),
          std::move(facts)) {}

const model::ClassFacts &ClassIndex::facts(Key k) { return load_(k.file)->classes[k.cls]; }

namespace {
size_t commonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n])
    ++n;
  return n;
}

// "?ABC", "abc.ABC", "object", "typing.Generic": bases known to run no __init__ of interest.
bool harmless(const std::string &name) {
  std::string last = name.substr(name.find_last_of(".?=") == std::string::npos ? 0 : name.find_last_of(".?=") + 1);
  return last == "object" || last == "ABC" || last == "Generic" || last == "Protocol";
}

} // namespace

bool ClassIndex::mayResolve(const ModuleNames &names, const std::string &qname, size_t fromFile) {
  if (qname.empty() || qname[0] == '?')
    return false;
  if (qname[0] == '=')
    return true;
  std::string absolute = names.absolute(qname, fromFile);
  size_t dot = absolute.rfind('.');
  return dot != std::string::npos && !names.endingWith(std::string_view(absolute).substr(0, dot)).empty();
}

std::optional<ClassIndex::Key> ClassIndex::resolve(const std::string &qname, size_t fromFile, int depth) {
  if (depth > 8 || qname.empty() || qname[0] == '?')
    return std::nullopt;
  auto findIn = [&](size_t file, const std::string &name) -> std::optional<Key> {
    const model::FileFacts *f = load_(file);
    if (!f)
      return std::nullopt;
    for (size_t c = 0; c < f->classes.size(); ++c)
      if (f->classes[c].name == name)
        return Key{file, c};
    if (auto imp = f->imports.find(name)) // a re-export: `from .base import Base` in a package
      return resolve(std::string(*imp), file, depth + 1);
    return std::nullopt;
  };
  if (qname[0] == '=')
    return findIn(fromFile, qname.substr(1));
  std::string absolute = names_->absolute(qname, fromFile);
  size_t dot = absolute.rfind('.');
  if (dot == std::string::npos)
    return std::nullopt;
  std::string module = absolute.substr(0, dot), name = absolute.substr(dot + 1);
  // Several files can end with the module path: take the one nearest the importing file.
  std::vector<size_t> candidates = names_->endingWith(module);
  if (candidates.empty())
    return std::nullopt;
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    return commonPrefix(names_->dotted(a), names_->dotted(fromFile)) >
           commonPrefix(names_->dotted(b), names_->dotted(fromFile));
  });
  for (size_t file : candidates)
    if (auto k = findIn(file, name))
      return k;
  return std::nullopt;
}

void ClassIndex::prefetch(const std::vector<size_t> &files,
                          const std::function<void(const std::vector<size_t> &)> &loadAll) {
  // What resolve() looks for: a qualified name and the file that names it.
  std::vector<std::pair<std::string, size_t>> level;
  std::set<std::pair<std::string, size_t>> asked;
  auto ask = [&](const std::string &qname, size_t from, auto &into) {
    if (!qname.empty() && qname[0] != '?' && asked.insert({qname, from}).second)
      into.emplace_back(qname, from);
  };
  for (size_t f : files)
    if (const model::FileFacts *facts = load_(f))
      for (const auto &c : facts->classes)
        for (std::string_view b : c.bases)
          ask(std::string(b), f, level);
  // The name each asks for, and the files it may be in (as resolve() finds them).
  auto where = [&](const std::pair<std::string, size_t> &q) -> std::pair<std::string, std::vector<size_t>> {
    if (q.first[0] == '=')
      return {q.first.substr(1), {q.second}};
    std::string absolute = names_->absolute(q.first, q.second);
    size_t dot = absolute.rfind('.');
    if (dot == std::string::npos)
      return {"", {}};
    return {absolute.substr(dot + 1), names_->endingWith(std::string_view(absolute).substr(0, dot))};
  };
  for (int depth = 0; depth < 16 && !level.empty(); ++depth) {
    std::vector<std::pair<std::string, std::vector<size_t>>> found;
    std::vector<size_t> need;
    for (const auto &q : level) {
      found.push_back(where(q));
      need.insert(need.end(), found.back().second.begin(), found.back().second.end());
    }
    std::sort(need.begin(), need.end());
    need.erase(std::unique(need.begin(), need.end()), need.end());
    loadAll(need);
    std::vector<std::pair<std::string, size_t>> next;
    for (const auto &[name, in] : found)
      for (size_t f : in) {
        const model::FileFacts *facts = load_(f);
        if (!facts)
          continue;
        auto c = std::find_if(facts->classes.begin(), facts->classes.end(),
                              [&name = name](const model::ClassFacts &x) { return x.name == name; });
        if (c != facts->classes.end())
          for (std::string_view b : c->bases)
            ask(std::string(b), f, next);
        else if (auto imp = facts->imports.find(name)) // a re-export
          ask(std::string(*imp), f, next);
      }
    level = std::move(next);
  }
}

ClassIndex::Entry ClassIndex::opaque(const std::string &name) {
  auto [at, added] = opaqueNumbers_.emplace(name, uint32_t(opaqueNames_.size()));
  if (added)
    opaqueNames_.push_back(name);
  return Entry::opaqueName(at->second);
}

std::vector<ClassIndex::Entry> ClassIndex::mro(Key k) {
  const model::ClassFacts &c = facts(k);
  if (memoFirst_[k.file] == kNoSlots) {
    memoFirst_[k.file] = uint32_t(memoSlots_.size());
    memoSlots_.resize(memoSlots_.size() + load_(k.file)->classes.size());
  }
  const size_t slot = memoFirst_[k.file] + k.cls;
  if (auto [offset, length] = memoSlots_[slot]; length != 0)
    return std::vector<Entry>(memoEntries_.begin() + offset, memoEntries_.begin() + offset + length);
  if (auto at = std::find(visiting_.begin(), visiting_.end(), k); at != visiting_.end()) {
    cyclic_.insert(at, visiting_.end());
    problems_.push_back(fmt::format("{}: class {} inherits from itself (a cycle); its hierarchy is not used",
                                    names_->dotted(k.file), c.name));
    return {opaque("?" + c.name)};
  }
  visiting_.push_back(k);
  std::vector<std::vector<Entry>> seqs;
  std::vector<Entry> direct;
  for (std::string_view name : c.bases) {
    std::string b(name);
    auto bk = resolve(b, k.file);
    Entry e = bk ? Entry::known(*bk) : opaque(b);
    seqs.push_back(e.isKnown() ? mro(*bk) : std::vector<Entry>{e});
    direct.push_back(e);
  }
  seqs.push_back(direct);
  visiting_.pop_back();
  // C3 merge.
  std::vector<Entry> out{Entry::known(k)};
  for (;;) {
    seqs.erase(std::remove_if(seqs.begin(), seqs.end(), [](auto &s) { return s.empty(); }), seqs.end());
    if (seqs.empty())
      break;
    const Entry *pick = nullptr;
    for (auto &s : seqs) {
      const Entry &head = s.front();
      bool inTail = false;
      for (auto &t : seqs)
        for (size_t i = 1; i < t.size() && !inTail; ++i)
          inTail = t[i] == head;
      if (!inTail) {
        pick = &head;
        break;
      }
    }
    if (!pick) { // no consistent order: Python raises TypeError at class creation; not used, as a cycle
      cyclic_.insert(k);
      problems_.push_back(fmt::format("{}: class {} has no consistent method resolution order (Python refuses "
                                      "it); its hierarchy is not used",
                                      names_->dotted(k.file), c.name));
      for (auto &s : seqs)
        for (auto &e : s)
          if (std::find(out.begin(), out.end(), e) == out.end())
            out.push_back(e);
      break;
    }
    Entry chosen = *pick;
    out.push_back(chosen);
    for (auto &s : seqs)
      if (!s.empty() && s.front() == chosen)
        s.erase(s.begin());
  }
  memoSlots_[slot] = {uint32_t(memoEntries_.size()), uint32_t(out.size())};
  memoEntries_.insert(memoEntries_.end(), out.begin(), out.end());
  return out;
}

// The classes whose __init__ runs, unconditionally, when an instance of `k` is built.
std::vector<ClassIndex::Key> ClassIndex::runningInits(Key k, std::string &unknown) {
  std::vector<Entry> order = mro(k);
  auto nextInit = [&](size_t from) -> std::optional<size_t> {
    for (size_t i = from; i < order.size(); ++i) {
      if (!order[i].isKnown()) {
        const std::string &name = opaqueName(order[i]);
        if (harmless(name))
          continue;
        if (unknown.empty())
          unknown = name.substr(name[0] == '?' ? 1 : 0);
        return std::nullopt;
      }
      if (facts(order[i].key()).hasInit())
        return i;
    }
    return std::nullopt;
  };
  std::vector<Key> ran;
  std::vector<size_t> queue;
  if (auto first = nextInit(0))
    queue.push_back(*first);
  while (!queue.empty()) {
    size_t i = queue.back();
    queue.pop_back();
    Key cur = order[i].key();
    if (std::find(ran.begin(), ran.end(), cur) != ran.end())
      continue;
    ran.push_back(cur);
    for (const auto &call : facts(cur).init().calls) {
      if (!call.unconditional)
        continue;
      if (call.base.empty()) {
        if (auto j = nextInit(i + 1))
          queue.push_back(*j);
        continue;
      }
      auto target = resolve(call.base, cur.file);
      if (!target)
        continue;
      for (size_t j = 0; j < order.size(); ++j)
        if (order[j].isKnown() && order[j].key() == *target)
          queue.push_back(j);
    }
  }
  return ran;
}

// What class `x` gets in self.<attr> from its bases: the nearest class of its MRO that assigns it
// (outside the class body) decides; of that class's assignments, a client one tells most.
model::Inherited ClassIndex::inheritance(Key x, const std::string &attr, const std::vector<Entry> &order,
                                         const std::vector<Key> &ran, const std::string &unknown) {
  using Source = model::AttributeAssignment::Source;
  using Where = model::AttributeAssignment::Where;
  model::Inherited out;
  out.cls = facts(x).name;
  out.attr = attr;
  for (const Entry &e : order) {
    if (!e.isKnown() || e.key() == x)
      continue;
    const model::ClassFacts &c = facts(e.key());
    const model::AttributeAssignment *best = nullptr;
    bool any = false;
    std::vector<model::AttributeAssignment> ofAttr = c.assignmentsOf(attr);
    for (const auto &b : ofAttr) {
      if (b.where == Where::ClassBody || b.outcome == model::Outcome::Removed)
        continue;
      any = true;
      bool client = b.source != Source::Other;
      bool better =
          !best || (client && best->source == Source::Other) ||
          (client && b.where == Where::Init && b.unconditional && !(best->where == Where::Init && best->unconditional));
      if (better)
        best = &b;
    }
    if (!any)
      continue;
    if (best->source == Source::Other)
      return out; // not a client of any rule: nothing to report (status set below by the caller)
    out.rule = best->rule;
    out.base = c.name;
    bool runs = std::find(ran.begin(), ran.end(), e.key()) != ran.end();
    if (!runs) {
      out.status = "unknown";
      if (!unknown.empty())
        out.reason = fmt::format("the base __init__ chain goes through {}, which poolify cannot see", unknown);
      else if (auto breaker = chainBreaker(order, ran, e.key()))
        out.reason = fmt::format("{} ({} sets {})", *breaker, c.name, attr);
      else
        out.reason = fmt::format("{}.__init__ may not run", c.name);
    } else if (best->where != Where::Init) {
      out.status = "unknown";
      out.reason = fmt::format("{} sets {} only after construction (in {}())", c.name, attr, best->method);
    } else if (!best->unconditional) {
      out.status = "unknown";
      out.reason = fmt::format("{} sets {} only conditionally", c.name, attr);
    } else if (best->source == Source::Pooled || best->outcome == model::Outcome::Rewritten) {
      out.status = "pooled";
    } else {
      out.status = "direct";
      out.reason = best->outcome == model::Outcome::Unsafe
                       ? fmt::format("{}'s {} stays a direct client unless migrated with --unsafe-fixes (line {})",
                                     c.name, attr, best->line)
                       : fmt::format("{}'s {} stays a direct client (left at line {})", c.name, attr, best->line);
    }
    return out;
  }
  return out;
}

std::vector<model::Inherited> ClassIndex::inheritedClients(size_t file) {
  using Where = model::AttributeAssignment::Where;
  std::vector<model::Inherited> out;
  const model::FileFacts *ff = load_(file);
  if (!ff)
    return out;
  for (size_t ci = 0; ci < ff->classes.size(); ++ci) {
    Key x{file, ci};
    std::vector<Entry> order = mro(x);
    if (cyclic_.count(x))
      continue;
    const model::ClassFacts &cls = ff->classes[ci];
    std::string unknown;
    std::vector<Key> ran = runningInits(x, unknown);
    // Client attributes some base's __init__ sets (a client made lazily in a method is not listed).
    std::vector<std::string> attrs;
    for (const Entry &e : order) {
      if (!e.isKnown() || e.key() == x)
        continue;
      for (const auto &b : facts(e.key()).assignments)
        if (b.source != model::AttributeAssignment::Source::Other && b.where == Where::Init &&
            std::find(attrs.begin(), attrs.end(), b.attr) == attrs.end())
          attrs.push_back(b.attr);
    }
    for (const std::string &attr : attrs) {
      // A class that sets the attribute itself (even through an override `migrate` would remove)
      // has its own client now: it is not listed as inheriting one.
      std::vector<model::AttributeAssignment> ofAttr = cls.assignmentsOf(attr);
      bool own = std::any_of(ofAttr.begin(), ofAttr.end(),
                             [&](const model::AttributeAssignment &a) { return a.where == Where::Init; });
      if (own)
        continue;
      model::Inherited i = inheritance(x, attr, order, ran, unknown);
      if (!i.rule.empty())
        out.push_back(std::move(i));
    }
  }
  return out;
}

std::vector<std::string> ClassIndex::providerNames(const std::vector<size_t> &files) {
  std::vector<std::string> names;
  for (size_t f : files) {
    const model::FileFacts *ff = load_(f);
    if (!ff)
      continue;
    bool any = false;
    for (const auto &c : ff->classes) {
      // Any class that sets a client in __init__: its subclasses are listed, inheriting it or not.
      any = std::any_of(c.assignments.begin(), c.assignments.end(), [](const model::AttributeAssignment &a) {
        return a.source != model::AttributeAssignment::Source::Other &&
               a.where != model::AttributeAssignment::Where::ClassBody;
      });
      if (any)
        names.push_back(c.name);
    }
    for (const auto &i : inheritedClients(f))
      names.push_back(i.cls);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// When the providing base's __init__ does not run: the last class of the running chain before
// it in the MRO, whose __init__ calls no further.
std::optional<std::string> ClassIndex::chainBreaker(const std::vector<Entry> &order, const std::vector<Key> &ran,
                                                    Key provider) {
  if (std::find(ran.begin(), ran.end(), provider) != ran.end())
    return std::nullopt;
  std::optional<std::string> breaker;
  for (const Entry &e : order) {
    if (e.isKnown() && e.key() == provider)
      break;
    if (!e.isKnown() || std::find(ran.begin(), ran.end(), e.key()) == ran.end())
      continue;
    const auto &calls = facts(e.key()).init().calls;
    if (std::none_of(calls.begin(), calls.end(), [](const model::BaseInitCall &c) { return c.unconditional; }))
      breaker = calls.empty()
                    ? fmt::format("{}.__init__ never calls the base __init__", facts(e.key()).name)
                    : fmt::format("{}.__init__ calls the base __init__ only conditionally", facts(e.key()).name);
  }
  return breaker;
}

Equivalence compareArguments(const model::AttributeAssignment &a, const std::vector<std::string> &aKeys,
                             const model::AttributeAssignment &b, const std::vector<std::string> &bKeys,
                             const std::string &base,
                             const std::function<std::string(const std::string &)> &selfChanged) {
  // What the base's call passes: its explicit arguments, then those its rewrite takes from scope.
  std::vector<model::Argument> given = b.args;
  given.insert(given.end(), b.inferred.begin(), b.inferred.end());
  auto keyOf = [](const std::vector<std::string> &keys, size_t i) { return i < keys.size() ? keys[i] : "?"; };
  std::string extra, unstable, missing, defaulted;
  for (size_t i = 0; i < a.args.size(); ++i) {
    const std::string &k = a.args[i].first, &v = a.args[i].second;
    auto it = std::find_if(given.begin(), given.end(), [&](const model::Argument &g) { return g.first == k; });
    std::string ak = keyOf(aKeys, i);
    std::string bk = it == given.end() ? "?" : keyOf(bKeys, static_cast<size_t>(it - given.begin()));
    std::string written = it == given.end() ? "" : it->second; // the base's argument as written
    if (bk.rfind("?:", 0) == 0) { // passed to the base __init__ by the subclass: as written there
      written = bk.substr(2);
      bk = "?";
    }
    if (ak != bk && ak.rfind("param:", 0) == 0) // a parameter is known only as what it was passed
      ak = "?";
    if (ak != bk && bk.rfind("param:", 0) == 0)
      bk = "?";
    if (it == given.end() || (ak != bk && (ak != "?" || bk != "?")) || (ak == "?" && written != v)) {
      extra += (extra.empty() ? "" : ", ") + k + "=" + v;
      continue;
    }
    // The same value written the same way: the same value only when it names something both
    // classes see alike (a literal, a module-level name, the instance's attribute unchanged).
    std::string why;
    if (ak == "?")
      why = fmt::format("{}={} in the override need not be what {} passed when it made its client", k, v, base);
    else if (ak.rfind("self:", 0) == 0)
      why = selfChanged(ak.substr(5));
    if (!why.empty() && unstable.empty())
      unstable = why;
  }
  std::string defaultedNames;
  for (const model::Argument &g : given) {
    const std::string &k = g.first;
    if (std::any_of(a.args.begin(), a.args.end(), [&](const model::Argument &x) { return x.first == k; }))
      continue;
    bool required = std::find(a.required.begin(), a.required.end(), k) != a.required.end();
    std::string &into = required ? defaulted : missing;
    into += (into.empty() ? "" : ", ") + k + "=" + g.second;
    if (required)
      defaultedNames += (defaultedNames.empty() ? "" : ", ") + k;
  }
  if (!extra.empty())
    return {Equivalence::Kind::Keep,
            fmt::format("it asks for {}, which the client inherited from {} does not", extra, base)};
  if (!unstable.empty())
    return {Equivalence::Kind::Keep, unstable};
  if (!missing.empty())
    return {Equivalence::Kind::Keep,
            fmt::format("the client inherited from {} is made with {}, which the override does not ask for", base,
                        missing)};
  if (!defaulted.empty())
    return {Equivalence::Kind::Unsafe,
            fmt::format("the override passes no {}, so its client used the library's default; the one inherited "
                        "from {} passes {}, which may differ",
                        defaultedNames, base, defaulted)};
  return {};
}

// A key with module-level names made absolute: "=NAME" of file f is "g:<f's module>.NAME", a
// relative import's target is resolved from f.
std::string ClassIndex::qualifiedKey(const std::string &k, size_t file) const {
  if (!k.empty() && k[0] == '=')
    return "g:" + (names_->dotted(file).empty() ? "" : std::string(names_->dotted(file)) + ".") + k.substr(1);
  if (k.rfind("g:.", 0) == 0)
    return "g:" + names_->absolute(k.substr(2), file);
  return k;
}

std::vector<std::string> ClassIndex::qualifiedKeys(const model::AttributeAssignment &a, size_t file) const {
  std::vector<std::string> out;
  out.reserve(a.keys.size());
  for (const std::string &k : a.keys)
    out.push_back(qualifiedKey(k, file));
  return out;
}

std::string parameterKey(const std::string &param, const std::vector<model::InitParameter> &params,
                         const model::BaseInitCall &call, std::string *text) {
  auto p = std::find_if(params.begin(), params.end(), [&](const model::InitParameter &q) { return q.name == param; });
  if (call.unpacking || p == params.end())
    return "?";
  size_t index = static_cast<size_t>(p - params.begin());
  size_t position = call.base.empty() ? 0 : 1; // Base.__init__(self, ...): the instance comes first
  size_t seen = 0;
  for (size_t i = 0; i < call.args.size(); ++i) {
    std::string key = i < call.keys.size() ? call.keys[i] : "?";
    bool byPosition = call.args[i].first.rfind('#', 0) == 0 && seen++ == index + position && p->positional;
    if (call.args[i].first == param || byPosition) {
      if (text)
        *text = call.args[i].second;
      return key;
    }
  }
  return p->defaultKey.empty() ? "?" : p->defaultKey;
}

bool ClassIndex::baseBinds(size_t file, const std::string &cls, const std::string &attr) {
  const model::FileFacts *f = load_(file);
  if (!f)
    return false;
  std::optional<Key> x;
  for (size_t i = 0; i < f->classes.size(); ++i)
    if (f->classes[i].name == cls) {
      if (x)
        return false; // two classes of that name: which one the site is in cannot be told here
      x = Key{file, i};
    }
  if (!x || cyclic_.count(*x))
    return false;
  std::vector<Entry> order = mro(*x);
  if (order.empty() || cyclic_.count(*x))
    return false;
  // The __init__ that runs first (x's own was checked by the analysis: it calls its base first),
  // then, while that one does not bind the attribute itself but calls its base first too, the
  // one it calls (Job -> Middle -> Base).
  auto firstCall = [&](Key k) -> const model::BaseInitCall * {
    const model::BaseInitCall *first = nullptr;
    for (const auto &call : facts(k).init().calls)
      if (!first || call.start < first->start)
        first = &call;
    return first && first->unconditional ? first : nullptr;
  };
  model::BaseInitCall super; // an inherited __init__: as if super().__init__() ran
  const model::BaseInitCall *call = facts(*x).hasInit() ? firstCall(*x) : &super;
  size_t at = 0; // where the class making `call` is in x's MRO
  for (size_t steps = 0; call && steps < order.size(); ++steps) {
    std::optional<Key> callee = initTarget(*call, at, order);
    if (!callee)
      return false;
    const model::ClassFacts &c = facts(*callee);
    if (std::binary_search(c.init().binds.begin(), c.init().binds.end(), attr))
      return true;
    auto in =
        std::find_if(order.begin(), order.end(), [&](const Entry &e) { return e.isKnown() && e.key() == *callee; });
    if (!c.init().baseFirst || in == order.end())
      return false;
    at = static_cast<size_t>(in - order.begin());
    call = firstCall(*callee);
  }
  return false;
}

// The class whose __init__ runs for `call`, made in the __init__ of order[at] (x's MRO): the base it
// names (`Base.__init__(self)`), or for super().__init__() the next class of x's MRO that has an
// __init__. nullopt when that cannot be told (an unknown class that may have one comes first).
std::optional<ClassIndex::Key> ClassIndex::initTarget(const model::BaseInitCall &call, size_t at,
                                                      const std::vector<Entry> &order) {
  if (!call.base.empty())
    return resolve(call.base, order[at].key().file);
  for (size_t i = at + 1; i < order.size(); ++i) {
    if (!order[i].isKnown() && harmless(opaqueName(order[i])))
      continue;
    if (!order[i].isKnown())
      return std::nullopt;
    if (facts(order[i].key()).hasInit())
      return order[i].key();
  }
  return std::nullopt;
}

// The base __init__ calls through which x's call at `baseCall` runs `provider`'s __init__: x's call,
// then the one of each class in between (Leaf -> Middle -> Base: Leaf's, then Middle's). A class in
// between must make exactly one such call, on every path, without *args/**kwargs; else, or when the
// calls do not reach the provider, empty: which arguments the provider got cannot be told.
std::vector<ClassIndex::InitHop> ClassIndex::initChain(Key x, uint32_t baseCall, Key provider,
                                                       const std::vector<Entry> &order) {
  std::vector<InitHop> chain;
  const model::BaseInitCall *call = nullptr;
  for (const auto &c : facts(x).init().calls)
    call = c.start == baseCall ? &c : call;
  size_t at = 0;
  while (call && chain.size() < order.size()) {
    std::optional<Key> callee = initTarget(*call, at, order);
    if (!callee)
      return {};
    chain.push_back({order[at].key(), call, *callee});
    if (*callee == provider)
      return chain;
    auto pos =
        std::find_if(order.begin(), order.end(), [&](const Entry &e) { return e.isKnown() && e.key() == *callee; });
    const auto &calls = facts(*callee).init().calls;
    if (pos == order.end() || calls.size() != 1 || !calls[0].unconditional || calls[0].unpacking)
      return {};
    at = static_cast<size_t>(pos - order.begin());
    call = &calls[0];
  }
  return {};
}

// What the provider's __init__ parameter `param` is, as x's base __init__ call passes it through the
// classes in between (`chain`, see initChain): a key of x's file ("param:NAME" for x's own
// parameter), "?" when it cannot be told, "?:TEXT" with what x passed when that is not a plain key.
std::string ClassIndex::throughChain(const std::string &param, const std::vector<InitHop> &chain) {
  std::string key = "param:" + param, text;
  for (size_t h = chain.size(); h-- > 0 && key.rfind("param:", 0) == 0;) {
    const InitHop &hop = chain[h];
    std::vector<model::InitParameter> params = facts(hop.callee).init().params.vector();
    for (model::InitParameter &p : params)
      p.defaultKey = p.defaultKey.rfind("param:", 0) == 0 ? "?" : qualifiedKey(p.defaultKey, hop.callee.file);
    model::BaseInitCall call = *hop.call;
    for (std::string &k : call.keys)
      k = qualifiedKey(k, hop.caller.file);
    text.clear();
    key = parameterKey(key.substr(6), params, call, h == 0 ? &text : nullptr);
    if (key.rfind("self:", 0) == 0) // read before the base __init__ ran: it may set it again
      key = "?";
  }
  if (chain.empty())
    return "?";
  return key == "?" && !text.empty() ? "?:" + text : key; // what the subclass passed, as written there
}

// `self.<attr>` in the provider's client is its __init__ parameter P when the provider assigns
// `self.<attr> = P` before its client, unconditionally, and no class of the MRO assigns it
// anywhere else. "" otherwise.
std::string ClassIndex::parameterBehind(const std::string &attr, Key provider, const model::AttributeAssignment &b,
                                        const std::vector<Entry> &order) {
  std::optional<model::AttributeAssignment> only;
  for (const Entry &e : order) {
    if (!e.isKnown())
      continue;
    for (auto &s : facts(e.key()).assignmentsOf(attr)) {
      if (only || !(e.key() == provider))
        return "";
      only = std::move(s);
    }
  }
  bool param = only && only->where == model::AttributeAssignment::Where::Init && only->unconditional &&
               only->start < b.start && only->valueKey.rfind("param:", 0) == 0;
  return param ? only->valueKey : "";
}

// The provider's argument keys as seen from class x: its __init__'s parameters (read directly, or
// through `self.<attr>` set from one) replaced by what x's base __init__ call passes for them, or
// their defaults; "?" when that cannot be told. `self.<attr>` stays where the override reads
// `self.<attr>` too (the same attribute: see selfChanged).
std::vector<std::string> ClassIndex::forwardedKeys(Key x, uint32_t baseCall, Key provider,
                                                   const model::AttributeAssignment &a,
                                                   const model::AttributeAssignment &b,
                                                   const std::vector<Entry> &order) {
  std::vector<std::string> keys = qualifiedKeys(b, provider.file);
  std::vector<model::Argument> given = b.args;
  given.insert(given.end(), b.inferred.begin(), b.inferred.end());
  std::vector<InitHop> chain = initChain(x, baseCall, provider, order);
  for (size_t i = 0; i < keys.size() && i < given.size(); ++i) {
    std::string &k = keys[i];
    auto mine =
        std::find_if(a.args.begin(), a.args.end(), [&](const model::Argument &g) { return g.first == given[i].first; });
    size_t at = static_cast<size_t>(mine - a.args.begin());
    bool sameSelf = mine != a.args.end() && at < a.keys.size() && a.keys[at] == k;
    if (k.rfind("self:", 0) == 0 && !sameSelf)
      if (std::string p = parameterBehind(k.substr(5), provider, b, order); !p.empty())
        k = p;
    if (k.rfind("param:", 0) != 0)
      continue;
    k = throughChain(k.substr(6), chain);
  }
  return keys;
}

// Why `self.<attr>` may hold another value when override `a` (in class x, after the base __init__
// call at `baseCall`) runs than when `provider` made its client with assignment `b` ("" when it
// cannot): an assignment of it that runs in between, as far as the class facts tell.
std::string ClassIndex::selfChanged(const std::string &attr, Key x, const model::AttributeAssignment &a,
                                    uint32_t baseCall, Key provider, const model::AttributeAssignment &b,
                                    const std::vector<Entry> &order, const std::vector<Key> &ran) {
  using Where = model::AttributeAssignment::Where;
  std::vector<std::string> calledInInit;
  for (const Key &k : ran)
    for (const auto &m : facts(k).init().selfCalls)
      calledInInit.push_back(m);
  bool afterProvider = false;
  const auto &providerCalls = facts(provider).init().calls;
  bool providerCallsOnAfter = std::any_of(providerCalls.begin(), providerCalls.end(),
                                          [&](const model::BaseInitCall &c) { return c.start > b.start; });
  for (const Entry &e : order) {
    if (!e.isKnown())
      continue;
    if (e.key() == provider) {
      afterProvider = true;
      continue;
    }
    bool runs = std::find(ran.begin(), ran.end(), e.key()) != ran.end();
    const model::ClassFacts &c = facts(e.key());
    uint32_t firstCall = UINT32_MAX;
    for (const auto &call : c.init().calls)
      if (call.unconditional)
        firstCall = std::min(firstCall, call.start);
    for (const auto &s : c.assignmentsOf(attr)) {
      if (s.where == Where::OtherMethod &&
          std::find(calledInInit.begin(), calledInInit.end(), s.method) != calledInInit.end())
        return fmt::format("self.{} is assigned in {}.{}(), which __init__ calls", attr, c.name, s.method);
      if (s.where != Where::Init || !runs)
        continue;
      if (e.key() == x) {
        if (s.start > baseCall && s.start < a.start)
          return fmt::format("self.{} is assigned again in {}.__init__ after the base __init__ made the client", attr,
                             c.name);
      } else if (!afterProvider) {
        if (firstCall == UINT32_MAX || s.start > firstCall)
          return fmt::format("self.{} is assigned again in {}.__init__ after its base __init__ call", attr, c.name);
      } else if (providerCallsOnAfter) {
        return fmt::format("self.{} is assigned in {}.__init__, which runs after {} made the client", attr, c.name,
                           facts(provider).name);
      }
    }
  }
  for (const auto &s : facts(provider).assignmentsOf(attr))
    if (s.where == Where::Init && s.start > b.start)
      return fmt::format("self.{} is assigned again in {}.__init__ after it made the client", attr,
                         facts(provider).name);
  return "";
}

namespace {
// A pooled client: a call of a pooled callable, or a direct client this run rewrites.
bool isPooled(const model::AttributeAssignment &b) {
  return b.source == model::AttributeAssignment::Source::Pooled ||
         (b.source == model::AttributeAssignment::Source::Site && b.outcome == Outcome::Rewritten);
}
} // namespace

// The nearest base in the MRO that assigns `a.attr` at all (outside its class body), and of its
// assignments a pooled one if any (`= None` in __init__, the client in init_clients()); nullopt: none.
std::optional<model::AttributeAssignment> ClassIndex::nearestAssigning(const model::AttributeAssignment &a,
                                                                       const std::vector<Entry> &order, Key &where) {
  for (size_t i = 1; i < order.size(); ++i) {
    if (!order[i].isKnown())
      continue;
    std::optional<model::AttributeAssignment> found;
    for (auto &b : facts(order[i].key()).assignmentsOf(a.attr)) {
      if (b.where == model::AttributeAssignment::Where::ClassBody)
        continue;
      bool pooled = isPooled(b);
      if (!found || pooled)
        found = std::move(b);
      if (pooled)
        break;
    }
    if (found) {
      where = order[i].key();
      return found;
    }
  }
  return std::nullopt;
}

// The nearest base whose __init__ runs and sets a pooled client of a's rule in `a.attr`,
// unconditionally. Null: none.
const model::AttributeAssignment *ClassIndex::nearestProvider(const model::AttributeAssignment &a,
                                                              const std::vector<Entry> &order,
                                                              const std::vector<Key> &ran, Key &where) {
  for (size_t i = 1; i < order.size(); ++i) {
    if (!order[i].isKnown() || std::find(ran.begin(), ran.end(), order[i].key()) == ran.end())
      continue;
    for (const auto &b : facts(order[i].key()).assignments)
      if (b.attr == a.attr && b.rule == a.rule && isPooled(b) && b.unconditional &&
          b.where == model::AttributeAssignment::Where::Init) {
        where = order[i].key();
        return &b;
      }
  }
  return nullptr;
}

// Why an override stays when no base that runs provides a pooled client (`plausible`: the nearest
// class of the MRO that assigns the attribute at all).
std::string ClassIndex::noProviderReason(const model::ClassFacts &cls, const model::AttributeAssignment &a,
                                         Key plausibleKey, const model::AttributeAssignment &plausibleAssign,
                                         const std::vector<Entry> &order, const std::vector<Key> &ran,
                                         const std::string &unknown) {
  const std::string &base = facts(plausibleKey).name;
  bool callsBase = std::any_of(cls.init().calls.begin(), cls.init().calls.end(),
                               [](const model::BaseInitCall &c) { return c.unconditional; });
  if (cls.init().calls.empty())
    return fmt::format("{}.__init__ never calls the base __init__ ({} sets {})", cls.name, base, a.attr);
  if (!callsBase)
    return fmt::format("{}.__init__ calls the base __init__ only conditionally", cls.name);
  if (!unknown.empty())
    return fmt::format("the base __init__ chain goes through {}, which poolify cannot see", unknown);
  if (plausibleAssign.where != model::AttributeAssignment::Where::Init)
    return fmt::format("{} sets {} only after construction (in {}())", base, a.attr, plausibleAssign.method);
  if (!plausibleAssign.unconditional)
    return fmt::format("{} sets {} only conditionally", base, a.attr);
  if (auto breaker = chainBreaker(order, ran, plausibleKey))
    return fmt::format("{} ({} sets {})", *breaker, base, a.attr);
  if (plausibleAssign.source == model::AttributeAssignment::Source::Site && plausibleAssign.outcome == Outcome::Unsafe)
    return fmt::format("{}'s {} becomes a pooled client only with --unsafe-fixes (line {})", base, a.attr,
                       plausibleAssign.line);
  return fmt::format("{}'s {} is not a pooled {} client", base, a.attr, a.rule);
}

// Why override `a` of class x is not the client the provider's assignment `provided` made ("" when
// it is, with `unsafe` set when removing it may still change behaviour).
std::string ClassIndex::overrideDiffers(Key x, const model::AttributeAssignment &a, Key providerKey,
                                        const model::AttributeAssignment &provided, const std::vector<Entry> &order,
                                        const std::vector<Key> &ran, std::string &unsafe) {
  const model::ClassFacts &cls = facts(x);
  const std::string &base = facts(providerKey).name;
  uint32_t baseCall = UINT32_MAX;
  for (const auto &c : cls.init().calls)
    if (c.unconditional)
      baseCall = std::min(baseCall, c.start);
  // Another client of the same rule (a subscriber where the base makes a publisher).
  if (!a.pooled.empty() && !provided.pooled.empty() && a.pooled != provided.pooled)
    return fmt::format("it becomes {}, the client inherited from {} comes from {}", a.pooled, base, provided.pooled);
  // One made before the base __init__ runs is overwritten by it: its arguments do not matter, but
  // the code in between may use it.
  if (baseCall != UINT32_MAX && a.start < baseCall) {
    bool used = std::any_of(cls.init().uses.begin(), cls.init().uses.end(), [&](const auto &u) {
      return u.first == a.attr && u.second > a.end && u.second < baseCall;
    });
    return used ? fmt::format("{} is used before the base __init__ runs", a.attr) : "";
  }
  // After it: the inherited client must be the one the override makes.
  auto changed = [&](const std::string &attr) {
    return selfChanged(attr, x, a, baseCall, providerKey, provided, order, ran);
  };
  Equivalence eq = compareArguments(a, qualifiedKeys(a, x.file), provided,
                                    forwardedKeys(x, baseCall, providerKey, a, provided, order), base, changed);
  if (eq.kind == Equivalence::Kind::Keep)
    return eq.why;
  if (eq.kind == Equivalence::Kind::Unsafe)
    unsafe = fmt::format("removal as redundant with the pooled {} inherited from {}: {}", a.attr, base, eq.why);
  return "";
}

std::vector<model::OverrideDecision> ClassIndex::decideOverrides(const std::vector<size_t> &files) {
  std::vector<model::OverrideDecision> out;
  for (size_t file : files) {
    const model::FileFacts *ff = load_(file);
    if (!ff)
      continue;
    for (size_t ci = 0; ci < ff->classes.size(); ++ci) {
      Key x{file, ci};
      const model::ClassFacts &cls = ff->classes[ci];
      for (const model::AttributeAssignment &a : cls.assignments) {
        if (a.source != model::AttributeAssignment::Source::Site ||
            (a.outcome != Outcome::Rewritten && a.outcome != Outcome::LeftMissing && a.outcome != Outcome::Unsafe))
          continue;
        std::vector<Entry> order = mro(x);
        if (cyclic_.count(x))
          continue; // no MRO exists: an ordinary site
        // A base that assigns the attribute at all: without one, this is an ordinary site. Of its
        // assignments, a pooled one tells most (`= None` in __init__, the client in init_clients()).
        Key plausibleKey{0, 0};
        std::optional<model::AttributeAssignment> plausibleAssign = nearestAssigning(a, order, plausibleKey);
        if (!plausibleAssign)
          continue;
        model::OverrideDecision d{file, a.siteOffset, a.line, a.col, a.rule, false, {}, ""};
        auto keep = [&](const std::string &why) {
          d.note = "not removed: " + why;
          out.push_back(d);
        };
        if (a.where == model::AttributeAssignment::Where::ClassBody) {
          keep(fmt::format("{} is a class attribute", a.attr));
          continue;
        }
        if (a.where == model::AttributeAssignment::Where::OtherMethod) {
          keep(fmt::format("{} is assigned in {}(), not in __init__", a.attr, a.method));
          continue;
        }
        if (!a.unconditional) {
          keep(fmt::format("{} is assigned conditionally", a.attr));
          continue;
        }
        std::string unknown;
        std::vector<Key> ran = runningInits(x, unknown);
        Key providerKey{0, 0};
        const model::AttributeAssignment *provided = nearestProvider(a, order, ran, providerKey);
        const model::ClassFacts *provider = provided ? &facts(providerKey) : nullptr;
        if (!provider) {
          keep(noProviderReason(cls, a, plausibleKey, *plausibleAssign, order, ran, unknown));
          continue;
        }
        std::string why = overrideDiffers(x, a, providerKey, *provided, order, ran, d.removal.unsafe);
        if (!why.empty()) {
          keep(why);
          continue;
        }
        d.remove = true;
        d.removal.comment = fmt::format("{}: pooled client inherited from {}", a.attr, provider->name);
        d.removal.note = fmt::format("removed: redundant with the pooled {} inherited from {}", a.attr, provider->name);
        out.push_back(d);
      }
    }
  }
  return out;
}

} // namespace poolify::index
