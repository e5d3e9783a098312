#include "config/config.h"

#include "config/yaml_keys.h"
#include "python/names.h"
#include "source/discover.h"
#include "source/file_io.h"
#include "support/text.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/YAMLParser.h>

#include <fmt/format.h>

#include <map>
#include <tuple>

namespace poolify::config {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;
using llvm::yaml::MappingNode;
using llvm::yaml::Node;
using llvm::yaml::ScalarNode;
using llvm::yaml::SequenceNode;

namespace {

bool matchSegment(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, starP = std::string_view::npos, starS = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '[') {
      size_t close = p.find(']', pi + 1);
      if (close != std::string_view::npos) {
        std::string_view set = p.substr(pi + 1, close - pi - 1);
        bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
        if (negate)
          set.remove_prefix(1);
        bool in = false;
        for (size_t k = 0; k < set.size(); ++k) {
          if (k + 2 < set.size() && set[k + 1] == '-') {
            in = in || (s[si] >= set[k] && s[si] <= set[k + 2]);
            k += 2;
          } else {
            in = in || s[si] == set[k];
          }
        }
        if (in != negate) {
          pi = close + 1;
          ++si;
          continue;
        }
      }
    } else if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
      continue;
    } else if (pi < p.size() && p[pi] == '*') {
      starP = pi++;
      starS = si;
      continue;
    }
    if (starP == std::string_view::npos)
      return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

std::vector<std::string_view> segments(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos)
      j = s.size();
    if (j > i)
      out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool matchSegments(const std::vector<std::string_view> &p, size_t pi, const std::vector<std::string_view> &s,
                   size_t si) {
  if (pi == p.size())
    return si == s.size();
  if (p[pi] == "**") {
    for (size_t k = si; k <= s.size(); ++k)
      if (matchSegments(p, pi + 1, s, k))
        return true;
    return false;
  }
  return si < s.size() && matchSegment(p[pi], s[si]) && matchSegments(p, pi + 1, s, si + 1);
}

} // namespace

bool globMatch(std::string_view pattern, std::string_view path) {
  if (pattern.rfind("./", 0) == 0)
    pattern.remove_prefix(2);
  auto s = segments(path);
  if (pattern.find('/') == std::string_view::npos)
    return !s.empty() && matchSegment(pattern, s.back());
  std::string p(pattern);
  if (!p.empty() && p.back() == '/')
    p += "**"; // a folder: everything below it
  return matchSegments(segments(p), 0, s, 0);
}

std::optional<std::string> globProblem(std::string_view pattern) {
  if (pattern.empty())
    return std::string("is empty, so it matches nothing");
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '[')
      continue;
    size_t close = pattern.find(']', i + 1);
    if (close == std::string_view::npos)
      return fmt::format("has a '[' (column {} of the glob) without its closing ']', so it matches nothing", i + 1);
    std::string_view set = pattern.substr(i + 1, close - i - 1);
    if (!set.empty() && (set[0] == '!' || set[0] == '^'))
      set.remove_prefix(1);
    if (set.empty())
      return fmt::format("has an empty character class '{}', so it matches nothing", pattern.substr(i, close - i + 1));
    for (size_t k = 0; k + 2 < set.size(); ++k)
      if (set[k + 1] == '-' && set[k] > set[k + 2])
        return fmt::format("has a range '{}' that holds no character", set.substr(k, 3));
    i = close;
  }
  return std::nullopt;
}

std::string Config::categoryOf(const std::string &rel) const {
  for (const auto &c : categories)
    for (const auto &g : c.globs)
      if (globMatch(g, rel))
        return c.name;
  return "other";
}

bool Config::excluded(const std::string &rel) const {
  for (const auto &g : exclude)
    if (globMatch(g, rel))
      return true;
  return false;
}

std::optional<std::string> Config::relative(const std::string &p) const {
  std::string a = source::lexicalAbsolute(p);
  if (dir.empty())
    return a;
  if (a == dir)
    return std::string();
  if (a.size() > dir.size() && a.compare(0, dir.size(), dir) == 0 && a[dir.size()] == '/')
    return a.substr(dir.size() + 1);
  return std::nullopt;
}

