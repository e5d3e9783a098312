#include "output/diff.h"

#include <fmt/format.h>

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
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

// Myers' O(ND) shortest edit script over lines a[lo..) and b[lo..).
std::vector<Op> editScript(const std::vector<std::string_view> &a, const std::vector<std::string_view> &b) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max = n + m;
  std::vector<int> v(2 * max + 2, 0);
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= max && found < 0; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x;
      if (k == -d || (k != d && v[max + k - 1] < v[max + k + 1]))
        x = v[max + k + 1];
      else
        x = v[max + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  std::vector<Op> ops;
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const std::vector<int> &pv = trace[d];
    int k = x - y;
    int prevK = (k == -d || (k != d && pv[max + k - 1] < pv[max + k + 1])) ? k + 1 : k - 1;
    int prevX = pv[max + prevK], prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push_back(Op::Keep);
      --x;
      --y;
    }
    if (x == prevX)
      ops.push_back(Op::Add), --y;
    else
      ops.push_back(Op::Del), --x;
  }
  while (x > 0 && y > 0) {
    ops.push_back(Op::Keep);
    --x;
    --y;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

void emitLine(std::string &out, char sign, std::string_view line) {
  out += sign;
  out += line;
  if (line.empty() || line.back() != '\n')
    out += "\n\\ No newline at end of file\n";
}

} // namespace

std::string gitQuoted(std::string_view prefix, std::string_view path) {
  // git's sq_lookup: the C escapes it has letters for; 1: octal; 0x80 and up octal (quotePath).
  auto escape = [](unsigned char c) -> int {
    switch (c) {
    case '\a': return 'a';
    case '\b': return 'b';
    case '\t': return 't';
    case '\n': return 'n';
    case '\v': return 'v';
    case '\f': return 'f';
    case '\r': return 'r';
    case '"': return '"';
    case '\\': return '\\';
    default: return c < 0x20 || c >= 0x7f ? 1 : 0;
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

std::string unifiedDiff(std::string_view before, std::string_view after, const std::string &path) {
  if (before == after)
    return {};
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
  constexpr int context = 3;
  // As git writes them: both names quoted when needed, and a tab after the ---/+++ names that hold
  // a space (so GNU patch and git apply find where the name ends).
  std::string rel = relativeToCurrentDir(path);
  const char *tab = rel.find(' ') != std::string::npos ? "\t" : "";
  std::string out =
      fmt::format("diff --git {0} {1}\n--- {0}{2}\n+++ {1}{2}\n", gitQuoted("a/", rel), gitQuoted("b/", rel), tab);
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
    int aStart = steps[hs].ai, bStart = steps[hs].bi, aLen = 0, bLen = 0;
    std::string body;
    for (size_t k = hs; k < he; ++k) {
      const Step &s = steps[k];
      if (s.op == Op::Keep) {
        emitLine(body, ' ', a[s.ai]);
        ++aLen, ++bLen;
      } else if (s.op == Op::Del) {
        emitLine(body, '-', a[s.ai]);
        ++aLen;
      } else {
        emitLine(body, '+', b[s.bi]);
        ++bLen;
      }
    }
    auto range = [](int start, int len) {
      int shown = len == 0 ? start : start + 1;
      return len == 1 ? fmt::format("{}", shown) : fmt::format("{},{}", shown, len);
    };
    out += fmt::format("@@ -{} +{} @@\n", range(aStart, aLen), range(bStart, bLen));
    out += body;
    i = he;
  }
  return out;
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
                         : line.rfind("-", 0) == 0  ? "\033[31m"
                         : line.rfind("+", 0) == 0  ? "\033[32m"
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
