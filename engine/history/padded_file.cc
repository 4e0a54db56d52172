#include "engine/history/padded_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/history/history_file.h"

namespace lockstep::history {

absl::StatusOr<PaddedFile> PaddedFile::Open(const std::string& path, size_t padding,
                                            int64_t max_bytes) {
  PaddedFile file;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > max_bytes) {
      ::close(fd);
      return FileTooLargeError(path, st.st_size, max_bytes);
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      const size_t size = static_cast<size_t>(st.st_size);
      const size_t tail = size % page;
      if (tail != 0 && page - tail >= padding) {
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p != MAP_FAILED) {
          file.map_ = p;
          file.map_size_ = size;
          file.bytes_ = absl::string_view(static_cast<const char*>(p), size);
        }
      }
    }
    ::close(fd);
    if (file.map_ != nullptr) return file;
  }
  // Not mappable, or not even openable: reading says why in its own words.
  absl::StatusOr<std::string> read = ReadFileWithPadding(path, padding, max_bytes);
  if (!read.ok()) return read.status();
  file.read_ = *std::move(read);
  file.bytes_ = absl::string_view(file.read_.data(), file.read_.size() - padding);
  return file;
}

PaddedFile::~PaddedFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

}  // namespace lockstep::history
