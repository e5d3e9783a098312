#include "python/tree_memory.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

// Under AddressSanitizer every block is its own malloc, so the sanitizer sees each one (a use of a
// tree whose region is gone, an overrun).
#if defined(__SANITIZE_ADDRESS__)
#define POOLIFY_TREE_MEMORY_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLIFY_TREE_MEMORY_CHECKED 1
#endif
#endif
#ifdef POOLIFY_TREE_MEMORY_CHECKED
constexpr bool kChecked = true;
#else
constexpr bool kChecked = false;
#endif

namespace poolify::py {

namespace {

// Every block tree-sitter gets is preceded by this header: its size, and whether it is the heap's
// (freed one by one) or a region's (freed with the region). 16 bytes keep the block 16-aligned.
struct alignas(16) Header {
  size_t bytes;
  size_t owner;
};
constexpr size_t kHeap = 0x6865617068656170;   // "heapheap"
constexpr size_t kRegion = 0x7265676e7265676e; // "regnregn"

constexpr size_t kAlign = alignof(Header);
constexpr size_t roundUp(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

// A region is made of blocks of 64 KiB, which malloc serves from its heap and takes back warm (a
// block per tree sized for the whole tree would be mmapped, and every tree would start on pages
// the kernel must zero). A request larger than a quarter of a block gets a block of its own.
constexpr size_t kBlock = (64 << 10) - 64; // (malloc's own header stays within the 64 KiB)
constexpr size_t kOwnBlock = kBlock / 4;

thread_local TreeMemory *current = nullptr;

[[noreturn]] void outOfMemory(size_t bytes) {
  std::fprintf(stderr, "poolify: error: out of memory (a syntax tree needed %zu more bytes)\n", bytes);
  std::abort();
}

Header *headerOf(void *p) { return static_cast<Header *>(p) - 1; }

void *tsMalloc(size_t bytes) {
  if (bytes > SIZE_MAX - sizeof(Header) - kAlign)
    outOfMemory(bytes);
  Header *h;
  if (current) {
    h = static_cast<Header *>(current->allocate(sizeof(Header) + bytes));
    h->owner = kRegion;
  } else {
    h = static_cast<Header *>(std::malloc(sizeof(Header) + bytes));
    if (!h)
      outOfMemory(bytes);
    h->owner = kHeap;
  }
  h->bytes = bytes;
  return h + 1;
}

void *tsCalloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    outOfMemory(SIZE_MAX);
  void *p = tsMalloc(count * size);
  std::memset(p, 0, count * size);
  return p;
}

void tsFree(void *p) {
  if (!p)
    return;
  Header *h = headerOf(p);
  if (h->owner == kHeap)
    std::free(h);
  else if (h->owner != kRegion)
    std::abort(); // not a block of ours: memory is corrupt
  // a region's block stays until its region goes
}

void *tsRealloc(void *p, size_t bytes) {
  if (!p)
    return tsMalloc(bytes);
  Header *h = headerOf(p);
  if (h->owner == kHeap && !current) {
    auto *grown = static_cast<Header *>(std::realloc(h, sizeof(Header) + bytes));
    if (!grown)
      outOfMemory(bytes);
    grown->bytes = bytes;
    return grown + 1;
  }
  if (h->owner == kRegion && current && current->growInPlace(h, sizeof(Header) + h->bytes, sizeof(Header) + bytes)) {
    h->bytes = bytes;
    return p;
  }
  void *moved = tsMalloc(bytes);
  std::memcpy(moved, p, std::min(h->bytes, bytes));
  tsFree(p);
  return moved;
}

} // namespace

void TreeMemory::install() {
  static std::once_flag once;
  std::call_once(once, [] { ts_set_allocator(tsMalloc, tsCalloc, tsRealloc, tsFree); });
}

const bool TreeMemory::kOneMallocPerBlock = kChecked;

TreeMemory::TreeMemory() = default;

TreeMemory::~TreeMemory() {
  for (void *b : blocks_)
    std::free(b);
}

char *TreeMemory::newBlock(size_t bytes) {
  void *b = std::malloc(bytes);
  if (!b)
    outOfMemory(bytes);
  blocks_.push_back(b);
  reserved_ += bytes;
  return static_cast<char *>(b);
}

void *TreeMemory::allocate(size_t bytes) {
  if (kChecked)
    return newBlock(bytes);
  bytes = roundUp(bytes);
  if (bytes > kOwnBlock)
    return newBlock(bytes);
  if (static_cast<size_t>(end_ - next_) < bytes) {
    next_ = newBlock(kBlock);
    end_ = next_ + kBlock;
  }
  void *p = next_;
  next_ += bytes;
  return p;
}

bool TreeMemory::growInPlace(void *p, size_t oldBytes, size_t newBytes) {
  char *start = static_cast<char *>(p);
  if (kChecked || start + roundUp(oldBytes) != next_ || newBytes > static_cast<size_t>(end_ - start))
    return false;
  next_ = start + roundUp(newBytes);
  return true;
}

TreeMemory::Use::Use(TreeMemory &memory) : previous_(current) {
  install();
  current = &memory;
}

TreeMemory::Use::~Use() { current = previous_; }

} // namespace poolify::py
