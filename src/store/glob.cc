#include "store/kv_store.h"

namespace flowlens::store {

bool globMatch(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      const char c = p[pi];
      if (c == '*') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      if (c == '?') {
        ++pi;
        ++si;
        continue;
      }
      if (c == '[') {
        size_t k = pi + 1;
        const bool negate = k < p.size() && p[k] == '^';
        if (negate) ++k;
        bool match = false;
        bool closed = false;
        while (k < p.size()) {
          if (p[k] == ']') {
            closed = true;
            break;
          }
          if (p[k] == '\\' && k + 1 < p.size()) {
            if (p[k + 1] == s[si]) match = true;
            k += 2;
          } else if (k + 2 < p.size() && p[k + 1] == '-') {  // as Redis: "[a-]" is a..']' 
            char lo = p[k], hi = p[k + 2];
            if (lo > hi) std::swap(lo, hi);
            if (s[si] >= lo && s[si] <= hi) match = true;
            k += 3;
          } else {
            if (p[k] == s[si]) match = true;
            ++k;
          }
        }
        if (closed && match != negate) {
          pi = k + 1;
          ++si;
          continue;
        }
        if (!closed && match != negate) {  // unterminated class: Redis treats the rest as the set
          pi = k;
          ++si;
          continue;
        }
      } else {
        char lit = c;
        size_t adv = 1;
        if (c == '\\' && pi + 1 < p.size()) {
          lit = p[pi + 1];
          adv = 2;
        }
        if (lit == s[si]) {
          pi += adv;
          ++si;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;  // backtrack to the last '*'
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace flowlens::store
