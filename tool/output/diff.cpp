#include "output/diff.h"

#include <fmt/format.h>

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace poolify::output {

namespace {

std::vector<std::string_view> splitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t nl = s.find('\n', i);
    size_t e = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

enum class Op { Keep, Del, Add };

using Lines = std::vector<std::string_view>;

// Myers' O(ND) shortest edit script of a[alo, ahi) into b[blo, bhi), appended to `ops`. Each step
// d keeps only the diagonals it reached (-d..d), so memory is O(D^2), not O(D (N+M)); and when the
// work would pass kMaxWork (a large gap with no common line to anchor on) the gap is given as
// deleted then added: a correct diff, if not the shortest.
void myers(const Lines &a, size_t alo, size_t ahi, const Lines &b, size_t blo, size_t bhi, std::vector<Op> &ops) {
  const long n = static_cast<long>(ahi - alo), m = static_cast<long>(bhi - blo);
  constexpr long kMaxWork = 20'000'000;
  const long maxD = std::min(n + m, std::max(1L, kMaxWork / std::max(1L, n + m)));
  std::vector<std::vector<long>> trace; // trace[d][k + d] = furthest x on diagonal k after d steps
  std::vector<long> prev;
  long found = -1;
  for (long d = 0; d <= maxD && found < 0; ++d) {
    std::vector<long> v(2 * d + 1);
    for (long k = -d; k <= d; k += 2) {
      auto at = [&](long kk) { return prev[kk + d - 1]; }; // prev holds diagonals -(d-1)..d-1
      long x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? (d == 0 ? 0 : at(k + 1)) : at(k - 1) + 1;
      long y = x - k;
      while (x < n && y < m && a[alo + x] == b[blo + y])
        ++x, ++y;
      v[k + d] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push_back(v);
    prev = std::move(v);
  }
  if (found < 0) { // too far apart to search: replace the whole gap
    ops.insert(ops.end(), n, Op::Del);
    ops.insert(ops.end(), m, Op::Add);
    return;
  }
  std::vector<Op> rev;
  long x = n, y = m;
  for (long d = found; d > 0; --d) {
    const std::vector<long> &pv = trace[d - 1];
    auto at = [&](long kk) { return pv[kk + d - 1]; };
    long k = x - y;
    long prevK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    long prevX = at(prevK), prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      rev.push_back(Op::Keep);
      --x;
      --y;
    }
    if (x == prevX)
      rev.push_back(Op::Add), --y;
    else
      rev.push_back(Op::Del), --x;
  }
  while (x > 0 && y > 0) {
    rev.push_back(Op::Keep);
    --x;
    --y;
  }
  ops.insert(ops.end(), rev.rbegin(), rev.rend());
}

// The edit script of a into b in about O((N+M) log N): lines that occur exactly once in each
// (a rewritten file's `def` lines, say) and in the same order in both (the longest increasing
// run, as patience diff finds it) are kept as anchors; Myers runs on the small gaps between
// them. Myers over the whole text took O(D (N+M)) time and memory: 2 GB and 9 s for a file with
// 4,000 rewritten sites.
std::vector<Op> editScript(const Lines &a, const Lines &b) {
  std::unordered_map<std::string_view, std::pair<long, long>> seen; // line -> (index in a or -1 if twice, in b)
  for (size_t i = 0; i < a.size(); ++i) {
    auto [it, fresh] = seen.try_emplace(a[i], static_cast<long>(i), -2);
    if (!fresh)
      it->second.first = -1;
  }
  for (size_t j = 0; j < b.size(); ++j) {
    auto it = seen.find(b[j]);
    if (it != seen.end())
      it->second.second = it->second.second == -2 ? static_cast<long>(j) : -1;
  }
  std::vector<std::pair<long, long>> unique; // (index in a, index in b), by index in a
  for (size_t i = 0; i < a.size(); ++i) {
    auto &e = seen.at(a[i]);
    if (e.first >= 0 && e.second >= 0)
      unique.push_back(e);
  }
  // Longest run increasing in b (patience sorting).
  std::vector<size_t> tops, back(unique.size());
  for (size_t u = 0; u < unique.size(); ++u) {
    auto pos = std::lower_bound(tops.begin(), tops.end(), unique[u].second,
                                [&](size_t t, long j) { return unique[t].second < j; });
    back[u] = pos == tops.begin() ? SIZE_MAX : *(pos - 1);
    if (pos == tops.end())
      tops.push_back(u);
    else
      *pos = u;
  }
  std::vector<std::pair<long, long>> anchors;
  for (size_t u = tops.empty() ? SIZE_MAX : tops.back(); u != SIZE_MAX; u = back[u])
    anchors.push_back(unique[u]);
  std::reverse(anchors.begin(), anchors.end());
  anchors.push_back({static_cast<long>(a.size()), static_cast<long>(b.size())}); // the end
  std::vector<Op> ops;
  long ai = 0, bi = 0;
  for (auto [x, y] : anchors) {
    myers(a, ai, x, b, bi, y, ops);
    if (x < static_cast<long>(a.size()))
      ops.push_back(Op::Keep);
    ai = x + 1;
    bi = y + 1;
  }
  return ops;
}

} // namespace

std::string gitQuoted(std::string_view prefix, std::string_view path) {
  // git's sq_lookup: the C escapes it has letters for; 1: octal; 0x80 and up octal (quotePath).
  auto escape = [](unsigned char c) -> int {
    switch (c) {
    case '\a':
      return 'a';
    case '\b':
      return 'b';
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\v':
      return 'v';
    case '\f':
      return 'f';
    case '\r':
      return 'r';
    case '"':
      return '"';
    case '\\':
      return '\\';
    default:
      return c < 0x20 || c >= 0x7f ? 1 : 0;
    }
  };
  std::string whole = std::string(prefix) + std::string(path);
  if (std::none_of(whole.begin(), whole.end(), [&](char c) { return escape(static_cast<unsigned char>(c)) != 0; }))
    return whole;
  std::string out = "\"";
  for (char ch : whole) {
    unsigned char c = static_cast<unsigned char>(ch);
    int e = escape(c);
    if (e == 0)
      out += ch;
    else if (e == 1)
      out += fmt::format("\\{:03o}", c);
    else
      out += {'\\', static_cast<char>(e)};
  }
  return out + "\"";
}

std::string relativeToCurrentDir(const std::string &path) {
  if (!llvm::sys::path::is_absolute(path))
    return path;
  llvm::SmallString<256> cwd;
  if (llvm::sys::fs::current_path(cwd))
    return path;
  llvm::SmallVector<llvm::StringRef, 16> from, to;
  llvm::StringRef(cwd).split(from, '/', -1, false);
  llvm::StringRef(path).split(to, '/', -1, false);
  size_t common = 0;
  while (common < from.size() && common < to.size() && from[common] == to[common])
    ++common;
  std::string out;
  for (size_t i = common; i < from.size(); ++i)
    out += "../";
  for (size_t i = common; i < to.size(); ++i)
    out += to[i].str() + (i + 1 < to.size() ? "/" : "");
  return out;
}

std::vector<Hunk> diffHunks(std::string_view before, std::string_view after) {
  std::vector<Hunk> hunks;
  if (before == after)
    return hunks;
  auto a = splitLines(before), b = splitLines(after);
  // Only the middle, past the common head and tail, needs the edit-script search.
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head])
    ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  std::vector<Op> ops(head, Op::Keep);
  auto middle = editScript(std::vector<std::string_view>(a.begin() + head, a.end() - tail),
                           std::vector<std::string_view>(b.begin() + head, b.end() - tail));
  ops.insert(ops.end(), middle.begin(), middle.end());
  ops.insert(ops.end(), tail, Op::Keep);
  constexpr size_t context = 3;
  // Positions of each op in a and b.
  struct Step {
    Op op;
    int ai, bi;
  };
  std::vector<Step> steps;
  int ai = 0, bi = 0;
  for (Op op : ops) {
    steps.push_back({op, ai, bi});
    if (op != Op::Add)
      ++ai;
    if (op != Op::Del)
      ++bi;
  }
  size_t i = 0;
  while (i < steps.size()) {
    while (i < steps.size() && steps[i].op == Op::Keep)
      ++i;
    if (i == steps.size())
      break;
    size_t hs = i >= context ? i - context : 0;
    size_t he = i;
    // Extend over changes separated by at most 2*context kept lines.
    for (;;) {
      while (he < steps.size() && steps[he].op != Op::Keep)
        ++he;
      size_t keep = he;
      while (keep < steps.size() && steps[keep].op == Op::Keep)
        ++keep;
      if (keep < steps.size() && keep - he <= 2 * context) {
        he = keep;
        continue;
      }
      he = std::min(steps.size(), he + context);
      break;
    }
    Hunk h;
    h.oldStart = static_cast<unsigned>(steps[hs].ai);
    h.newStart = static_cast<unsigned>(steps[hs].bi);
    for (size_t k = hs; k < he; ++k) {
      const Step &s = steps[k];
      if (s.op == Op::Keep) {
        h.lines.push_back({' ', std::string(a[s.ai])});
        ++h.oldLength, ++h.newLength;
      } else if (s.op == Op::Del) {
        h.lines.push_back({'-', std::string(a[s.ai])});
        ++h.oldLength;
      } else {
        h.lines.push_back({'+', std::string(b[s.bi])});
        ++h.newLength;
      }
    }
    hunks.push_back(std::move(h));
    i = he;
  }
  return hunks;
}

