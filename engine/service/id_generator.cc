#include "engine/service/id_generator.h"

namespace lockstep::service {
namespace {

// SplitMix64's finalizer (Steele, Lea, Flood 2014): a bijective mix of the counter.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Writes `digits` hex digits of `word` (its low ones) at `out`; returns the end.
char* WriteHex(uint64_t word, int digits, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) *out++ = kHex[(word >> (4 * i)) & 0xf];
  return out;
}

}  // namespace

IdGenerator::IdGenerator(uint64_t seed, uint64_t stream) : state_(Mix(seed) ^ Mix(~stream)) {}

void IdGenerator::Absorb(std::string_view text) {
  // FNV-1a over the text, then mixed with the position: a new, unrelated counter value.
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  state_ = Mix(state_ ^ Mix(hash + text.size()));
}

uint64_t IdGenerator::NextWord() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return Mix(state_);
}

std::string IdGenerator::NextUuid() {
  uint64_t hi = NextWord();
  uint64_t lo = NextWord();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0x3ULL << 62)) | (0x2ULL << 62);  // variant 10xx
  // Formatted in place: a UUID is made for every workflow task and run.
  char text[36];
  char* p = WriteHex(hi >> 32, 8, text);
  *p++ = '-';
  p = WriteHex(hi >> 16, 4, p);
  *p++ = '-';
  p = WriteHex(hi, 4, p);
  *p++ = '-';
  p = WriteHex(lo >> 48, 4, p);
  *p++ = '-';
  WriteHex(lo, 12, p);
  return std::string(text, sizeof(text));
}

}  // namespace lockstep::service