std::string Config::modulePath(const model::SourceFile &f) const {
  if (sourceRoots.empty())
    return f.display();
  auto rel = relative(f.path);
  if (!rel)
    return f.display();
  for (std::string root : sourceRoots) {
    while (!root.empty() && root.back() == '/')
      root.pop_back();
    if (root.empty() || root == ".")
      return *rel;
    if (rel->size() > root.size() && rel->compare(0, root.size(), root) == 0 && (*rel)[root.size()] == '/')
      return rel->substr(root.size() + 1);
  }
  return f.display();
}

std::optional<std::string> findConfig(const std::string &start) {
  llvm::SmallString<256> dir(source::lexicalAbsolute(start));
  if (!fs::is_directory(dir))
    dir = std::string(path::parent_path(dir)); // a copy: assigning a SmallString a view of itself is UB
  for (llvm::StringRef d = dir; !d.empty(); d = path::parent_path(d)) {
    for (const char *name : {"poolify.yaml", ".poolify.yaml"}) {
      llvm::SmallString<256> candidate(d);
      path::append(candidate, name);
      if (fs::is_regular_file(candidate))
        return std::string(candidate);
    }
    if (d == path::root_path(d))
      break;
  }
  return std::nullopt;
}

namespace {

class Reader {
public:
  Reader(std::string file, llvm::SourceMgr &sm) : file_(std::move(file)), sm_(sm) {}
  std::string error;
  bool fromParser = false;

  void fail(const Node *n, const std::string &msg) {
    if (!error.empty())
      return;
    auto lc = sm_.getLineAndColumn(n ? n->getSourceRange().Start : llvm::SMLoc());
    error = fmt::format("{}:{}:{}: error: {}", file_, lc.first, lc.second, msg);
  }

  std::optional<std::string> scalar(Node *n, const std::string &what) {
    llvm::SmallString<64> storage;
    if (auto *s = llvm::dyn_cast_or_null<ScalarNode>(n))
      return s->getValue(storage).str();
    fail(n, what + " must be a text value");
    return std::nullopt;
  }

  // A list of text values (a single value is a list of one); with `globs`, each must be a glob
  // that can match (an unclosed '[' matched nothing, silently).
  std::vector<std::string> list(Node *n, const std::string &what, bool globs = false) {
    std::vector<std::string> out;
    auto take = [&](Node *item) {
      if (auto v = scalar(item, what)) {
        if (globs)
          if (auto why = globProblem(*v))
            fail(item, fmt::format("{}: the glob '{}' {}", what, *v, *why));
        out.push_back(*v);
      }
    };
    if (llvm::isa_and_nonnull<ScalarNode>(n)) {
      take(n);
      return out;
    }
    auto *seq = llvm::dyn_cast_or_null<SequenceNode>(n);
    if (!seq) {
      fail(n, what + " must be a list of text values");
      return out;
    }
    for (Node &item : *seq)
      take(&item);
    return out;
  }

  // Why `value` cannot be the package of pool modules the rewrites import ("" after the usual
  // message when it is not dotted at all; ": it has a part 'import' that is a Python keyword"), or
  // nullopt when Python accepts it.
  static std::optional<std::string> badPackage(const std::string &value) {
    if (!isDottedName(value))
      return std::string();
    if (auto why = py::badDottedName(value))
      return ": it " + *why;
    return std::nullopt;
  }

  // pools: {by_rule: {http: acme.web.clients}}: rule id -> the package of that rule's pool modules.
  void poolsByRule(Node *n, Config &c) {
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      fail(n, "pools.by_rule must be a mapping of rule ids to packages ({http: acme.web.clients})");
      return;
    }
    for (auto &kv : *map) {
      auto id = scalar(kv.getKey(), "a rule id of pools.by_rule");
      auto value = id ? scalar(kv.getValue(), "pools.by_rule." + *id) : std::nullopt;
      if (!value)
        continue;
      if (auto why = badPackage(*value))
        fail(kv.getValue(),
             fmt::format("pools.by_rule.{} must be a dotted module name (a.b.c), not '{}'{}", *id, *value, *why));
      else if (!c.rulePoolPackages.emplace(*id, *value).second)
        fail(kv.getKey(), fmt::format("duplicate key '{}' in pools.by_rule", *id));
    }
  }

