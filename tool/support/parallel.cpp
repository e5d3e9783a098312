#include "support/parallel.h"

#include <llvm/Support/ThreadPool.h>
#include <llvm/Support/Threading.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#ifdef __GLIBC__ // <cstdio> above defines it
#include <malloc.h>
#endif

namespace poolify {

namespace {
// glibc's allocator, for runs that keep compact results of every file while workers parse, and
// free, much larger trees and texts (peak RSS of a cold run at 20,000 files: about 10% less):
// - one arena per worker and one for the main thread (glibc allows 8 per core, which at 2 jobs
//   left arenas of earlier parallel steps holding free pages). Not one arena fewer, though that
//   let the serial steps reuse what one worker freed in the main arena: two workers then shared an
//   arena now and then, and system time (lock waits) rose by 1.2-1.6 s of a 50 s run at 20,000
//   files in each of three alternating pairs, for 2.5% less peak RSS;
// - a fixed mmap threshold (glibc's initial 128 KiB): glibc otherwise raises it to the size of
//   each mapped block freed, up to 32 MiB, after which large texts and parse stacks come from the
//   arenas and leave holes there.
void tuneAllocator(unsigned threads) {
#ifdef __GLIBC__
  static std::once_flag once;
  std::call_once(once, [threads] {
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(threads, 1u) + 1));
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  });
#else
  (void)threads;
#endif
}
} // namespace

void parallelFor(size_t count, unsigned jobs, const std::function<void(size_t)> &work) {
  if (jobs == 1 || count < 2) {
    for (size_t i = 0; i < count; ++i)
      work(i);
    return;
  }
  // One task per thread, each taking the next index (not one queued task per file: at 100k files
  // the queue alone took megabytes).
  llvm::ThreadPoolStrategy strategy = llvm::hardware_concurrency(jobs);
  unsigned threads = static_cast<unsigned>(std::min<size_t>(strategy.compute_thread_count(), count));
  tuneAllocator(strategy.compute_thread_count()); // the run's workers, not this call's: it is set once
  llvm::ThreadPool pool(strategy);
  std::atomic<size_t> next{0};
  for (unsigned t = 0; t < threads; ++t)
    pool.async([&] {
      for (size_t k = next++; k < count; k = next++)
        work(k);
    });
  pool.wait();
}

void releaseFreePages() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

void parallelFor(const std::vector<size_t> &indices, unsigned jobs, const std::function<void(size_t)> &work) {
  parallelFor(indices.size(), jobs, [&](size_t k) { work(indices[k]); });
}

} // namespace poolify