std::string hunkHeader(const Hunk &h) {
  auto range = [](unsigned start, unsigned len) {
    unsigned shown = len == 0 ? start : start + 1;
    return len == 1 ? fmt::format("{}", shown) : fmt::format("{},{}", shown, len);
  };
  return fmt::format("@@ -{} +{} @@", range(h.oldStart, h.oldLength), range(h.newStart, h.newLength));
}

std::string diffHeader(const std::string &path) {
  // As git writes them: both names quoted when needed, and a tab after the ---/+++ names that hold
  // a space (so GNU patch and git apply find where the name ends).
  std::string rel = relativeToCurrentDir(path);
  const char *tab = rel.find(' ') != std::string::npos ? "\t" : "";
  return fmt::format("diff --git {0} {1}\n--- {0}{2}\n+++ {1}{2}\n", gitQuoted("a/", rel), gitQuoted("b/", rel), tab);
}

std::string renderUnified(const std::vector<Hunk> &hunks, const std::string &path) {
  if (hunks.empty())
    return {};
  std::string out = diffHeader(path);
  for (const Hunk &h : hunks) {
    out += hunkHeader(h);
    out += '\n';
    for (const DiffLine &l : h.lines) {
      out += l.sign;
      out += l.text;
      if (!l.endsLine())
        out += "\n\\ No newline at end of file\n";
    }
  }
  return out;
}

std::string unifiedDiff(std::string_view before, std::string_view after, const std::string &path) {
  return renderUnified(diffHunks(before, after), path);
}

std::string colorizeDiff(const std::string &diff) {
  std::string out;
  size_t i = 0;
  while (i < diff.size()) {
    size_t nl = diff.find('\n', i);
    size_t e = nl == std::string::npos ? diff.size() : nl;
    std::string_view line(diff.data() + i, e - i);
    const char *colour = line.rfind("diff --git", 0) == 0 || line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0
                             ? "\033[1m"
                         : line.rfind("@@", 0) == 0 ? "\033[36m"
                         : line.rfind('-', 0) == 0  ? "\033[31m"
                         : line.rfind('+', 0) == 0  ? "\033[32m"
                                                    : nullptr;
    if (colour)
      out += std::string(colour) + std::string(line) + "\033[0m";
    else
      out += line;
    if (nl != std::string::npos)
      out += '\n';
    i = e + 1;
  }
  return out;
}

} // namespace poolify::output
