// Reads rule files with LLVM's YAML parser (node API, so every error has a line and column).
#include "rules/rule.h"

#include "config/yaml_keys.h"
#include "python/names.h"
#include "rules/embedded.h"
#include "source/file_io.h"
#include "support/text.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/YAMLParser.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <map>

namespace poolify::rules {

std::string ScopeCandidate::text() const { return kind == Kind::SelfAttribute ? "self." + name : name; }

namespace {

using llvm::yaml::MappingNode;
using llvm::yaml::Node;
using llvm::yaml::ScalarNode;
using llvm::yaml::SequenceNode;

class Reader {
public:
  Reader(std::string path, llvm::SourceMgr &sm) : path_(std::move(path)), sm_(sm) {}

  // First error wins; later ones are usually consequences.
  void error(const Node *n, const std::string &msg) {
    if (!error_.empty())
      return;
    auto lc = sm_.getLineAndColumn(n ? n->getSourceRange().Start : llvm::SMLoc());
    error_ = fmt::format("{}:{}:{}: error: {}", path_, lc.first, lc.second, msg);
  }
  bool failed() const { return !error_.empty(); }
  const std::string &message() const { return error_; }
  // The YAML parser's own diagnosis wins over what the reader made of the broken document.
  void setRawError(std::string e) {
    if (error_.empty() || !fromParser_)
      error_ = std::move(e);
    fromParser_ = true;
  }

  std::optional<std::string> scalar(Node *n, const char *what) {
    llvm::SmallString<64> storage;
    if (auto *s = llvm::dyn_cast_or_null<ScalarNode>(n))
      return s->getValue(storage).str();
    if (auto *b = llvm::dyn_cast_or_null<llvm::yaml::BlockScalarNode>(n))
      return b->getValue().str();
    error(n, fmt::format("{} must be a text value", what));
    return std::nullopt;
  }

  std::optional<bool> boolean(Node *n, const char *what) {
    auto v = scalar(n, what);
    if (!v)
      return std::nullopt;
    if (*v == "true" || *v == "yes")
      return true;
    if (*v == "false" || *v == "no")
      return false;
    error(n, fmt::format("{} must be true or false, not '{}'", what, *v));
    return std::nullopt;
  }

  // A list of text values; a single text value is accepted as a list of one. `check` gives the
  // reason an item is wrong (reported at the item's own position as "<what> '<item>' <reason>").
  using Check = std::function<std::optional<std::string>(const std::string &)>;
  std::vector<std::string> list(Node *n, const char *what, const Check &check = nullptr) {
    std::vector<std::string> out;
    auto take = [&](Node *item) {
      if (auto v = scalar(item, what)) {
        if (check)
          if (auto why = check(*v))
            error(item, fmt::format("{} '{}' {}", what, *v, *why));
        out.push_back(*v);
      }
    };
    if (llvm::isa_and_nonnull<ScalarNode>(n)) {
      take(n);
      return out;
    }
    auto *seq = llvm::dyn_cast_or_null<SequenceNode>(n);
    if (!seq) {
      error(n, fmt::format("{} must be a list of text values", what));
      return out;
    }
    for (Node &item : *seq)
      take(&item);
    return out;
  }

  // Every key of a mapping once: YAML readers disagree on which of two equal keys wins, so a
  // second one is an error (at the second, naming the line of the first).
  bool firstTime(std::map<std::string, Node *> &seen, const std::string &k, llvm::yaml::KeyValueNode &kv) {
    unsigned first = config::repeatedKeyLine(seen, k, kv, sm_);
    if (first)
      error(kv.getKey(), fmt::format("duplicate key '{}' (first at line {})", k, first));
    return first == 0;
  }

  // Names the rewrite prints (or the call must spell) must be names Python accepts.
  static std::optional<std::string> dottedName(const std::string &s) {
    if (auto why = py::badDottedName(s))
      return "is not a dotted Python name (like google.cloud.bigquery.Client): it " + *why;
    return std::nullopt;
  }
  static std::optional<std::string> pythonName(const std::string &s) { return py::badName(s); }
  static std::optional<std::string> nonEmpty(const std::string &s) {
    if (s.empty())
      return std::string("is empty: a trigger is a word a file must contain for the rule to matter");
    return std::nullopt;
  }
  void checkName(Node *at, const std::string &what, const std::string &value,
                 std::optional<std::string> (*check)(const std::string &)) {
    if (auto why = check(value))
      error(at, fmt::format("{} '{}' {}", what, value, *why));
  }