  // pools: {package: acme.platform.clients, by_rule: {...}, installed: true}
  void pools(Node *n, Config &c) {
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      fail(n, "pools must be a mapping (package, by_rule, installed)");
      return;
    }
    for (auto &kv : *map) {
      auto key = scalar(kv.getKey(), "a key of pools");
      if (!key)
        continue;
      if (*key == "by_rule") {
        poolsByRule(kv.getValue(), c);
        continue;
      }
      auto value = scalar(kv.getValue(), "pools." + *key);
      if (!value)
        continue;
      if (*key == "package") {
        if (auto why = badPackage(*value))
          fail(kv.getValue(),
               fmt::format("pools.package must be a dotted module name (a.b.c), not '{}'{}", *value, *why));
        c.poolPackage = *value;
      } else if (*key == "installed") {
        if (*value != "true" && *value != "false")
          fail(kv.getValue(), "pools.installed must be true or false");
        c.poolsInstalled = *value == "true";
      } else {
        fail(kv.getKey(), fmt::format("unknown key '{}' in pools (expected package, by_rule, installed)", *key));
      }
    }
  }

  // Every key of a mapping once: YAML readers disagree on which of two equal keys wins.
  bool firstTime(std::map<std::string, Node *> &seen, const std::string &k, llvm::yaml::KeyValueNode &kv) {
    unsigned first = config::repeatedKeyLine(seen, k, kv, sm_);
    if (first)
      fail(kv.getKey(), fmt::format("duplicate key '{}' (first at line {})", k, first));
    return first == 0;
  }

  void read(Node *root, Config &c) {
    if (llvm::isa_and_nonnull<llvm::yaml::NullNode>(root))
      return; // an empty file is a valid, empty configuration
    auto *map = llvm::dyn_cast_or_null<MappingNode>(root);
    if (!map) {
      fail(root, "the configuration must be a mapping (categories, batches, exclude, rules, only_rules, "
                 "source_roots, units, pools)");
      return;
    }
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      auto key = scalar(kv.getKey(), "a key");
      if (!key)
        return;
      if (!firstTime(seen, *key, kv))
        continue;
      Node *v = kv.getValue();
      if (*key == "exclude") {
        c.exclude = list(v, "exclude", /*globs=*/true);
      } else if (*key == "rules") {
        c.rules = list(v, "rules");
      } else if (*key == "only_rules") {
        c.ruleIds = list(v, "only_rules");
      } else if (*key == "source_roots") {
        c.sourceRoots = list(v, "source_roots");
      } else if (*key == "units") {
        c.units = list(v, "units", /*globs=*/true);
      } else if (*key == "pools") {
        pools(v, c);
      } else if (*key == "categories") {
        auto *cats = llvm::dyn_cast_or_null<MappingNode>(v);
        if (!cats) {
          fail(v, "categories must map a category name to its path globs");
          continue;
        }
        std::map<std::string, Node *> seenCategories;
        for (auto &ckv : *cats) {
          auto name = scalar(ckv.getKey(), "a category name");
          if (!name || !firstTime(seenCategories, *name, ckv))
            continue;
          if (*name == "other")
            fail(ckv.getKey(), "'other' is the category of files no glob matches; choose another name");
          c.categories.push_back({*name, list(ckv.getValue(), "category " + *name, /*globs=*/true)});
        }
      } else if (*key == "batches") {
        auto *seq = llvm::dyn_cast_or_null<SequenceNode>(v);
        if (!seq) {
          fail(v, "batches must be a list of {name, categories, globs}");
          continue;
        }
        for (Node &item : *seq)
          batch(&item, c);
      } else {
        fail(kv.getKey(), fmt::format("unknown key '{}' (expected categories, batches, exclude, rules, only_rules, "
                                      "source_roots, units, pools)",
                                      *key));
      }
    }
    for (const auto &entry : batchCategories_) {
      const auto &[batch, cat, where] = entry;
      const std::string &name = cat;
      if (name != "other" &&
          std::none_of(c.categories.begin(), c.categories.end(), [&](const Category &x) { return x.name == name; }))
        fail(where, fmt::format("batch '{}' names unknown category '{}' (categories: {})", c.batches[batch].name, name,
                                categoryNames(c)));
    }
  }

  static std::string categoryNames(const Config &c) {
    std::string names;
    for (const auto &x : c.categories)
      names += (names.empty() ? "" : ", ") + x.name;
    return names.empty() ? "none defined" : names + ", other";
  }

  void batch(Node *n, Config &c) {
    auto *map = llvm::dyn_cast_or_null<MappingNode>(n);
    if (!map) {
      fail(n, "each batch must be a mapping with name, and categories and/or globs");
      return;
    }
    Batch b;
    std::map<std::string, Node *> seen;
    for (auto &kv : *map) {
      auto key = scalar(kv.getKey(), "a key");
      if (!key)
        return;
      if (!firstTime(seen, *key, kv))
        continue;
      if (*key == "name") {
        if (auto s = scalar(kv.getValue(), "name"))
          b.name = *s;
      } else if (*key == "categories") {
        // Remember where each name stands, to point at an unknown one once all categories are read.
        // (YAML nodes are read once: collect and locate in one pass.)
        Node *v = kv.getValue();
        if (auto *seq = llvm::dyn_cast_or_null<SequenceNode>(v)) {
          for (Node &item : *seq)
            if (auto name = scalar(&item, "categories")) {
              b.categories.push_back(*name);
              batchCategories_.push_back({c.batches.size(), *name, &item});
            }
        } else if (auto name = scalar(v, "categories")) {
          b.categories.push_back(*name);
          batchCategories_.push_back({c.batches.size(), *name, v});
        }
      } else if (*key == "globs") {
        b.globs = list(kv.getValue(), "globs", /*globs=*/true);
      } else {
        fail(kv.getKey(), fmt::format("unknown key '{}' in a batch (expected name, categories, globs)", *key));
      }
    }
    if (b.name.empty())
      fail(n, "a batch needs a name");
    c.batches.push_back(std::move(b));
  }

