// The cache's serialized form, shared by the per-file cache and the run's results (cache/results.h).
#pragma once

#include "support/box.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace poolify::cache::codec {

// The cache's serialized form: numbers in decimal, each followed by a space; strings as their
// length and the bytes; lists as their length and the elements. One function lists an outcome's
// fields (cache.cpp's fields()) for both directions, so writing and reading cannot drift apart.
struct Writer {
  static constexpr bool reading = false;
  std::string &out;
  void num(uint64_t v) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits - 1, v).ptr;
    *end++ = ' ';
    out.append(digits, end);
  }
  template <typename T> void io(T &v) {
    if constexpr (std::is_same_v<T, std::string>) {
      num(v.size());
      out += v;
    } else {
      num(static_cast<uint64_t>(v));
    }
  }
  template <typename E> void choice(E &e, int) { num(static_cast<uint64_t>(e)); }
  template <typename T, typename F> void list(std::vector<T> &v, F each) {
    num(v.size());
    for (auto &x : v)
      each(x);
  }
  template <typename T, typename F> void list(BoxedVector<T> &v, F each) {
    num(v.size());
    for (auto &x : v)
      each(x);
  }
};

// Reading fails closed: any malformed number, length or value leaves ok false (the entry, or the
// whole file, is then not used).
struct Reader {
  static constexpr bool reading = true;
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  uint64_t num() {
    uint64_t v = 0;
    size_t start = pos;
    while (ok && pos < in.size() && in[pos] >= '0' && in[pos] <= '9') {
      uint64_t digit = static_cast<uint64_t>(in[pos++] - '0');
      ok = v <= (std::numeric_limits<uint64_t>::max() - digit) / 10; // no overflow
      v = v * 10 + digit;
    }
    if (pos == start || pos >= in.size() || in[pos] != ' ')
      ok = false;
    else
      ++pos;
    return ok ? v : 0;
  }
  template <typename T> void io(T &v) {
    if constexpr (std::is_same_v<T, std::string>) {
      uint64_t n = num();
      if (!ok || n > in.size() - pos) {
        ok = false;
        return;
      }
      v.assign(in.substr(pos, n));
      pos += n;
    } else if constexpr (std::is_same_v<T, bool>) {
      uint64_t n = num();
      ok = ok && n <= 1;
      v = n == 1;
    } else {
      uint64_t n = num();
      ok = ok && n <= std::numeric_limits<T>::max();
      v = static_cast<T>(n);
    }
  }
  template <typename E> void choice(E &e, int max) {
    uint64_t n = num();
    ok = ok && n <= static_cast<uint64_t>(max);
    e = static_cast<E>(ok ? n : 0);
  }
  template <typename T, typename F> void list(std::vector<T> &v, F each) {
    uint64_t n = num();
    if (!ok || n > in.size() - pos) { // every element takes at least one byte
      ok = false;
      return;
    }
    v.resize(n);
    for (auto &x : v) {
      each(x);
      if (!ok)
        return;
    }
  }
  template <typename T, typename F> void list(BoxedVector<T> &v, F each) {
    std::vector<T> items;
    list(items, each);
    v = std::move(items);
  }
};

} // namespace poolify::cache::codec