  std::string key(llvm::yaml::KeyValueNode &kv) {
    auto k = scalar(kv.getKey(), "a key");
    return k ? *k : std::string();
  }

  // The template's path, relative to the rule file's folder (`<embedded>/templates/x.py` for the
  // rules compiled in). Whether it is there is `pools init`'s to say: a rule copied elsewhere to be
  // adapted is valid without its template.
  std::string templatePath(Node *at, const std::string &relative) {
    if (relative.empty() || llvm::sys::path::is_absolute(relative))
      error(at, "template must be a path relative to the rule file");
    llvm::SmallString<256> p(llvm::sys::path::parent_path(path_));
    llvm::sys::path::append(p, relative);
    return std::string(p);
  }

  Rule rule(Node *root) {
    Rule r;
    r.file = path_;
    auto *map = llvm::dyn_cast_or_null<MappingNode>(root);
    if (!map) {
      error(root, "a rule file holds one mapping (id, description, triggers, rewrites, ...)");
      return r;
    }
    bool sawRewrites = false;
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      std::string k = key(kv);
      Node *v = kv.getValue();
      if (!firstTime(seen, k, kv))
        continue;
      sawRewrites = sawRewrites || k == "rewrites";
      ruleKey(r, k, v, kv);
    }
    requireRuleKeys(root, r, sawRewrites);
    addImpliedNames(r);
    return r;
  }

