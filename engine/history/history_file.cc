#include "engine/history/history_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/history/json_writer.h"
#include "engine/history/padded_file.h"
#include "engine/history/validate.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "temporal/api/common/v1/message.pb.h"

namespace lockstep::history {
namespace {

using temporal::api::history::v1::History;

// A parsed binary history takes roughly this many bytes of messages per byte of its encoding;
// the arena's first block is sized from it.
constexpr size_t kArenaBytesPerBinaryByte = 3;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

bool HasExtension(absl::string_view path, std::initializer_list<absl::string_view> extensions) {
  for (absl::string_view ext : extensions) {
    if (absl::EndsWithIgnoreCase(path, ext)) return true;
  }
  return false;
}

// A serialized History starts with field 1 (events), wire type 2: byte 0x0A. JSON never
// starts with that byte once whitespace is skipped, but 0x0A is itself a newline, so a
// binary guess is confirmed by parsing.
HistoryFormat SniffFormat(absl::string_view bytes) {
  if (!bytes.empty() && bytes[0] == 0x0A) {
    History probe;
    if (probe.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return HistoryFormat::kBinary;
    }
  }
  return HistoryFormat::kJson;
}

// Finds a Payload whose data exceeds `limit` anywhere inside `msg`; returns its field path.
bool FindOversizedPayload(const google::protobuf::Message& msg, int64_t limit, std::string* path) {
  using google::protobuf::FieldDescriptor;
  if (msg.GetDescriptor()->full_name() == "temporal.api.common.v1.Payload") {
    const auto& payload = static_cast<const temporal::api::common::v1::Payload&>(msg);
    return static_cast<int64_t>(payload.data().size()) > limit;
  }
  std::vector<const FieldDescriptor*> fields;
  msg.GetReflection()->ListFields(msg, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const auto* refl = msg.GetReflection();
    const int n = field->is_repeated() ? refl->FieldSize(msg, field) : 1;
    for (int i = 0; i < n; ++i) {
      const auto& child = field->is_repeated() ? refl->GetRepeatedMessage(msg, field, i)
                                               : refl->GetMessage(msg, field);
      if (FindOversizedPayload(child, limit, path)) {
        std::string step = field->json_name();
        if (field->is_repeated()) absl::StrAppend(&step, "[", i, "]");
        *path = path->empty() ? step : absl::StrCat(step, ".", *path);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

absl::Status FileTooLargeError(absl::string_view path, int64_t size, int64_t max_bytes) {
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": ", size >= 0 ? absl::StrCat(size, " bytes") : "a stream that goes on",
      " is over the limit of ", max_bytes,
      " bytes for a history file (raise it with --max-file-bytes if this is intended)"));
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path, int64_t max_bytes) {
  return ReadFileWithPadding(path, 0, max_bytes);
}

absl::StatusOr<std::string> ReadFileWithPadding(const std::string& path, size_t padding,
                                                int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  absl::StatusOr<std::string> read = ReadOpenFileWithPadding(fd, path, padding, max_bytes);
  ::close(fd);
  return read;
}

absl::StatusOr<std::string> ReadOpenFileWithPadding(int fd, const std::string& path, size_t padding,
                                                    int64_t max_bytes) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat", path);
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, expected a file"));
  }
  if (S_ISREG(st.st_mode) && st.st_size > max_bytes) {
    return FileTooLargeError(path, st.st_size, max_bytes);
  }
  // Read straight into the string: a regular file's size is known (the room for the padding
  // also lets the last read see the end of the file), and anything else (a pipe) grows the
  // string as it goes, up to one byte past the limit, which is enough to know it is over.
  const size_t cap = static_cast<size_t>(max_bytes) + 1;
  std::string out;
  out.resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + padding + 1
                                 : std::min(size_t{1} << 16, cap));
  size_t used = 0;
  while (true) {
    if (used >= cap) {
      return FileTooLargeError(path, -1, max_bytes);  // a pipe or device: its size is unknown
    }
    if (used == out.size()) out.resize(std::min(out.size() * 2, cap));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read failed", path);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  out.resize(used + padding, '\0');
  return out;
}

absl::Status ParseHistoryBinaryInto(absl::string_view bytes, absl::string_view source,
                                    History* history) {
  if (bytes.empty()) return absl::InvalidArgumentError(absl::StrCat(source, ": file is empty"));
  google::protobuf::io::ArrayInputStream input(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&input);
  if (!history->ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a valid binary history (protobuf temporal.api.history.v1.History; ",
        history->events_size(),
        " events decoded before the error; the file may be truncated "
        "or not a history)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<History> ParseHistoryBinary(absl::string_view bytes, absl::string_view source) {
  History history;
  if (auto s = ParseHistoryBinaryInto(bytes, source, &history); !s.ok()) return s;
  return history;
}

std::string SerializeHistoryBinary(const History& history) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    history.SerializeToCodedStream(&coded);
  }
  return out;
}

namespace {

HistoryFormat FormatOf(const std::string& path, absl::string_view bytes) {
  if (HasExtension(path, {".json"})) return HistoryFormat::kJson;
  if (HasExtension(path, {".pb", ".binpb", ".bin", ".history"})) return HistoryFormat::kBinary;
  return SniffFormat(bytes);
}

// The arena bytes the histories of a file of `bytes` in `format` take, about.
size_t ArenaHint(HistoryFormat format, size_t bytes) {
  return format == HistoryFormat::kBinary ? bytes * kArenaBytesPerBinaryByte
                                          : JsonHistoryParser::ArenaHint(bytes);
}

// The event limit and validation, for every history loaded, whatever it was loaded from.
absl::Status CheckLoaded(const std::string& path, const LoadOptions& options,
                         const LoadedHistories& loaded) {
  const HistoryList& histories = loaded.histories;
  for (size_t i = 0; i < histories.size(); ++i) {
    const int64_t events = histories[i].events_size();
    if (events > options.max_events) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, histories.size() > 1 ? absl::StrCat(": history #", i + 1) : "", ": ",
                       events, " events is over the limit of ", options.max_events,
                       " (raise it with --max-events if this is intended)"));
    }
  }
  if (options.validate) {
    for (size_t i = 0; i < histories.size(); ++i) {
      if (auto s = histories.size() > 1
                       ? ValidateHistory(histories[i], absl::StrCat(path, ": history #", i + 1))
                       : ValidateHistory(histories[i], path);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

// What LoadHistoryFile and HistoryLoader::Load share once the file's bytes (followed by
// kJsonPadding readable bytes) are in memory: parse into `loaded->histories` (empty, its
// arena sized by the caller), then the event limit and validation.
absl::Status LoadBytes(const std::string& path, absl::string_view bytes, const LoadOptions& options,
                       JsonHistoryParser& parser, LoadedHistories* loaded) {
  if (loaded->format == HistoryFormat::kBinary) {
    History* history = loaded->histories.Add();
    if (auto s = ParseHistoryBinaryInto(bytes, path, history); !s.ok()) return s;
    // Only a file larger than the limit can hold an oversized payload.
    if (static_cast<int64_t>(bytes.size()) > options.json.max_payload_bytes) {
      for (const auto& event : history->events()) {
        std::string where;
        if (FindOversizedPayload(event, options.json.max_payload_bytes, &where)) {
          return absl::InvalidArgumentError(absl::StrCat(path, ": event ", event.event_id(), ": ",
                                                         where, ": payload is over the limit of ",
                                                         options.json.max_payload_bytes, " bytes"));
        }
      }
    }
  } else if (auto s = parser.ParsePadded(bytes, path, options.json, &loaded->json_stats,
                                         &loaded->histories);
             !s.ok()) {
    return s;
  }
  return CheckLoaded(path, options, *loaded);
}

// A loader's arena keeps its first block from file to file; this is the least it starts with
// (a 26-event history takes about 16 KiB), and past the most it keeps, a file's block goes
// with the next file instead of holding its memory for the rest of the batch.
constexpr size_t kLoaderMinBlockBytes = size_t{1} << 20;
constexpr size_t kLoaderMaxKeptBlockBytes = size_t{32} << 20;

}  // namespace

absl::StatusOr<LoadedHistories> LoadHistoryFile(const std::string& path,
                                                const LoadOptions& options) {
  // With room for the JSON parser to read ahead, so that it parses the text in place.
  absl::StatusOr<PaddedFile> file = PaddedFile::Open(path, kJsonPadding, options.max_file_bytes);
  if (!file.ok()) return file.status();
  const absl::string_view bytes = file->bytes();
  LoadedHistories loaded;
  loaded.path = path;
  loaded.format = FormatOf(path, bytes);
  loaded.histories = HistoryList(ArenaHint(loaded.format, bytes.size()));
  JsonHistoryParser parser;
  if (auto s = LoadBytes(path, bytes, options, parser, &loaded); !s.ok()) return s;
  return loaded;
}

HistoryLoader::HistoryLoader(const LoadOptions& options) : options_(options) {}

void HistoryLoader::Reset(const std::string& path, HistoryFormat format, size_t bytes) {
  loaded_.histories.Clear();
  loaded_.json_stats = {};
  loaded_.path = path;
  loaded_.format = format;
  const size_t block = loaded_.histories.first_block_size();
  if (block < bytes || block > kLoaderMaxKeptBlockBytes) {
    loaded_.histories = HistoryList(std::max(bytes, kLoaderMinBlockBytes));
  }
}

absl::Status HistoryLoader::Load(const std::string& path) {
  loaded_.histories.Clear();
  absl::StatusOr<absl::string_view> bytes =
      reader_.Read(path, kJsonPadding, options_.max_file_bytes);
  if (!bytes.ok()) return bytes.status();
  const HistoryFormat format = FormatOf(path, *bytes);
  Reset(path, format, ArenaHint(format, bytes->size()));
  absl::Status status = LoadBytes(path, *bytes, options_, parser_, &loaded_);
  if (!status.ok()) loaded_.histories.Clear();
  return status;
}

absl::Status HistoryLoader::LoadWith(const std::string& source,
                                     const std::function<absl::Status(History*)>& read) {
  Reset(source, HistoryFormat::kBinary, 0);
  absl::Status status = read(loaded_.histories.Add());
  if (status.ok()) status = CheckLoaded(source, options_, loaded_);
  if (!status.ok()) loaded_.histories.Clear();
  return status;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", tmp);
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = ErrnoError("write failed", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    absl::Status s = ErrnoError("cannot flush", tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = ErrnoError("cannot rename into place", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::Status SaveHistoryFile(const std::string& path, const History& history,
                             HistoryFormat format) {
  return WriteFileAtomically(path, format == HistoryFormat::kBinary
                                       ? SerializeHistoryBinary(history)
                                       : HistoryToJson(history));
}

}  // namespace lockstep::history
