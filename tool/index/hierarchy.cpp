#include "index/hierarchy.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace poolify::index {

using model::AttributeAssignment;
using Outcome = model::Outcome;

std::string ClassIndex::dottedPath(const std::string &display) {
  std::string p = display;
  if (p.rfind("./", 0) == 0)
    p = p.substr(2);
  if (p.size() > 3 && p.compare(p.size() - 3, 3, ".py") == 0)
    p.resize(p.size() - 3);
  std::replace(p.begin(), p.end(), '/', '.');
  const std::string init = "__init__";
  if (p == init)
    return "";
  if (p.size() > init.size() && p.compare(p.size() - init.size() - 1, init.size() + 1, "." + init) == 0)
    p.resize(p.size() - init.size() - 1);
  while (!p.empty() && p.front() == '.')
    p.erase(0, 1);
  return p;
}

ClassIndex::ClassIndex(std::vector<std::string> displays, std::function<const model::FileFacts *(size_t)> facts)
    : load_(std::move(facts)) {
  for (const auto &d : displays) {
    dotted_.push_back(dottedPath(d));
    isPackage_.push_back(d.size() >= 11 && d.compare(d.size() - 11, 11, "__init__.py") == 0);
  }
  for (size_t i = 0; i < dotted_.size(); ++i) {
    const std::string &d = dotted_[i];
    size_t dot = d.rfind('.');
    byLastComponent_[dot == std::string::npos ? d : d.substr(dot + 1)].push_back(i);
  }
}

const model::ClassFacts &ClassIndex::facts(Key k) { return load_(k.file)->classes[k.cls]; }

namespace {
size_t commonPrefix(const std::string &a, const std::string &b) {
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
  std::string absolute = qname;
  if (qname[0] == '.') {
    size_t dots = qname.find_first_not_of('.');
    std::string rest = dots == std::string::npos ? "" : qname.substr(dots);
    // The package of the importing module: itself for a package's __init__.py.
    std::string pkg = dotted_[fromFile];
    if (!isPackage_[fromFile]) {
      size_t p = pkg.rfind('.');
      pkg = p == std::string::npos ? "" : pkg.substr(0, p);
    }
    for (size_t up = 1; up < dots; ++up) {
      size_t p = pkg.rfind('.');
      pkg = p == std::string::npos ? "" : pkg.substr(0, p);
    }
    absolute = pkg.empty() ? rest : pkg + "." + rest;
  }
  size_t dot = absolute.rfind('.');
  if (dot == std::string::npos)
    return std::nullopt;
  std::string module = absolute.substr(0, dot), name = absolute.substr(dot + 1);
  size_t lastDot = module.rfind('.');
  auto it = byLastComponent_.find(lastDot == std::string::npos ? module : module.substr(lastDot + 1));
  if (it == byLastComponent_.end())
    return std::nullopt;
  // Several files can end with the module path: take the one nearest the importing file.
  std::vector<size_t> candidates;
  for (size_t file : it->second) {
    const std::string &d = dotted_[file];
    if (d == module || (d.size() > module.size() && d.compare(d.size() - module.size(), module.size(), module) == 0 &&
                        d[d.size() - module.size() - 1] == '.'))
      candidates.push_back(file);
  }
  if (candidates.empty())
    return std::nullopt;
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    return commonPrefix(dotted_[a], dotted_[fromFile]) > commonPrefix(dotted_[b], dotted_[fromFile]);
  });
  for (size_t file : candidates)
    if (auto k = findIn(file, name))
      return k;
  return std::nullopt;
}