  Rewrite rewrite(Node *n) {
    Rewrite rw;
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      error(n, "each rewrite must be a mapping with match, replace and arguments");
      return rw;
    }
    bool sawReplace = false;
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      std::string k = key(kv);
      Node *v = kv.getValue();
      if (!firstTime(seen, k, kv))
        continue;
      sawReplace = sawReplace || k == "replace";
      rewriteKey(rw, k, v, kv);
    }
    if (!failed() && rw.match.empty())
      error(n, "a rewrite needs 'match': the qualified callables it rewrites");
    if (!failed() && !sawReplace)
      error(n, "a rewrite needs 'replace'");
    if (!failed() && rw.unsafe && rw.note.empty())
      error(n, "an unsafe rewrite needs a 'note' saying what may behave differently");
    return rw;
  }

  ArgumentMap argument(Node *n) {
    ArgumentMap a;
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      error(n, "each argument must be a mapping (from, to, position, required, infer, when_missing, when_none)");
      return a;
    }
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      std::string k = key(kv);
      Node *v = kv.getValue();
      if (!firstTime(seen, k, kv))
        continue;
      if (k == "from" || k == "to" || k == "missing_message") {
        auto s = scalar(v, k.c_str());
        if (!s)
          continue;
        if (k != "missing_message") // keywords: `to` is printed (`to=...`), `from` must be one to match
          checkName(v, k, *s, pythonName);
        (k == "from" ? a.from : k == "to" ? a.to : a.missingMessage) = *s;
      } else if (k == "position") {
        auto s = scalar(v, "position");
        unsigned p = 0;
        if (s && (llvm::StringRef(*s).getAsInteger(10, p) || p == 0))
          error(v, fmt::format("position must be a whole number from 1 (the first positional argument), not '{}'", *s));
        a.position = p;
      } else if (k == "required") {
        if (auto b = boolean(v, "required"))
          a.required = *b;
      } else if (k == "when_missing") {
        auto s = scalar(v, "when_missing");
        if (s && *s != "leave" && *s != "omit")
          error(v, fmt::format("when_missing must be 'leave' or 'omit', not '{}'", *s));
        a.omitWhenMissing = s && *s == "omit";
      } else if (k == "when_none") {
        auto s = scalar(v, "when_none");
        if (s && *s != "default" && *s != "leave")
          error(v, fmt::format("when_none must be 'default' or 'leave', not '{}'", *s));
        a.noneIsDefault = !(s && *s == "leave");
      } else if (k == "infer") {
        auto *seq = llvm::dyn_cast_or_null<SequenceNode>(v);
        if (!seq) {
          error(v, "infer must be a list like [param project_id, self.project_id, global PROJECT_ID]");
          continue;
        }
        for (Node &item : *seq) {
          auto s = scalar(&item, "an infer entry");
          if (!s)
            continue;
          if (auto c = candidate(*s)) {
            checkName(&item, "the name in infer entry", c->name, pythonName); // printed: `to=NAME`
            a.infer.push_back(*c);
          } else
            error(&item, fmt::format("infer entry '{}' must be 'param NAME', 'local NAME', 'self.NAME' or "
                                     "'global NAME'",
                                     *s));
        }
      } else {
        error(kv.getKey(), fmt::format("unknown key '{}' in an argument (expected from, to, position, required, "
                                       "infer, when_missing, when_none, missing_message)",
                                       k));
      }
    }
    if (!failed() && a.from.empty())
      error(n, "an argument needs 'from': the keyword of the direct call");
    if (a.to.empty())
      a.to = a.from;
    if (a.missingMessage.empty())
      a.missingMessage = fmt::format("no {} in scope", a.to);
    return a;
  }

  static std::optional<ScopeCandidate> candidate(const std::string &s) {
    using K = ScopeCandidate::Kind;
    auto word = [&](const char *prefix, K kind) -> std::optional<ScopeCandidate> {
      llvm::StringRef r(s);
      if (!r.consume_front(prefix))
        return std::nullopt;
      r = r.trim();
      if (!isIdentifier(r))
        return std::nullopt;
      return ScopeCandidate{kind, r.str()};
    };
    if (auto c = word("self.", K::SelfAttribute))
      return c;
    if (auto c = word("param ", K::Parameter))
      return c;
    if (auto c = word("local ", K::Local))
      return c;
    if (auto c = word("global ", K::Global))
      return c;
    return std::nullopt;
  }

  Example example(Node *n) {
    Example e;
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      error(n, "each example must be a mapping with name, before and after (or unchanged: true)");
      return e;
    }
    bool unchanged = false, sawAfter = false;
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      std::string k = key(kv);
      Node *v = kv.getValue();
      if (!firstTime(seen, k, kv))
        continue;
      if (k == "name") {
        if (auto s = scalar(v, "name"))
          e.name = *s;
      } else if (k == "before") {
        if (auto s = scalar(v, "before"))
          e.before = *s;
      } else if (k == "after") {
        sawAfter = true;
        if (auto s = scalar(v, "after"))
          e.after = *s;
      } else if (k == "unchanged") {
        if (auto b = boolean(v, "unchanged"))
          unchanged = *b;
      } else if (k == "unsafe_fixes") {
        if (auto b = boolean(v, "unsafe_fixes"))
          e.unsafeFixes = *b;
      } else {
        error(kv.getKey(),
              fmt::format("unknown key '{}' in an example (expected name, before, after, unchanged, unsafe_fixes)", k));
      }
    }
    if (unchanged)
      e.after = e.before;
    else if (!failed() && !sawAfter)
      error(n, "an example needs 'after' (or 'unchanged: true' for code that must stay)");
    return e;
  }