private:
  std::string file_;
  llvm::SourceMgr &sm_;
  std::vector<std::tuple<size_t, std::string, Node *>> batchCategories_; // batch index, category, where
};

} // namespace

llvm::Expected<Config> loadConfig(const std::string &file) {
  // Nothing of a file that is not a configuration file is read, nor echoed in an error.
  auto text = source::readYamlFile(file, "configuration file");
  if (!text)
    return text.takeError();
  auto buf = llvm::MemoryBuffer::getMemBuffer(*text, file, /*RequiresNullTerminator=*/false);
  Config c;
  llvm::SmallString<256> abs(source::lexicalAbsolute(file));
  c.file = std::string(abs);
  c.dir = std::string(path::parent_path(abs));
  llvm::SourceMgr sm;
  Reader r(file, sm);
  sm.setDiagHandler(
      [](const llvm::SMDiagnostic &d, void *ctx) {
        auto *rd = static_cast<Reader *>(ctx);
        // The YAML parser's own diagnosis wins over what the reader made of the broken document.
        if (rd->error.empty() || !rd->fromParser)
          rd->error = fmt::format("{}:{}:{}: error: {}", d.getFilename().str(), d.getLineNo(), d.getColumnNo() + 1,
                                  d.getMessage().str());
        rd->fromParser = true;
      },
      &r);
  llvm::yaml::Stream stream(llvm::MemoryBufferRef(buf->getBuffer(), file), sm);
  for (auto &doc : stream) {
    Node *root = doc.getRoot();
    if (!r.error.empty())
      break;
    r.read(root, c);
    break;
  }
  if (!r.error.empty())
    return llvm::createStringError(std::errc::invalid_argument, "%s", r.error.c_str());
  for (auto &p : c.rules) {
    if (!path::is_absolute(p)) {
      llvm::SmallString<256> full(c.dir);
      path::append(full, p);
      p = std::string(full);
    }
  }
  return c;
}

} // namespace poolify::config
