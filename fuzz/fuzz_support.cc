#include "fuzz/fuzz_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <set>
#include <streambuf>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/history/history_file.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "tools/cli_parse/command_io.h"
#include "tools/lockstep/command.h"

namespace lockstep::fuzz {
namespace {

// Accepts every character and keeps none. Unlike a stream without a buffer (which sets
// badbit and then skips formatting), the code under test formats all of its output.
class DiscardBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char* /*s*/, std::streamsize n) override { return n; }
};

// The files written so far, for the exit handler. Leaked on purpose, like the directory's
// name below: the handler runs among the static destructors and must still find them.
std::set<std::string>* written_files = new std::set<std::string>;

void RemoveFuzzDirectory();

const std::string& FuzzDirectory() {
  static const std::string* const dir = [] {
    const char* base = std::getenv("TMPDIR");
    if (base == nullptr || *base == '\0') {
      base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    }
    std::string path = absl::StrCat(base, "/lockstep-fuzz-XXXXXX");
    if (::mkdtemp(path.data()) == nullptr) {
      std::fprintf(stderr, "fuzz: cannot create a directory from %s: %s\n", path.c_str(),
                   std::strerror(errno));
      std::abort();
    }
    std::atexit(RemoveFuzzDirectory);
    return new std::string(std::move(path));
  }();
  return *dir;
}

void RemoveFuzzDirectory() {
  for (const std::string& file : *written_files) ::unlink(file.c_str());
  ::rmdir(FuzzDirectory().c_str());
}

// Small enough that short inputs reach it with each payload form; large enough for a few
// bytes of real data.
constexpr int64_t kSmallPayloadLimit = 16;

// The path (field names, indexes) of a Payload in `message` whose data is longer than
// `limit`, or empty. Walks every set message field, map entries included, by reflection.
std::string FindPayloadOver(const google::protobuf::Message& message, int64_t limit) {
  using google::protobuf::FieldDescriptor;
  if (message.GetDescriptor()->full_name() == "temporal.api.common.v1.Payload") {
    const FieldDescriptor* data = message.GetDescriptor()->FindFieldByName("data");
    const std::string bytes = message.GetReflection()->GetString(message, data);
    if (static_cast<int64_t>(bytes.size()) <= limit) return "";
    return absl::StrCat("data (", bytes.size(), " bytes)");
  }
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!field->is_repeated()) {
      std::string found = FindPayloadOver(reflection->GetMessage(message, field), limit);
      if (!found.empty()) return absl::StrCat(field->name(), ".", found);
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      std::string found = FindPayloadOver(reflection->GetRepeatedMessage(message, field, i), limit);
      if (!found.empty()) return absl::StrCat(field->name(), "[", i, "].", found);
    }
  }
  return "";
}

}  // namespace

std::string WriteInputFile(absl::string_view name, absl::string_view bytes) {
  std::string path = absl::StrCat(FuzzDirectory(), "/", name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (!ok) {
    std::fprintf(stderr, "fuzz: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
    std::abort();
  }
  written_files->insert(path);
  return path;
}

int RunLockstep(const std::vector<std::string>& args, std::initializer_list<int> allowed) {
  DiscardBuffer discard;
  std::ostream out(&discard);
  std::ostream err(&discard);
  const int status = cli::RunLockstep(args, cli::CommandIo{out, err});
  for (int ok : allowed) {
    if (status == ok) return status;
  }
  Fail("lockstep", absl::StrCat("`lockstep ", absl::StrJoin(args, " "),
                                "` exited with an undocumented status ", status));
}

void CheckPayloadLimit(absl::string_view target, const std::string& path) {
  history::LoadOptions options;
  options.validate = false;
  options.json.max_payload_bytes = kSmallPayloadLimit;
  const absl::StatusOr<history::LoadedHistories> loaded = history::LoadHistoryFile(path, options);
  if (!loaded.ok()) return;
  for (size_t i = 0; i < loaded->histories.size(); ++i) {
    const std::string found = FindPayloadOver(loaded->histories[i], kSmallPayloadLimit);
    if (!found.empty()) {
      Fail(target, absl::StrCat("loaded with a payload limit of ", kSmallPayloadLimit,
                                " bytes, history ", i, " has a larger payload at ", found));
    }
  }
}

void Fail(absl::string_view target, absl::string_view message) {
  std::fprintf(stderr, "%.*s: check failed: %.*s\n", static_cast<int>(target.size()), target.data(),
               static_cast<int>(message.size()), message.data());
  std::abort();
}

void ShowAndCompare(absl::string_view target, absl::string_view name, absl::string_view bytes,
                    bool parsed, bool valid) {
  constexpr size_t kComparedInputBytes = size_t{512} << 10;
  const std::string path = WriteInputFile(name, bytes);
  const int shown = RunLockstep({"show", path}, {cli::kExitOk, cli::kExitUsage});
  RunLockstep({"show", "--json", path}, {cli::kExitOk, cli::kExitUsage});
  const int shown_unvalidated =
      RunLockstep({"show", "--no-validate", path}, {cli::kExitOk, cli::kExitUsage});
  CheckPayloadLimit(target, path);

  if (bytes.size() > kComparedInputBytes) return;
  if ((shown_unvalidated == cli::kExitOk) != parsed) {
    Fail(target, parsed ? "the direct parse accepted what `show --no-validate` rejected"
                        : "the direct parse rejected what `show --no-validate` accepted");
  }
  if ((shown == cli::kExitOk) != valid) {
    Fail(target, valid ? "the input validated but `show` rejected the file"
                       : "the input failed validation but `show` accepted the file");
  }
}

}  // namespace lockstep::fuzz

// libFuzzer calls this once, before the first input. Protobuf logs a line to stderr for every
// string field with invalid UTF-8 that it parses, which binary inputs hit thousands of times a
// second: discarding them keeps the logs readable and the fuzzer fast. Fatal protobuf errors
// still abort.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}