private:
  // One key of a rule's mapping: `k` its name, `v` its value.
  void ruleKey(Rule &r, const std::string &k, Node *v, llvm::yaml::KeyValueNode &kv) {
    if (k == "id") {
      if (auto s = scalar(v, "id")) {
        r.id = *s;
        if (r.id.empty() || r.id.find_first_of(" \t:[]") != std::string::npos)
          error(v, "id must be a non-empty word without spaces, ':' or brackets");
      }
    } else if (k == "description") {
      if (auto s = scalar(v, "description"))
        r.description = *s;
    } else if (k == "triggers") {
      r.triggers = list(v, "triggers", nonEmpty);
    } else if (k == "pooled") {
      r.pooled = list(v, "pooled", dottedName);
    } else if (k == "rewrites") {
      r.rewrites = listOf(v, "rewrites", &Reader::rewrite);
    } else if (k == "template") {
      if (auto t = scalar(v, "template"))
        r.templatePath = templatePath(v, *t);
    } else if (k == "examples") {
      r.examples = listOf(v, "examples", &Reader::example);
    } else {
      error(kv.getKey(), fmt::format("unknown key '{}' (expected id, description, triggers, pooled, "
                                     "rewrites, template, examples)",
                                     k));
    }
  }

  // A list of `what` (rewrites, examples), each item read by `item`.
  template <typename T> std::vector<T> listOf(Node *v, const char *what, T (Reader::*item)(Node *)) {
    std::vector<T> out;
    auto *seq = llvm::dyn_cast_or_null<SequenceNode>(v);
    if (!seq) {
      error(v, fmt::format("{} must be a list", what));
      return out;
    }
    for (Node &n : *seq)
      out.push_back((this->*item)(&n));
    return out;
  }

  void requireRuleKeys(Node *root, const Rule &r, bool sawRewrites) {
    if (!failed() && r.id.empty())
      error(root, "missing 'id'");
    if (!failed() && !sawRewrites)
      error(root, "missing 'rewrites'");
    if (!failed() && r.triggers.empty())
      error(root, "missing 'triggers': the words a file must contain for this rule to matter");
  }

  // The names a rule implies besides those it lists: triggers for its pool modules, pooled entries
  // for its replacements, and the last component of every callable it matches or pools.
  static void addImpliedNames(Rule &r) {
    // Files that only use the pool name its module (`from shared.clients.http_pool import get`):
    // they must pass the prefilter too, so pooled calls are counted.
    for (const auto &rw : r.rewrites) {
      std::string last = rw.replace.module.substr(rw.replace.module.rfind('.') + 1);
      if (!last.empty() && std::find(r.triggers.begin(), r.triggers.end(), last) == r.triggers.end())
        r.triggers.push_back(last);
    }
    for (const auto &rw : r.rewrites)
      if (std::find(r.pooled.begin(), r.pooled.end(), rw.replace.module + "." + rw.replace.function) == r.pooled.end())
        r.pooled.push_back(rw.replace.module + "." + rw.replace.function);
    auto addName = [&](const std::string &callable) {
      std::string last = callable.substr(callable.rfind('.') + 1);
      if (!last.empty() && std::find(r.callableNames.begin(), r.callableNames.end(), last) == r.callableNames.end())
        r.callableNames.push_back(last);
    };
    for (const auto &rw : r.rewrites)
      for (const auto &m : rw.match)
        addName(m);
    for (const auto &p : r.pooled)
      addName(p);
  }

  // One key of a rewrite's mapping: `k` its name, `v` its value.
  void rewriteKey(Rewrite &rw, const std::string &k, Node *v, llvm::yaml::KeyValueNode &kv) {
    if (k == "match") {
      rw.match = list(v, "match", dottedName);
    } else if (k == "replace") {
      replacement(v, rw.replace);
    } else if (k == "arguments") {
      arguments(v, rw);
    } else if (k == "configured_message") {
      if (auto m = scalar(v, "configured_message"))
        rw.configuredMessage = *m;
    } else if (k == "leave_if_configured") {
      rw.leaveIfConfigured = list(v, "leave_if_configured");
    } else if (k == "leave_closed") {
      if (auto b = boolean(v, "leave_closed"))
        rw.leaveClosed = *b;
    } else if (k == "safety") {
      if (auto s = scalar(v, "safety")) {
        if (*s != "safe" && *s != "unsafe")
          error(v, fmt::format("safety must be 'safe' or 'unsafe', not '{}'", *s));
        rw.unsafe = *s == "unsafe";
      }
    } else if (k == "note") {
      if (auto n = scalar(v, "note"))
        rw.note = *n;
    } else {
      error(kv.getKey(), fmt::format("unknown key '{}' in a rewrite (expected match, replace, arguments, leave_closed, "
                                     "leave_if_configured, configured_message, safety, note)",
                                     k));
    }
  }

  // A rewrite's `replace` mapping (module, function, attribute) into `out`.
  void replacement(Node *v, Replacement &out) {
    auto *rm = llvm::dyn_cast_or_null<MappingNode>(v);
    if (!rm) {
      error(v, "replace must be a mapping with module and function");
      return;
    }
    std::map<std::string, Node *> seenInReplace;
    for (auto &rkv : *rm) {
      std::string rk = key(rkv);
      if (!firstTime(seenInReplace, rk, rkv))
        continue;
      auto val = scalar(rkv.getValue(), rk.c_str());
      if (!val)
        continue;
      // The rewrite prints all three: `from MODULE import FUNCTION`, `FUNCTION().ATTRIBUTE(...)`.
      if (rk == "module") {
        out.module = *val;
        checkName(rkv.getValue(), "module", *val, dottedName);
      } else if (rk == "attribute") {
        out.attribute = *val;
        checkName(rkv.getValue(), "attribute", *val, pythonName);
      } else if (rk == "function") {
        out.function = *val;
        checkName(rkv.getValue(), "function", *val, pythonName);
      } else {
        error(rkv.getKey(), fmt::format("unknown key '{}' in replace (expected module, function, attribute)", rk));
      }
    }
    if (!failed() && (out.module.empty() || out.function.empty()))
      error(v, "replace needs both module and function");
  }

  // A rewrite's `arguments`: a list of argument mappings, or `pass` to keep every argument.
  void arguments(Node *v, Rewrite &rw) {
    if (auto *sc = llvm::dyn_cast_or_null<ScalarNode>(v)) {
      llvm::SmallString<16> storage;
      if (sc->getValue(storage) == "pass")
        rw.passThrough = true;
      else
        error(v, "arguments must be a list of argument mappings, or 'pass' to keep every argument");
      return;
    }
    auto *seq = llvm::dyn_cast_or_null<SequenceNode>(v);
    if (!seq) {
      error(v, "arguments must be a list of argument mappings, or 'pass' to keep every argument");
      return;
    }
    for (Node &item : *seq)
      rw.arguments.push_back(argument(&item));
  }

  std::string path_;
  llvm::SourceMgr &sm_;
  std::string error_;
  bool fromParser_ = false;
};

} // namespace