std::vector<ClassIndex::Entry> ClassIndex::mro(Key k) {
  auto memo = mroMemo_.find(k);
  if (memo != mroMemo_.end())
    return memo->second;
  const model::ClassFacts &c = facts(k);
  if (auto at = std::find(visiting_.begin(), visiting_.end(), k); at != visiting_.end()) {
    cyclic_.insert(at, visiting_.end());
    problems_.push_back(fmt::format("{}: class {} inherits from itself (a cycle); its hierarchy is not used",
                                    dotted_[k.file], c.name));
    return {Entry{false, k, "?" + c.name}};
  }
  visiting_.push_back(k);
  std::vector<std::vector<Entry>> seqs;
  std::vector<Entry> direct;
  for (const auto &b : c.bases) {
    auto bk = resolve(b, k.file);
    Entry e = bk ? Entry{true, *bk, ""} : Entry{false, {0, 0}, b};
    seqs.push_back(e.known ? mro(e.key) : std::vector<Entry>{e});
    direct.push_back(e);
  }
  seqs.push_back(direct);
  visiting_.pop_back();
  auto same = [](const Entry &a, const Entry &b) {
    return a.known == b.known && (a.known ? a.key == b.key : a.opaque == b.opaque);
  };
  // C3 merge.
  std::vector<Entry> out{Entry{true, k, ""}};
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
          inTail = same(t[i], head);
      if (!inTail) {
        pick = &head;
        break;
      }
    }
    if (!pick) { // inconsistent hierarchy: Python refuses it; fall back to depth-first order
      for (auto &s : seqs)
        for (auto &e : s)
          if (std::none_of(out.begin(), out.end(), [&](const Entry &o) { return same(o, e); }))
            out.push_back(e);
      break;
    }
    Entry chosen = *pick;
    out.push_back(chosen);
    for (auto &s : seqs)
      if (!s.empty() && same(s.front(), chosen))
        s.erase(s.begin());
  }
  mroMemo_[k] = out;
  return out;
}

