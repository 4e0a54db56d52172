// Payload conversion: items_per_second is values encoded or decoded per second.
//
//   build/benchmarks/payload_benchmark
//
// BM_DecodeInt is a signal carrying `1` decoded as int, the engine's hottest payload path
// (parsed straight from the bytes, no DOM); BM_DecodeIntInArray decodes the same value
// through the simdjson DOM, for comparison.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/payload/payload.h"

namespace lockstep::bench {

struct OrderLine {
  std::string sku;
  int32_t quantity = 0;
};
LOCKSTEP_JSON_FIELDS(OrderLine, sku, quantity)

struct Order {
  std::string id;
  int64_t cents = 0;
  std::vector<std::string> items;
  std::vector<OrderLine> lines;
  std::optional<std::string> note;
  std::map<std::string, double> weights;
};
LOCKSTEP_JSON_FIELDS(Order, id, cents, items, lines, note, weights)

namespace {

Order SampleOrder() {
  Order order;
  order.id = "order-0001";
  order.cents = 129900;
  order.items = {"apple", "pear", "plum"};
  order.lines = {{"SKU-1", 2}, {"SKU-2", 1}, {"SKU-3", 12}};
  order.note = "leave at the door";
  order.weights = {{"apple", 0.25}, {"pear", 0.5}};
  return order;
}

void BM_DecodeInt(benchmark::State& state) {
  const Payload payload = ToPayload(1);
  int64_t sum = 0;
  for (auto _ : state) {
    absl::StatusOr<int> value = FromPayload<int>(payload);
    sum += *value;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeInt);

void BM_DecodeIntInArray(benchmark::State& state) {
  const Payload payload = ToPayload(std::vector<int>{1});
  int64_t sum = 0;
  for (auto _ : state) {
    auto value = FromPayload<std::vector<int>>(payload);
    sum += (*value)[0];
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeIntInArray);

void BM_EncodeInt(benchmark::State& state) {
  int64_t value = 1;
  for (auto _ : state) {
    Payload payload = ToPayload(value++);
    benchmark::DoNotOptimize(payload);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeInt);

void BM_DecodeString(benchmark::State& state) {
  const Payload payload = ToPayload("signal-payload-text");
  for (auto _ : state) {
    absl::StatusOr<std::string> value = FromPayload<std::string>(payload);
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeString);

void BM_DecodeStruct(benchmark::State& state) {
  const Payload payload = ToPayload(SampleOrder());
  for (auto _ : state) {
    absl::StatusOr<Order> order = FromPayload<Order>(payload);
    benchmark::DoNotOptimize(order);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(payload.data().size()) * state.iterations());
}
BENCHMARK(BM_DecodeStruct);

void BM_EncodeStruct(benchmark::State& state) {
  const Order order = SampleOrder();
  for (auto _ : state) {
    Payload payload = ToPayload(order);
    benchmark::DoNotOptimize(payload);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeStruct);

}  // namespace
}  // namespace lockstep::bench