llvm::Expected<Rule> loadRuleFile(const std::string &path) {
  std::unique_ptr<llvm::MemoryBuffer> buf;
  if (isEmbeddedPath(path)) { // <embedded>/NAME, from the binary
    auto embedded = readRuleSource(path);
    if (!embedded)
      return llvm::createStringError(embedded.getError(), "%s: error: cannot read rule file: %s", path.c_str(),
                                     embedded.getError().message().c_str());
    buf = std::move(*embedded);
  } else {
    // Nothing of a file that is not a rule file is read, nor echoed in an error (a poolify.yaml that
    // names /etc/shadow as its rules).
    auto text = source::readYamlFile(path, "rule file");
    if (!text)
      return text.takeError();
    buf = llvm::MemoryBuffer::getMemBufferCopy(*text, path);
  }
  llvm::SourceMgr sm;
  Reader reader(path, sm);
  sm.setDiagHandler(
      [](const llvm::SMDiagnostic &d, void *ctx) {
        auto *r = static_cast<Reader *>(ctx);
        r->setRawError(fmt::format("{}:{}:{}: error: {}", d.getFilename().str(), d.getLineNo(), d.getColumnNo() + 1,
                                   d.getMessage().str()));
      },
      &reader);
  llvm::MemoryBufferRef ref(buf->getBuffer(), path);
  llvm::yaml::Stream stream(ref, sm);
  Rule rule;
  int docs = 0;
  for (auto &doc : stream) {
    if (++docs > 1) {
      reader.error(doc.getRoot(), "a rule file holds exactly one rule (one YAML document)");
      break;
    }
    Node *root = doc.getRoot();
    if (reader.failed())
      break;
    rule = reader.rule(root);
  }
  if (!reader.failed() && docs == 0)
    reader.setRawError(path + ":1:1: error: the rule file is empty");
  if (reader.failed())
    return llvm::createStringError(std::errc::invalid_argument, "%s", reader.message().c_str());
  return rule;
}

