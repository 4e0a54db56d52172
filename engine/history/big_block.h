// BigBlock: a large block of memory taken straight from the kernel and, where the kernel
// offers them (transparent huge pages in "madvise" or "always" mode), backed by 2 MiB pages.
//
// Why: a loaded history's arena is written once from start to end. With 4 KiB pages that is
// one page fault per 4 KiB, thousands for a large history, and on virtual machines each fault
// costs microseconds; for `lockstep replay FILE` they were a quarter of the process's time.
// A huge page is one fault per 2 MiB. Without huge pages the block behaves like any other
// allocation (pages are backed on first touch), so nothing depends on them.
//
// Contract: the memory reads as zero until written; pages never touched are never backed, so
// a generous size costs address space only. Move-only; the destructor returns the memory.
#ifndef LOCKSTEP_ENGINE_HISTORY_BIG_BLOCK_H_
#define LOCKSTEP_ENGINE_HISTORY_BIG_BLOCK_H_

#include <cstddef>
#include <utility>

namespace lockstep::history {

class BigBlock {
 public:
  BigBlock() = default;
  // A block of at least `bytes`; an empty block if the kernel refuses.
  static BigBlock Allocate(size_t bytes);

  BigBlock(BigBlock&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  BigBlock& operator=(BigBlock&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  BigBlock(const BigBlock&) = delete;
  BigBlock& operator=(const BigBlock&) = delete;
  ~BigBlock() { Release(); }

  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Release();

  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_BIG_BLOCK_H_
