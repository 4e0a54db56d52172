// Structs with JSON mappings, shared by the payload tests.
#ifndef LOCKSTEP_TESTS_ENGINE_PAYLOAD_TEST_TYPES_H_
#define LOCKSTEP_TESTS_ENGINE_PAYLOAD_TEST_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/payload/payload.h"

namespace lockstep::payload_test {

struct Line {
  std::string sku;
  int32_t quantity = 0;
  bool operator==(const Line&) const = default;
};
LOCKSTEP_JSON_FIELDS(Line, sku, quantity)

struct Order {
  std::string id;
  int64_t cents = 0;
  std::vector<std::string> items;
  std::vector<Line> lines;
  std::optional<std::string> note;
  std::map<std::string, double> weights;
  bool operator==(const Order&) const = default;
};
LOCKSTEP_JSON_FIELDS(Order, id, cents, items, lines, note, weights);  // trailing ';' is fine

struct Empty {
  bool operator==(const Empty&) const = default;
};
LOCKSTEP_JSON_FIELDS(Empty)

}  // namespace lockstep::payload_test

#endif  // LOCKSTEP_TESTS_ENGINE_PAYLOAD_TEST_TYPES_H_