namespace {

// `name` under package `from` ("from.x...") named under `to` instead; other names as they are.
std::string moved(const std::string &name, std::string_view from, const std::string &to) {
  if (name.size() <= from.size() || name.compare(0, from.size(), from) != 0 || name[from.size()] != '.')
    return name;
  return to + name.substr(from.size());
}

// Every mention of "from.<identifier>" in prose, as a whole dotted name, named under `to`.
std::string movedInText(const std::string &text, std::string_view from, const std::string &to) {
  std::string out;
  size_t at = 0;
  for (size_t hit; (hit = text.find(std::string(from) + ".", at)) != std::string::npos; at = hit + from.size()) {
    bool startsName = hit == 0 || !(std::isalnum(static_cast<unsigned char>(text[hit - 1])) || text[hit - 1] == '_' ||
                                    text[hit - 1] == '.');
    out.append(text, at, hit - at);
    out += startsName ? to : std::string(from);
  }
  return out.append(text, at, std::string::npos);
}

} // namespace

void movePoolPackage(Rule &rule, std::string_view from, const std::string &to) {
  for (auto &rw : rule.rewrites)
    rw.replace.module = moved(rw.replace.module, from, to);
  for (auto &p : rule.pooled)
    p = moved(p, from, to);
  rule.description = movedInText(rule.description, from, to);
}

llvm::Expected<std::vector<Rule>> loadRules(const std::vector<std::string> &paths) {
  std::vector<std::string> files;
  for (const auto &p : paths) {
    if (p == kEmbeddedDir) { // the rule files compiled into the binary
      for (const auto &f : embeddedRuleFiles())
        files.push_back(fmt::format("{}/{}", kEmbeddedDir, f.name));
    } else if (llvm::sys::fs::is_directory(p)) {
      std::error_code ec;
      std::vector<std::string> found;
      for (llvm::sys::fs::directory_iterator it(p, ec), e; it != e && !ec; it.increment(ec)) {
        llvm::StringRef name = llvm::sys::path::filename(it->path());
        if ((name.endswith(".yaml") || name.endswith(".yml")) && !name.startswith("."))
          found.push_back(it->path());
      }
      if (ec)
        return llvm::createStringError(ec, "%s: error: cannot list rules folder: %s", p.c_str(), ec.message().c_str());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (llvm::sys::fs::exists(p) || isEmbeddedPath(p)) {
      files.push_back(p);
    } else {
      return llvm::createStringError(std::errc::no_such_file_or_directory, "%s: error: no such rule file or folder",
                                     p.c_str());
    }
  }
  std::vector<Rule> rules;
  std::string errors;
  for (const auto &f : files) {
    auto r = loadRuleFile(f);
    if (!r) {
      if (!errors.empty())
        errors += "\n";
      errors += llvm::toString(r.takeError());
      continue;
    }
    for (const auto &existing : rules)
      if (existing.id == r->id) {
        if (!errors.empty())
          errors += "\n";
        errors += fmt::format("{}:1:1: error: rule id '{}' is already defined in {}", f, r->id, existing.file);
      }
    rules.push_back(std::move(*r));
  }
  if (!errors.empty())
    return llvm::createStringError(std::errc::invalid_argument, "%s", errors.c_str());
  return rules;
}

std::string defaultRulesDir(const char *argv0) {
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, reinterpret_cast<void *>(&defaultRulesDir));
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(exe));
  // The binary in the build tree it was built in: the source folder's rules (edits show at once).
  bool inBuildTree = false;
  if (!llvm::sys::fs::equivalent(dir, POOLIFY_BUILD_DIR, inBuildTree) && inBuildTree &&
      llvm::sys::fs::is_directory(POOLIFY_SOURCE_RULES_DIR))
    return POOLIFY_SOURCE_RULES_DIR;
  // Anywhere else (installed, copied, unpacked from a release; the build tree moved): the rules
  // compiled into the binary.
  return std::string(kEmbeddedDir);
}

} // namespace poolify::rules
