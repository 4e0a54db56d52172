#include <absl/strings/str_format.h>
#include <absl/time/time.h>
#include <absl/container/flat_hash_map.h>
#include <simdjson.h>
#include <string>
#include "temporal/api/history/v1/message.pb.h"
std::string LibFn() {
  absl::flat_hash_map<std::string,int> m{{"x",1}};
  temporal::api::history::v1::History h;
  h.add_events()->set_event_id(7);
  simdjson::ondemand::parser p;
  auto s = simdjson::padded_string(std::string("[1]"));
  auto d = p.iterate(s);
  (void)d;
  return absl::StrFormat("%d %s %d", m["x"], absl::FormatDuration(absl::Seconds(1)), h.events(0).event_id());
}
