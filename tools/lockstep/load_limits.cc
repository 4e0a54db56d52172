#include "tools/lockstep/load_limits.h"

#include "absl/strings/str_cat.h"
#include "tools/cli_parse/cli_parse.h"

namespace lockstep::cli {

void AddLoadLimitOptions(CLI::App& app, history::LoadOptions* options) {
  app.add_option("--max-file-bytes", options->max_file_bytes,
                 absl::StrCat("refuse a history file larger than N bytes (default ",
                              history::kDefaultMaxFileBytes, ")"))
      ->type_name("N")
      ->check(PositiveInteger());
  app.add_option("--max-payload-bytes", options->json.max_payload_bytes,
                 absl::StrCat("refuse payloads larger than N bytes (default ",
                              history::kDefaultMaxPayloadBytes, ")"))
      ->type_name("N")
      ->check(PositiveInteger());
  app.add_option("--max-events", options->max_events,
                 absl::StrCat("refuse a history of more than N events (default ",
                              history::kDefaultMaxEvents, ")"))
      ->type_name("N")
      ->check(PositiveInteger());
}

}  // namespace lockstep::cli
