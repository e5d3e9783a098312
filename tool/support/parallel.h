// Work spread over threads: the per-file steps of a run, and the listing of its folders.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace poolify {

/// Runs work(i) for each index on `jobs` threads (0: all cores); each index writes only its own slot.
void parallelFor(const std::vector<size_t> &indices, unsigned jobs, const std::function<void(size_t)> &work);

/// Runs work(0), ..., work(count - 1) as parallelFor does.
void parallelFor(size_t count, unsigned jobs, const std::function<void(size_t)> &work);

/// Hands the allocator's whole free pages back to the system. Memory freed by a parallel step
/// stays in the arenas of the threads that allocated it, where the serial steps that follow (on
/// the main thread's arena) do not reuse it: without this, each step's peak adds to the run's.
void releaseFreePages();

} // namespace poolify
