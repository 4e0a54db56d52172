// PaddedFile: a whole file's bytes followed by at least `padding` readable bytes, which is
// what the JSON parser needs to parse a file in place (json_reader.h, kJsonPadding).
//
// A regular file whose last page has room for the padding is mapped (MAP_POPULATE: the page
// cache's pages are mapped in one call, nothing is copied, and the rest of the last page
// reads as zero); anything else (pipes, a file ending exactly at a page boundary) is read
// into memory. Mapping saves the copy and, more, the page faults of a fresh buffer.
//
// Contract: bytes() is the file's content as it was when opened; it stays valid while the
// PaddedFile lives. A mapped file that another process truncates meanwhile ends the process
// with SIGBUS on access, as with any mapped file; history files are not edited in place.
// Errors (cannot open, a directory, read failures, more than `max_bytes`) name the file. The
// limit holds for pipes, FIFOs and devices too (/dev/zero never ends): they are read up to
// max_bytes + 1 and refused, never grown without bound.
#ifndef LOCKSTEP_ENGINE_HISTORY_PADDED_FILE_H_
#define LOCKSTEP_ENGINE_HISTORY_PADDED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockstep::history {

class PaddedFile {
 public:
  [[nodiscard]] static absl::StatusOr<PaddedFile> Open(const std::string& path, size_t padding,
                                                       int64_t max_bytes);
  // The same for a file the caller has open (`path` only names it in errors); `fd` stays
  // open. Everything that is not mapped is read through `fd`, never opened again
  // (ReadOpenFileWithPadding says why).
  [[nodiscard]] static absl::StatusOr<PaddedFile> FromOpenFile(int fd, const std::string& path,
                                                               size_t padding, int64_t max_bytes);

  PaddedFile(PaddedFile&& other) noexcept
      : map_(std::exchange(other.map_, nullptr)),
        map_size_(std::exchange(other.map_size_, 0)),
        read_(std::move(other.read_)),
        bytes_(std::exchange(other.bytes_, {})) {}
  PaddedFile& operator=(PaddedFile&&) = delete;
  PaddedFile(const PaddedFile&) = delete;
  PaddedFile& operator=(const PaddedFile&) = delete;
  ~PaddedFile();

  // The file's content (without the padding).
  absl::string_view bytes() const { return bytes_; }

 private:
  PaddedFile() = default;
  // A file read into memory (content, then `padding` bytes), or why it could not be.
  static absl::StatusOr<PaddedFile> FromRead(absl::StatusOr<std::string> read, size_t padding);

  void* map_ = nullptr;  // the mapping, if the file is mapped
  size_t map_size_ = 0;
  std::string read_;  // the content and its padding, if the file was read
  absl::string_view bytes_;
};

// Reads file after file, each followed by at least `padding` readable bytes, for a batch of
// many small files: a regular file of up to kMapAboveBytes is read with read() into one buffer
// that is kept and grown, never shrunk, so a batch maps nothing and faults in no fresh pages
// after its largest file; a larger file, or anything that is not a regular file, is opened as
// a PaddedFile (mapped, or read into memory of its own).
//
// Contract: one thread at a time; the view Read returns is valid until the next Read or the
// reader's destruction. A small file is read as it was when opened, up to the size it had
// then. Errors are PaddedFile::Open's, naming the file.
class PaddedFileReader {
 public:
  // Above this a file is mapped: copying it would cost more than the mapping saves, and a
  // buffer grown to it would stay that large for the rest of the batch.
  static constexpr int64_t kMapAboveBytes = int64_t{1} << 20;

  [[nodiscard]] absl::StatusOr<absl::string_view> Read(const std::string& path, size_t padding,
                                                       int64_t max_bytes);

 private:
  std::string buffer_;
  std::optional<PaddedFile> large_;  // the last file read, if it was opened as a PaddedFile
};

}  // namespace lockstep::history

#endif  // LOCKSTEP_ENGINE_HISTORY_PADDED_FILE_H_