// The classes whose __init__ runs, unconditionally, when an instance of `k` is built.
std::vector<ClassIndex::Key> ClassIndex::runningInits(Key k, std::string &unknown) {
  std::vector<Entry> order = mro(k);
  auto nextInit = [&](size_t from) -> std::optional<size_t> {
    for (size_t i = from; i < order.size(); ++i) {
      if (!order[i].known) {
        if (harmless(order[i].opaque))
          continue;
        if (unknown.empty())
          unknown = order[i].opaque.substr(order[i].opaque[0] == '?' ? 1 : 0);
        return std::nullopt;
      }
      if (facts(order[i].key).hasInit)
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
    Key cur = order[i].key;
    if (std::find(ran.begin(), ran.end(), cur) != ran.end())
      continue;
    ran.push_back(cur);
    for (const auto &call : facts(cur).initCalls) {
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
        if (order[j].known && order[j].key == *target)
          queue.push_back(j);
    }
  }
  return ran;
}

namespace {
bool providesPooled(const model::AttributeAssignment &b) {
  bool pooled = b.source == model::AttributeAssignment::Source::Pooled ||
                (b.source == model::AttributeAssignment::Source::Site &&
                 (b.outcome == Outcome::Rewritten || b.outcome == Outcome::Removed));
  return pooled && b.unconditional && b.where == model::AttributeAssignment::Where::Init;
}
} // namespace

std::vector<model::Inherited> ClassIndex::inheritedClients(size_t file) {
  std::vector<model::Inherited> out;
  const model::FileFacts *ff = load_(file);
  if (!ff)
    return out;
  for (size_t ci = 0; ci < ff->classes.size(); ++ci) {
    Key x{file, ci};
    const model::ClassFacts &cls = ff->classes[ci];
    std::string unknown;
    std::vector<Key> ran = runningInits(x, unknown);
    for (const Entry &e : mro(x)) {
      if (!e.known || e.key == x || std::find(ran.begin(), ran.end(), e.key) == ran.end())
        continue;
      for (const auto &b : facts(e.key).assignments) {
        if (!providesPooled(b) || b.outcome == Outcome::Removed)
          continue;
        // A class that sets the attribute itself (even through an override `migrate` would remove)
        // has its own client now: it is not listed as inheriting one.
        bool own = std::any_of(cls.assignments.begin(), cls.assignments.end(), [&](const model::AttributeAssignment &a) {
          return a.attr == b.attr && a.where == model::AttributeAssignment::Where::Init;
        });
        bool listed = std::any_of(out.begin(), out.end(),
                                  [&](const model::Inherited &i) { return i.cls == cls.name && i.attr == b.attr; });
        if (!own && !listed)
          out.push_back({cls.name, b.attr, b.rule, facts(e.key).name});
      }
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
      any = std::any_of(c.assignments.begin(), c.assignments.end(), providesPooled);
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
    if (e.known && e.key == provider)
      break;
    if (!e.known || std::find(ran.begin(), ran.end(), e.key) == ran.end())
      continue;
    const auto &calls = facts(e.key).initCalls;
    if (std::none_of(calls.begin(), calls.end(), [](const model::BaseInitCall &c) { return c.unconditional; }))
      breaker = facts(e.key).name;
  }
  return breaker;
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
        const model::ClassFacts *plausible = nullptr;
        const model::AttributeAssignment *plausibleAssign = nullptr;
        Key plausibleKey{0, 0};
        for (size_t i = 1; i < order.size() && !plausible; ++i) {
          if (!order[i].known)
            continue;
          for (const auto &b : facts(order[i].key).assignments) {
            if (b.attr != a.attr || b.where == model::AttributeAssignment::Where::ClassBody)
              continue;
            bool pooled = b.source == model::AttributeAssignment::Source::Pooled ||
                          (b.source == model::AttributeAssignment::Source::Site && b.outcome == Outcome::Rewritten);
            if (!plausibleAssign || pooled) {
              plausible = &facts(order[i].key);
              plausibleAssign = &b;
              plausibleKey = order[i].key;
              if (pooled)
                break;
            }
          }
        }
        if (!plausible)
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
        const model::ClassFacts *provider = nullptr;
        const model::AttributeAssignment *provided = nullptr;
        for (size_t i = 1; i < order.size() && !provider; ++i) {
          if (!order[i].known || std::find(ran.begin(), ran.end(), order[i].key) == ran.end())
            continue;
          for (const auto &b : facts(order[i].key).assignments) {
            bool pooled = b.source == model::AttributeAssignment::Source::Pooled ||
                          (b.source == model::AttributeAssignment::Source::Site && b.outcome == Outcome::Rewritten);
            if (b.attr == a.attr && b.rule == a.rule && pooled && b.unconditional &&
                b.where == model::AttributeAssignment::Where::Init) {
              provider = &facts(order[i].key);
              provided = &b;
              break;
            }
          }
        }
        if (!provider) {
          bool callsBase = std::any_of(cls.initCalls.begin(), cls.initCalls.end(),
                                       [](const model::BaseInitCall &c) { return c.unconditional; });
          if (cls.initCalls.empty())
            keep(fmt::format("{}.__init__ never calls the base __init__ ({} sets {})", cls.name, plausible->name,
                             a.attr));
          else if (!callsBase)
            keep(fmt::format("{}.__init__ calls the base __init__ only conditionally", cls.name));
          else if (!unknown.empty())
            keep(fmt::format("the base __init__ chain goes through {}, which poolify cannot see", unknown));
          else if (plausibleAssign->where != model::AttributeAssignment::Where::Init)
            keep(fmt::format("{} sets {} only after construction (in {}())", plausible->name, a.attr,
                             plausibleAssign->method));
          else if (!plausibleAssign->unconditional)
            keep(fmt::format("{} sets {} only conditionally", plausible->name, a.attr));
          else if (auto breaker = chainBreaker(order, ran, plausibleKey))
            keep(fmt::format("{}.__init__ never calls the base __init__ ({} sets {})", *breaker, plausible->name,
                             a.attr));
          else
            keep(fmt::format("{}'s {} is not a pooled {} client", plausible->name, a.attr, a.rule));
          continue;
        }
        uint32_t baseCall = UINT32_MAX;
        for (const auto &c : cls.initCalls)
          if (c.unconditional)
            baseCall = std::min(baseCall, c.start);
        bool beforeBase = baseCall != UINT32_MAX && a.start < baseCall;
        // The override may ask for nothing the inherited client lacks; one made before the base
        // __init__ runs is overwritten by it anyway.
        std::string extra;
        for (const auto &[k, v] : a.args)
          if (std::find(provided->args.begin(), provided->args.end(), std::make_pair(k, v)) == provided->args.end())
            extra += (extra.empty() ? "" : ", ") + k + "=" + v;
        if (!extra.empty() && !beforeBase) {
          keep(fmt::format("it asks for {}, which the client inherited from {} does not", extra, provider->name));
          continue;
        }
        // Before the base __init__ runs, the override may be what the code in between uses.
        if (beforeBase) {
          bool used = std::any_of(cls.initUses.begin(), cls.initUses.end(), [&](const auto &u) {
            return u.first == a.attr && u.second > a.end && u.second < baseCall;
          });
          if (used) {
            keep(fmt::format("{} is used before the base __init__ runs", a.attr));
            continue;
          }
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
