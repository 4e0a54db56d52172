#include "engine/history/big_block.h"

#include <sys/mman.h>

namespace lockstep::history {

BigBlock BigBlock::Allocate(size_t bytes) {
  BigBlock block;
  if (bytes == 0) return block;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return block;
  // Advice, not a requirement: refused (THP off, or an old kernel), the block still works.
  (void)::madvise(p, bytes, MADV_HUGEPAGE);
  block.data_ = static_cast<char*>(p);
  block.size_ = bytes;
  return block;
}

void BigBlock::Release() {
  if (data_ != nullptr) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace lockstep::history
