#pragma once
// A map of at most `capacity` entries that forgets the least recently seen one to
// make room: per-client limiters stay bounded in memory with O(1) work per request,
// and a full table costs one client (the quietest) its state, never everyone's.
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace pledged {

template <typename Value>
class LruTable {
 public:
  explicit LruTable(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry for `key`, now the most recently seen; made by `fresh()` when missing
  // (evicting the least recently seen entry if the table is full).
  template <typename Make>
  Value& touch(const std::string& key, Make&& fresh) {
    if (const auto found = index_.find(key); found != index_.end()) {
      order_.splice(order_.begin(), order_, found->second);
      return found->second->second;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, fresh());
    index_.emplace(key, order_.begin());
    return order_.front().second;
  }

  // The entry for `key` without changing its place; nullptr when missing.
  Value* find(const std::string& key) {
    const auto found = index_.find(key);
    return found == index_.end() ? nullptr : &found->second->second;
  }

  std::size_t size() const { return index_.size(); }

 private:
  using Order = std::list<std::pair<std::string, Value>>;
  std::size_t capacity_;
  Order order_;  // most recently seen first
  std::unordered_map<std::string, typename Order::iterator> index_;
};

}  // namespace pledged
