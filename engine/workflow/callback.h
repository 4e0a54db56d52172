// Callback: a copyable `void()` callable that keeps small callables in place.
//
// The engine's futures hold callbacks (what to do when a future resolves, how to cancel its
// operation) that capture other futures, resolvers, `this` and a source location. libstdc++'s
// std::function keeps a callable in place only when it is trivially copyable and at most 16
// bytes, so every one of those captures (a future is a shared_ptr) cost an allocation, several
// per workflow operation. Callback keeps any callable of up to kInlineBytes in place, whatever
// its copy constructor does, and falls back to the heap only above that.
//
// Contract:
//   - Constructible from any callable `F` with `void()` (or any result, discarded) that is copy
//     constructible; copies copy the callable, moves move it (a moved-from Callback is empty).
//   - Calling an empty Callback is a bug: it aborts, as calling an empty std::function throws.
//   - operator() is const but calls the callable as non-const, as std::function does, so
//     `mutable` lambdas work.
//   - Not thread-safe beyond what the callable itself is.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_CALLBACK_H_
#define LOCKSTEP_ENGINE_WORKFLOW_CALLBACK_H_

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace lockstep::internal {

class Callback {
 public:
  // Room for three shared_ptrs (a condition-with-timeout's callbacks), or `this`, a pointer
  // and a source location.
  static constexpr size_t kInlineBytes = 48;

  Callback() noexcept = default;
  Callback(std::nullptr_t) noexcept {}  // NOLINT: as std::function

  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, Callback> &&
                                        !std::is_same_v<D, std::nullptr_t> &&
                                        std::is_invocable_v<D&>>>
  Callback(F&& f) {  // NOLINT: implicit, as std::function
    static_assert(std::is_copy_constructible_v<D>, "a Callback's callable must be copyable");
    if constexpr (Fits<D>()) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
      ops_ = &kHeapOps<D>;
    }
  }

  Callback(const Callback& other) : ops_(other.ops_) {
    if (ops_ != nullptr) ops_->copy(other.storage_, storage_);
  }
  Callback(Callback&& other) noexcept : ops_(other.ops_) {
    if (ops_ != nullptr) {
      ops_->move(other.storage_, storage_);
      other.ops_ = nullptr;
    }
  }
  Callback& operator=(const Callback& other) {
    if (this != &other) {
      Callback copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Callback& operator=(Callback&& other) noexcept {
    if (this != &other) {
      Reset();
      if (other.ops_ != nullptr) {
        other.ops_->move(other.storage_, storage_);
        ops_ = other.ops_;
        other.ops_ = nullptr;
      }
    }
    return *this;
  }
  Callback& operator=(std::nullptr_t) noexcept {
    Reset();
    return *this;
  }
  ~Callback() { Reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  // Whether the callable is kept in place (it cost no allocation).
  bool in_place() const noexcept { return ops_ != nullptr && ops_->in_place; }

  void operator()() const {
    if (ops_ == nullptr) {
      std::fputs("lockstep: an empty Callback was called\n", stderr);
      std::abort();
    }
    ops_->invoke(storage_);
  }

 private:
  struct Ops {
    void (*invoke)(unsigned char* storage);
    void (*copy)(const unsigned char* from, unsigned char* to);
    void (*move)(unsigned char* from, unsigned char* to) noexcept;  // and destroys `from`
    void (*destroy)(unsigned char* storage) noexcept;
    bool in_place;
  };

  template <typename D>
  static constexpr bool Fits() {
    return sizeof(D) <= kInlineBytes && alignof(D) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<D>;
  }
  template <typename D>
  static D* In(unsigned char* storage) {
    return std::launder(reinterpret_cast<D*>(storage));
  }
  template <typename D>
  static const D* In(const unsigned char* storage) {
    return std::launder(reinterpret_cast<const D*>(storage));
  }

  template <typename D>
  static constexpr Ops kInlineOps = {
      [](unsigned char* s) { (*In<D>(s))(); },
      [](const unsigned char* from, unsigned char* to) { ::new (to) D(*In<D>(from)); },
      [](unsigned char* from, unsigned char* to) noexcept {
        ::new (to) D(std::move(*In<D>(from)));
        In<D>(from)->~D();
      },
      [](unsigned char* s) noexcept { In<D>(s)->~D(); },
      true,
  };
  template <typename D>
  static constexpr Ops kHeapOps = {
      [](unsigned char* s) { (**In<D*>(s))(); },
      [](const unsigned char* from, unsigned char* to) { ::new (to) D*(new D(**In<D*>(from))); },
      [](unsigned char* from, unsigned char* to) noexcept { ::new (to) D*(*In<D*>(from)); },
      [](unsigned char* s) noexcept { delete *In<D*>(s); },
      false,
  };

  void Reset() noexcept {
    if (ops_ != nullptr) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) mutable unsigned char storage_[kInlineBytes];
  const Ops* ops_ = nullptr;
};

}  // namespace lockstep::internal

#endif  // LOCKSTEP_ENGINE_WORKFLOW_CALLBACK_H_
