#include "engine/history/padded_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/history/history_file.h"

namespace lockstep::history {

absl::StatusOr<PaddedFile> PaddedFile::Open(const std::string& path, size_t padding,
                                            int64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  // Not even openable: reading says why in its own words.
  if (fd < 0) return FromRead(ReadFileWithPadding(path, padding, max_bytes), padding);
  absl::StatusOr<PaddedFile> file = FromOpenFile(fd, path, padding, max_bytes);
  ::close(fd);
  return file;
}

absl::StatusOr<PaddedFile> PaddedFile::FromOpenFile(int fd, const std::string& path, size_t padding,
                                                    int64_t max_bytes) {
  PaddedFile file;
  struct stat st;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > max_bytes) {
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
        return file;
      }
    }
  }
  // Not mappable: read through the same descriptor, which says why if it cannot.
  return FromRead(ReadOpenFileWithPadding(fd, path, padding, max_bytes), padding);
}

absl::StatusOr<PaddedFile> PaddedFile::FromRead(absl::StatusOr<std::string> read, size_t padding) {
  if (!read.ok()) return read.status();
  PaddedFile file;
  file.read_ = *std::move(read);
  file.bytes_ = absl::string_view(file.read_.data(), file.read_.size() - padding);
  return file;
}

PaddedFile::~PaddedFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

absl::StatusOr<absl::string_view> PaddedFileReader::Read(const std::string& path, size_t padding,
                                                         int64_t max_bytes) {
  large_.reset();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  // Size 0 takes the general path too: files under /proc say 0 and have content.
  if (fd < 0) {
    absl::StatusOr<PaddedFile> file = PaddedFile::Open(path, padding, max_bytes);
    if (!file.ok()) return file.status();
    return large_.emplace(*std::move(file)).bytes();
  }
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= max_bytes &&
      st.st_size <= kMapAboveBytes) {
    // The file as it was when its size was taken: reading exactly that much saves the read
    // that would only find the end (a file shortened meanwhile ends the loop early).
    const size_t size = static_cast<size_t>(st.st_size);
    if (buffer_.size() < size + padding) buffer_.resize(size + padding);
    size_t used = 0;
    bool failed = false;
    while (used < size) {
      const ssize_t n = ::read(fd, buffer_.data() + used, size - used);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed = n < 0;
        break;
      }
      used += static_cast<size_t>(n);
    }
    if (!failed) {
      ::close(fd);
      std::memset(buffer_.data() + used, 0, padding);
      return absl::string_view(buffer_.data(), used);
    }
    // A read error: the general path reads again from the start and says what happened.
    ::lseek(fd, 0, SEEK_SET);
  }
  // Larger, or not a regular file: through the same descriptor (a FIFO opened twice may wait
  // forever for a writer that is gone).
  absl::StatusOr<PaddedFile> file = PaddedFile::FromOpenFile(fd, path, padding, max_bytes);
  ::close(fd);
  if (!file.ok()) return file.status();
  return large_.emplace(*std::move(file)).bytes();
}

}  // namespace lockstep::history
